using Matih.Plugins.Expectations.Column;
using Matih.Plugins.Expectations.Internal;
using Matih.Plugins.Expectations.Table;
using Matih.Sdk.Plugins;
using Matih.Sdk.Quality;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Matih.Plugins.Expectations;

/// <summary>
/// Entry point of the expectations plugin: registers Great Expectations' commonly used expectation types as quality
/// rules (<c>expect_column_values_to_be_unique</c>, <c>expect_table_row_count_to_be_between</c>, ...). No settings.
/// </summary>
public sealed class ExpectationsPlugin : IMatihPlugin
{
    /// <inheritdoc />
    public PluginManifest Manifest { get; } = new(
        "expectations",
        "Great Expectations rules",
        "1.0.0",
        PluginKind.QualityRule,
        "The commonly used Great Expectations expectation types (row counts, nulls, uniqueness, ranges, sets, regexes, statistics) with GE's semantics.");

    /// <inheritdoc />
    public void Register(IServiceCollection services, IConfiguration settings)
    {
        foreach (var rule in All())
        {
            services.AddSingleton<IQualityRule>(rule);
        }
    }

    /// <summary>Every expectation type this plugin contributes.</summary>
    internal static IReadOnlyList<IQualityRule> All() =>
    [
        new RowCountToBeBetween(),
        new RowCountToEqual(),
        new ColumnsToMatchOrderedList(),
        new ColumnsToMatchSet(),
        new ColumnToExist(),
        new ValuesToNotBeNull(),
        new ValuesToBeNull(),
        new ValuesToBeBetween(),
        new ValuesToBeInSet(),
        new ValuesToNotBeInSet(),
        new ValuesToMatchRegex(),
        new ValuesToNotMatchRegex(),
        new ValueLengthsToBeBetween(),
        new ValueLengthsToEqual(),
        new ValuesToBeInTypeList(),
        new ValuesToBeOfType(),
        new ValuesToBeUnique(),
        new ProportionOfUniqueValuesToBeBetween(),
        new UniqueValueCountToBeBetween(),
        .. ColumnStatToBeBetween.All(),
        .. DistinctValuesSet.All(),
        new ValuesToBeMonotonic(increasing: true),
        new ValuesToBeMonotonic(increasing: false),
        new CompoundColumnsToBeUnique(),
    ];
}
