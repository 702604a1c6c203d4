using Matih.Sdk.Plugins;
using Matih.Sdk.Quality;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Matih.Plugins.Expectations.Tests;

public sealed class ExpectationsPluginTests
{
    private static readonly string[] s_promised =
    [
        "expect_table_row_count_to_be_between", "expect_column_values_to_be_unique", "expect_column_values_to_not_be_null",
        "expect_column_values_to_be_between", "expect_column_proportion_of_unique_values_to_be_between", "expect_column_values_to_be_in_set",
        "expect_table_row_count_to_equal", "expect_table_columns_to_match_ordered_list", "expect_table_columns_to_match_set",
        "expect_column_to_exist", "expect_column_values_to_be_null", "expect_column_values_to_be_in_type_list",
        "expect_column_values_to_match_regex", "expect_column_values_to_not_match_regex", "expect_column_values_to_be_increasing",
        "expect_column_value_lengths_to_be_between", "expect_column_min_to_be_between", "expect_column_max_to_be_between",
        "expect_column_mean_to_be_between", "expect_column_median_to_be_between", "expect_column_stdev_to_be_between",
        "expect_column_sum_to_be_between", "expect_column_distinct_values_to_be_in_set", "expect_column_unique_value_count_to_be_between",
        "expect_compound_columns_to_be_unique",
    ];

    [Fact]
    public void The_plugin_registers_every_promised_expectation_type_once_as_a_quality_rule()
    {
        var plugin = new ExpectationsPlugin();
        var services = new ServiceCollection();

        plugin.Register(services, new ConfigurationBuilder().Build());
        var rules = services.BuildServiceProvider().GetServices<IQualityRule>().ToArray();

        Assert.Equal(("expectations", PluginKind.QualityRule), (plugin.Manifest.Id, plugin.Manifest.Kind));
        Assert.Subset(rules.Select(r => r.ExpectationType).ToHashSet(), s_promised.ToHashSet());
        Assert.Equal(rules.Length, rules.Select(r => r.ExpectationType).Distinct().Count());
        Assert.All(rules, r => Assert.False(string.IsNullOrWhiteSpace(r.Description)));
    }
}
