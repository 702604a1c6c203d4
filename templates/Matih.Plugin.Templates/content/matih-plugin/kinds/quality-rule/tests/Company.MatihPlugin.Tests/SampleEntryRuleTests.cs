using Matih.Sdk.Data;
using Matih.Sdk.Plugins;
using Matih.Sdk.Quality;
using Matih.Sdk.Testing;

namespace Company.MatihPlugin.Tests;

public sealed class SampleEntryRuleTests
{
    private const string PluginFolder = "Company.MatihPlugin";

    private static readonly TableRef s_table = new("analytics", "crm", "customers");

    private static readonly TableSchema s_schema = new([new ColumnSchema("email", ColumnType.String), new ColumnSchema("age", ColumnType.Int32)]);

    [Fact]
    public void The_plugin_loads_as_a_quality_rule_for_sdk_1_without_carrying_the_sdk()
    {
        using var plugin = PluginHarness.LoadBuilt(PluginFolder);

        Assert.Equal("sample-plugin-id", plugin.Manifest.Id);
        Assert.Equal(PluginKind.QualityRule, plugin.Manifest.Kind);
        Assert.Equal(SdkInfo.Major, plugin.Manifest.SdkMajor);
        Assert.Empty(plugin.PackagingWarnings);
    }

    [Fact]
    public void A_text_column_is_planned_as_a_column_map_with_mostly()
    {
        using var plugin = PluginHarness.LoadBuilt(PluginFolder);
        var rule = plugin.GetSingle<IQualityRule>();

        var plan = rule.Plan(TestJson.Parse("""{ "column": "email", "mostly": 0.95 }"""), s_table, s_schema);

        var map = Assert.IsType<ColumnMapPlan>(plan);
        Assert.Equal("email", map.Column);
        Assert.Equal(0.95, map.Mostly);
        Assert.Contains("trim(\"email\"", map.UnexpectedSql, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_or_numeric_column_is_an_invalid_plan_naming_the_kwarg()
    {
        using var plugin = PluginHarness.LoadBuilt(PluginFolder);
        var rule = plugin.GetSingle<IQualityRule>();

        var missing = Assert.IsType<InvalidKwargsPlan>(rule.Plan(TestJson.Parse("""{ "column": "phone" }"""), s_table, s_schema));
        var numeric = Assert.IsType<InvalidKwargsPlan>(rule.Plan(TestJson.Parse("""{ "column": "age" }"""), s_table, s_schema));

        Assert.Equal("column", missing.Kwarg);
        Assert.Contains("'phone' is not in analytics.crm.customers", missing.Message, StringComparison.Ordinal);
        Assert.Contains("'age' is Int32", numeric.Message, StringComparison.Ordinal);
    }
}
