using System.Runtime.CompilerServices;
using Matih.Sdk.Catalog;
using Matih.Sdk.Data;

namespace Company.MatihPlugin;

/// <summary>
/// Lists every <c>*.csv</c> file of a folder as the dataset <c>{catalog}.csv.{file name}</c>, with the header's
/// columns (as text), the row count and the file's last change. Replace the folder scan with your metadata source.
/// </summary>
public sealed class SampleEntryCatalog : ICatalogProvider
{
    private const string Schema = "csv";

    private readonly string _directory;
    private readonly string _catalog;

    /// <summary>Creates the provider over <paramref name="directory"/>.</summary>
    public SampleEntryCatalog(string directory, string catalog)
    {
        _directory = directory;
        _catalog = catalog;
    }

    /// <inheritdoc />
    public string Id => "sample-plugin-id";

    /// <inheritdoc />
    public async IAsyncEnumerable<DatasetInfo> ListDatasetsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (!Directory.Exists(_directory))
        {
            yield break;
        }

        foreach (var file in Directory.EnumerateFiles(_directory, "*.csv").Order(StringComparer.Ordinal))
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return await DescribeAsync(file, cancellationToken);
        }
    }

    /// <inheritdoc />
    public async Task<DatasetInfo?> GetDatasetAsync(TableRef table, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(table);
        var file = Path.Combine(_directory, table.Table + ".csv");
        return table.Catalog == _catalog && table.Schema == Schema && File.Exists(file) ? await DescribeAsync(file, cancellationToken) : null;
    }

    private async Task<DatasetInfo> DescribeAsync(string file, CancellationToken cancellationToken)
    {
        var lines = await File.ReadAllLinesAsync(file, cancellationToken);
        // TODO: use a CSV parser (quoted commas) and infer types if your files need it.
        var columns = lines.Length == 0 ? [] : lines[0].Split(',').Select(name => new ColumnSchema(name.Trim(), ColumnType.String)).ToArray();
        return new DatasetInfo(new TableRef(_catalog, Schema, Path.GetFileNameWithoutExtension(file)), columns)
        {
            RowCount = Math.Max(0, lines.Count(l => l.Length > 0) - 1),
            LastUpdated = File.GetLastWriteTimeUtc(file),
            SourceLocation = file,
        };
    }
}
