using System.Globalization;
using Matih.Core.Files;
using Matih.Core.Hosting;
using Matih.Host.Api;
using Matih.Host.Components.Files;
using Matih.Sdk.Data;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using MudBlazor;

namespace Matih.Host.Components.Pages;

/// <summary>
/// File Import: upload a CSV or Parquet file (streamed to the data directory's uploads folder), declare its columns,
/// preview 10 rows and the bad lines, and import it into a three-part table, atomically or keeping the rejects. It
/// calls <see cref="FileImports"/>, the engine behind <c>/api/files</c>.
/// </summary>
public partial class FileImport : IDisposable
{
    /// <summary>The seed's survey columns, shown as the declared columns' placeholder.</summary>
    public const string ColumnsExample = "customer_id (INT), survey_date (DATE), nps_score (INT), satisfaction_rating (INT), comments (TEXT)";

    /// <summary>The seed's destination, shown as the destination's placeholder.</summary>
    public const string DestinationExample = "novamart.surveys.customer_nps";

    private static readonly string[] s_extensions = [".csv", ".txt", ".tsv", ".parquet", ".pq"];
    private static readonly TimeSpan s_progressInterval = TimeSpan.FromMilliseconds(250);

    private readonly CancellationTokenSource _disposed = new();

    [Inject]
    private FileImports Imports { get; set; } = default!;

    [Inject]
    private MatihOptions Options { get; set; } = default!;

    private static List<BreadcrumbItem> Breadcrumbs { get; } = [new("Sources", "/sources"), new("File Import", null, disabled: true)];

    private UploadedFile? Upload { get; set; }

    private string? UploadName { get; set; }

    private long UploadSize { get; set; }

    private long UploadedBytes { get; set; }

    private bool Uploading { get; set; }

    private string? FileError { get; set; }

    private string? ImportedFileName { get; set; }

    private string ColumnsText { get; set; } = "";

    private string? ColumnsError { get; set; }

    private FilePreview? Preview { get; set; }

    private string? PreviewedName { get; set; }

    private string? PreviewError { get; set; }

    private bool Previewing { get; set; }

    private bool PreviewDeclared { get; set; }

    private string? DeclaredError { get; set; }

    private string DestinationText { get; set; } = "";

    private string? DestinationError { get; set; }

    private BadRowPolicy Policy { get; set; } = BadRowPolicy.Fail;

    private FileImportResult? Result { get; set; }

    private string? ImportError { get; set; }

    private bool Importing { get; set; }

    private bool HasDeclared => !string.IsNullOrWhiteSpace(ColumnsText);

    private static string LinesOf(IReadOnlyList<BadRow> rows) =>
        (rows.Count == 1 ? "line " : "lines ") + string.Join(", ", rows.Select(r => r.Line.ToString(CultureInfo.InvariantCulture)));

    private double UploadPercent => UploadSize > 0 ? UploadedBytes * 100.0 / UploadSize : 0;

    /// <inheritdoc />
    public void Dispose()
    {
        // Cancelled, not disposed: work finishing after the page is left may still read the token.
        _disposed.Cancel();
        Upload?.Dispose();
    }

    private static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Elapsed(long milliseconds) => milliseconds < 1000
        ? $"{milliseconds} ms"
        : string.Create(CultureInfo.InvariantCulture, $"{milliseconds / 1000.0:0.0} s");

