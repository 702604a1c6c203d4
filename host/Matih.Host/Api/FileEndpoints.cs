using System.Text.Json;
using Matih.Core.Files;
using Matih.Core.Hosting;
using Matih.Host.Auth;
using Matih.Sdk.Data;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;

namespace Matih.Host.Api;

/// <summary><c>/api/files</c>: preview and import CSV or Parquet uploads (multipart).</summary>
public static class FileEndpoints
{
    /// <summary>Largest upload accepted.</summary>
    public const long MaxUploadBytes = 20L * 1024 * 1024 * 1024;

    /// <summary>Maps the file routes.</summary>
    public static void MapFileEndpoints(this RouteGroupBuilder api)
    {
        var files = api.MapGroup("/files").WithTags("Files").DisableAntiforgery()
            .WithMetadata(new RequestSizeLimitAttribute(MaxUploadBytes), new RequestFormLimitsAttribute { MultipartBodyLengthLimit = MaxUploadBytes });
        files.MapPost("/preview", PreviewAsync);
        files.MapPost("/import", ImportAsync).RequireAuthorization(Roles.Analyst);
    }

    private static async Task<IResult> PreviewAsync(HttpRequest request, FileImports imports, MatihOptions options, CancellationToken ct)
    {
        var (upload, columns, problems) = await ReadFormAsync(request, options, ct);
        if (problems.Count > 0)
        {
            upload?.Dispose();
            return Results.ValidationProblem(problems);
        }

        using (upload)
        {
            try
            {
                var preview = await imports.PreviewAsync(upload!.Path, upload.FileName, columns, ct);
                return Results.Ok(new
                {
                    format = preview.Format,
                    columns = preview.Columns.Select(c => new { name = c.Name, type = c.SourceType ?? c.Type.ToString() }),
                    rows = preview.Rows,
                    bad_rows = preview.BadRows,
                });
            }
            catch (FileImportException e)
            {
                return Results.Problem(title: "The file cannot be read.", detail: e.Message, statusCode: StatusCodes.Status400BadRequest);
            }
        }
    }

    private static async Task<IResult> ImportAsync(HttpRequest request, FileImports imports, MatihOptions options, CancellationToken ct)
    {
        var (upload, columns, problems) = await ReadFormAsync(request, options, ct);
        var form = request.HasFormContentType ? request.Form : null;
        var destinationText = form?["destination"].ToString();
        TableRef? destination = null;
        if (string.IsNullOrWhiteSpace(destinationText))
        {
            problems["destination"] = ["destination is required: a three-part table name such as novamart.surveys.customer_nps."];
        }
        else if (!TableRef.TryParse(destinationText, out var parsed))
        {
            problems["destination"] = [$"'{destinationText}' is not a three-part table name (catalog.schema.table)."];
        }
        else
        {
            destination = parsed;
        }

        var policy = BadRowPolicy.Fail;
        switch (form?["on_error"].ToString())
        {
            case null or "" or "fail":
                break;
            case "keep_rejects":
                policy = BadRowPolicy.KeepRejects;
                break;
            case var other:
                problems["on_error"] = [$"'{other}' is not an option; use fail (import nothing when a row is bad) or keep_rejects."];
                break;
        }

        if (problems.Count > 0)
        {
            upload?.Dispose();
            return Results.ValidationProblem(problems, title: "The import request has problems.");
        }

        using (upload)
        {
            try
            {
                var result = await imports.ImportAsync(upload!.Path, upload.FileName, destination!, columns, policy, ct);
                var body = new
                {
                    imported = result.Imported,
                    table = result.Table,
                    rows_imported = result.RowsImported,
                    rows_rejected = result.RowsRejected,
                    rejects_table = result.RejectsTable,
                    bad_rows = result.BadRows,
                    elapsedMs = result.ElapsedMs,
                    error = result.Error,
                };
                return result.Imported ? Results.Ok(body) : Results.UnprocessableEntity(body);
            }
            catch (FileImportException e)
            {
                return Results.Problem(title: "The file cannot be read.", detail: e.Message, statusCode: StatusCodes.Status400BadRequest);
            }
        }
    }

    private static async Task<(Upload? Upload, IReadOnlyList<DeclaredColumn>? Columns, Dictionary<string, string[]> Problems)> ReadFormAsync(
        HttpRequest request, MatihOptions options, CancellationToken ct)
    {
        var problems = new Dictionary<string, string[]>();
        if (!request.HasFormContentType)
        {
            problems["file"] = ["Send multipart/form-data with a file field."];
            return (null, null, problems);
        }

        var form = await request.ReadFormAsync(ct);
        IReadOnlyList<DeclaredColumn>? columns = null;
        var columnsText = form["columns"].ToString();
        if (!string.IsNullOrWhiteSpace(columnsText))
        {
            try
            {
                columns = DeclaredColumns.Parse(columnsText);
                if (FileImports.CheckDeclared(columns) is { Count: > 0 } wrong)
                {
                    problems["columns"] = [.. wrong];
                }
            }
            catch (FormatException e)
            {
                problems["columns"] = [e.Message];
            }
        }

        var file = form.Files.GetFile("file");
        if (file is null || file.Length == 0 && string.IsNullOrEmpty(file.FileName))
        {
            problems["file"] = ["file is required: the CSV or Parquet file to upload."];
            return (null, columns, problems);
        }

        var folder = Path.Combine(options.DataPath, "uploads");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, $"{Guid.NewGuid():N}{Path.GetExtension(file.FileName)}");
        await using (var target = File.Create(path))
        {
            await file.CopyToAsync(target, ct);
        }

        return (new Upload(path, Path.GetFileName(file.FileName)), columns, problems);
    }

    /// <summary>An uploaded file saved to disk; deleted when disposed.</summary>
    private sealed record Upload(string Path, string FileName) : IDisposable
    {
        public void Dispose() => File.Delete(Path);
    }
}
