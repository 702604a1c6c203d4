using System.Text.Json;
using Matih.Sdk.Catalog;
using Matih.Sdk.Data;
using Matih.Sdk.Plugins;
using Matih.Sdk.Testing;

namespace Company.MatihPlugin.Tests;

public sealed class SampleEntryCatalogTests : IDisposable
{
    private const string PluginFolder = "Company.MatihPlugin";

    private readonly string _directory = Directory.CreateTempSubdirectory("catalog-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Settings => JsonSerializer.Serialize(new { directory = _directory });

    [Fact]
    public void The_plugin_loads_as_a_catalog_provider_for_sdk_1_without_carrying_the_sdk()
    {
        using var plugin = PluginHarness.LoadBuilt(PluginFolder, Settings);

        Assert.Equal("sample-plugin-id", plugin.Manifest.Id);
        Assert.Equal(PluginKind.CatalogProvider, plugin.Manifest.Kind);
        Assert.Equal(SdkInfo.Major, plugin.Manifest.SdkMajor);
        Assert.Empty(plugin.PackagingWarnings);
    }

    [Fact]
    public async Task Each_csv_file_is_listed_with_its_header_columns_and_row_count()
    {
        File.WriteAllText(Path.Combine(_directory, "survey.csv"), "customer_id,score,comment\n1,9,great\n2,3,slow delivery\n");
        using var plugin = PluginHarness.LoadBuilt(PluginFolder, Settings);
        var catalog = plugin.GetSingle<ICatalogProvider>();

        var datasets = new List<DatasetInfo>();
        await foreach (var dataset in catalog.ListDatasetsAsync(default))
        {
            datasets.Add(dataset);
        }

        var survey = Assert.Single(datasets);
        Assert.Equal("files.csv.survey", survey.Table.ToString());
        Assert.Equal(["customer_id", "score", "comment"], survey.Columns.Select(c => c.Name));
        Assert.Equal(2, survey.RowCount);
        Assert.Null(await catalog.GetDatasetAsync(TableRef.Parse("files.csv.missing"), default));
    }
}