    private static string Bytes(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.#} KB"),
        < 1024L * 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):0.#} MB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024 * 1024):0.##} GB"),
    };

    private static string QueryOf(string table) => $"SELECT * FROM {table} LIMIT 100";

    private static string QueryLink(string table) => $"/query?sql={Uri.EscapeDataString(QueryOf(table))}";

    private async Task OnFileChosenAsync(IBrowserFile? file)
    {
        Discard();
        (Preview, PreviewError, DeclaredError, Result, ImportError, FileError, ImportedFileName) = (null, null, null, null, null, null, null);
        if (file is null)
        {
            return;
        }

        var extension = Path.GetExtension(file.Name).ToLowerInvariant();
        if (!s_extensions.Contains(extension))
        {
            FileError = $"{file.Name}: {(extension.Length == 0 ? "a file without an extension" : $"'{extension}' files")} cannot be imported; upload .csv or .parquet.";
            return;
        }

        (Uploading, UploadName, UploadSize, UploadedBytes) = (true, file.Name, file.Size, 0);
        var shown = DateTime.UtcNow;
        try
        {
            Upload = await UploadedFile.SaveAsync(file, Path.Combine(Options.DataPath, "uploads"), FileEndpoints.MaxUploadBytes, copied =>
            {
                UploadedBytes = copied;
                if (DateTime.UtcNow - shown > s_progressInterval)
                {
                    shown = DateTime.UtcNow;
                    StateHasChanged();
                }
            }, _disposed.Token);
        }
        catch (IOException e)
        {
            FileError = $"{file.Name} could not be uploaded: {e.Message}";
            return;
        }
        catch (OperationCanceledException)
        {
            // The page was left during the upload; the partial file is already deleted.
            return;
        }
        finally
        {
            Uploading = false;
        }

        await PreviewAsync();
    }

    private async Task PreviewAsync()
    {
        if (Upload is not { } upload || !TryDeclared(out var declared))
        {
            return;
        }

        (Previewing, PreviewError, Preview, DeclaredError) = (true, null, null, null);
        try
        {
            // DuckDB reads on a worker thread so the page keeps rendering.
            Preview = await Task.Run(() => Imports.PreviewAsync(upload.Path, upload.FileName, declared, _disposed.Token));
            PreviewDeclared = declared is not null;
        }
        catch (FileImportException e) when (declared is not null)
        {
            // A read with declared types stops at the first value that does not convert, so a bad row among the first
            // rows fails the whole preview: show the rows with inferred types, and the reason with its line.
            DeclaredError = e.Message;
            try
            {
                Preview = await Task.Run(() => Imports.PreviewAsync(upload.Path, upload.FileName, null, _disposed.Token));
                PreviewDeclared = false;
            }
            catch (FileImportException)
            {
                PreviewError = e.Message;
            }
        }
        catch (FileImportException e)
        {
            PreviewError = e.Message;
        }
        finally
        {
            PreviewedName = upload.FileName;
            Previewing = false;
        }
    }

    private async Task ImportAsync()
    {
        DestinationError = null;
        if (!TableRef.TryParse(DestinationText, out var destination))
        {
            DestinationError = string.IsNullOrWhiteSpace(DestinationText)
                ? $"Name the table to import into, e.g. {DestinationExample}."
                : $"'{DestinationText}' is not a three-part table name (catalog.schema.table).";
            return;
        }

        if (Upload is not { } upload || !TryDeclared(out var declared))
        {
            return;
        }

        (Importing, Result, ImportError) = (true, null, null);
        try
        {
            var policy = Policy;
            Result = await Task.Run(() => Imports.ImportAsync(upload.Path, upload.FileName, destination, declared, policy, _disposed.Token));
            if (Result.Imported)
            {
                // Imported: the uploaded copy has served its purpose. A refused import keeps it for another try.
                ImportedFileName = upload.FileName;
                Discard();
            }
        }
        catch (FileImportException e)
        {
            ImportError = e.Message;
        }
        finally
        {
            Importing = false;
        }
    }

    private bool TryDeclared(out IReadOnlyList<DeclaredColumn>? declared)
    {
        declared = null;
        ColumnsError = null;
        if (!HasDeclared)
        {
            return true;
        }

        try
        {
            declared = DeclaredColumns.Parse(ColumnsText);
        }
        catch (FormatException e)
        {
            ColumnsError = e.Message;
            return false;
        }

        if (FileImports.CheckDeclared(declared) is { Count: > 0 } problems)
        {
            ColumnsError = string.Join(" ", problems);
            declared = null;
            return false;
        }

        return true;
    }

    private void Discard()
    {
        Upload?.Dispose();
        Upload = null;
    }
}
