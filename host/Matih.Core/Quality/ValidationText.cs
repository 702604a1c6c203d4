using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Matih.Core.Quality;

/// <summary>
/// A validation as the seed prints it: "Suite:", "Run Date: ... UTC", "Status: PASSED (7/7 expectations met)" and
/// one "[PASS]"/"[FAIL]" line per expectation in words ("Row count: 1,987,432 (expected 1.8M - 2.2M)"). The common GE
/// types have their own phrasing; any other type gets a generic line.
/// </summary>
public static class ValidationText
{
    private static readonly CultureInfo s_invariant = CultureInfo.InvariantCulture;

    /// <summary>Figures a line needs beyond GE's result, computed in the shared scan (the observed range of a between).</summary>
    public static IReadOnlyList<string> ExtraAggregates(ExpectationConfig config, string quotedColumn) =>
        config.Type == "expect_column_values_to_be_between" ? [$"min({quotedColumn})", $"max({quotedColumn})"] : [];

    /// <summary>The extra figures as the result's <c>details</c>.</summary>
    public static IReadOnlyDictionary<string, object?> ExtraDetails(ExpectationConfig config, object?[] values) =>
        values.Length == 2 ? new Dictionary<string, object?> { ["observed_min"] = values[0], ["observed_max"] = values[1] } : new Dictionary<string, object?>();

    /// <summary>The whole report.</summary>
    public static string Render(SuiteValidation validation)
    {
        var text = new StringBuilder();
        var statistics = validation.Statistics;
        text.Append("Suite: ").AppendLine(validation.Suite);
        text.Append("Run Date: ").Append(validation.RunAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", s_invariant)).AppendLine(" UTC");
        text.Append("Status: ").Append(validation.Success ? "PASSED" : "FAILED")
            .Append(s_invariant, $" ({statistics.SuccessfulExpectations}/{statistics.EvaluatedExpectations} expectations met)").AppendLine();
        text.AppendLine();
        foreach (var result in validation.Results)
        {
            text.Append("  ").Append(Tag(result)).Append(' ').AppendLine(Line(result));
        }

        return text.ToString();
    }

    /// <summary><c>[PASS]</c>, <c>[FAIL]</c> (error), <c>[WARN]</c> or <c>[INFO]</c>.</summary>
    public static string Tag(ExpectationResult result) => result.Success
        ? "[PASS]"
        : result.Config.Severity switch
        {
            ExpectationSeverity.Warning => "[WARN]",
            ExpectationSeverity.Info => "[INFO]",
            _ => "[FAIL]",
        };

    /// <summary>One expectation in words.</summary>
    public static string Line(ExpectationResult result)
    {
        var config = result.Config;
        var column = config.Column;
        if (result.Exception is { } exception)
        {
            return $"{Subject(config)}: could not be evaluated: {exception}";
        }

        var unexpected = result.Number("unexpected_count") ?? 0;
        var percent = result.Number("unexpected_percent");
        switch (config.Type)
        {
            case "expect_table_row_count_to_be_between":
                return $"Row count: {Format(result.Result.GetValueOrDefault("observed_value"))} (expected {Range(config, compact: true)})";
            case "expect_table_row_count_to_equal":
                return $"Row count: {Format(result.Result.GetValueOrDefault("observed_value"))} (expected {Format(Kwarg(config, "value"))})";
            case "expect_column_values_to_be_unique":
                var unique = percent is { } p ? 100 - p : 100;
                return result.Success && unexpected == 0
                    ? $"{column} uniqueness: {Percent(unique)}"
                    : $"{column} uniqueness: {Percent(unique)} ({unexpected.ToString("N0", s_invariant)} rows share a value)";
            case "expect_column_values_to_not_be_null":
                return unexpected == 0
                    ? $"{column} nulls: {(percent ?? 0).ToString("F1", s_invariant)}%"
                    : $"{column} nulls: {(percent ?? 0).ToString("F1", s_invariant)}% ({unexpected.ToString("N0", s_invariant)} rows)";
            case "expect_column_values_to_be_between":
                var details = result.Result.GetValueOrDefault("details") as IReadOnlyDictionary<string, object?>;
                var observed = details is null ? "" : $"[{Format(details.GetValueOrDefault("observed_min"))}, {Format(details.GetValueOrDefault("observed_max"))}]";
                return unexpected == 0
                    ? $"{column} range: all values in {observed}"
                    : $"{column} range: {unexpected.ToString("N0", s_invariant)} values ({Percent(percent ?? 0)}) outside {Range(config, compact: false)}; observed {observed}";
            case "expect_column_proportion_of_unique_values_to_be_between":
                var proportion = result.Number("observed_value");
                var shown = proportion is { } value ? value.ToString("0.0###", s_invariant) : "no values";
                return result.Success ? $"{column} uniqueness proportion: {shown}" : $"{column} uniqueness proportion: {shown} (expected {Range(config, compact: false)})";
            case "expect_column_values_to_be_in_set":
                return unexpected == 0
                    ? $"{column} values: all in expected set"
                    : $"{column} values: {unexpected.ToString("N0", s_invariant)} values ({Percent(percent ?? 0)}) not in expected set, e.g. {Examples(result)}";
        }

        if (result.Result.ContainsKey("unexpected_count"))
        {
            return unexpected == 0
                ? $"{Subject(config)}: all values as expected"
                : $"{Subject(config)}: {unexpected.ToString("N0", s_invariant)} unexpected values ({Percent(percent ?? 0)}), e.g. {Examples(result)}";
        }

        var range = config.Kwargs.ValueKind == JsonValueKind.Object && (config.Kwargs.TryGetProperty("min_value", out _) || config.Kwargs.TryGetProperty("max_value", out _))
            ? $" (expected {Range(config, compact: false)})"
            : "";
        return $"{Subject(config)}: {Format(result.Result.GetValueOrDefault("observed_value"))}{range}";
    }

    /// <summary>A value for people: integers with separators, other numbers with two decimals, lists shortened.</summary>
    public static string Format(object? value) => value switch
    {
        null => "null",
        JsonElement e => e.ValueKind switch
        {
            JsonValueKind.Number when e.TryGetInt64(out var l) => l.ToString("N0", s_invariant),
            JsonValueKind.Number => e.GetDouble().ToString("N2", s_invariant),
            JsonValueKind.String => e.GetString()!,
            _ => e.GetRawText(),
        },
        long or int or short or byte or ulong or uint => Convert.ToInt64(value, s_invariant).ToString("N0", s_invariant),
        double or float or decimal => Convert.ToDouble(value, s_invariant).ToString("N2", s_invariant),
        DateTime d => d.TimeOfDay == TimeSpan.Zero ? d.ToString("yyyy-MM-dd", s_invariant) : d.ToString("yyyy-MM-dd HH:mm:ss", s_invariant),
        DateOnly d => d.ToString("yyyy-MM-dd", s_invariant),
        string s => s,
        System.Collections.IEnumerable list => "[" + string.Join(", ", list.Cast<object?>().Take(10).Select(Format)) + (list.Cast<object?>().Count() > 10 ? ", ..." : "") + "]",
        _ => Convert.ToString(value, s_invariant) ?? "",
    };

    private static string Subject(ExpectationConfig config)
    {
        var words = config.Type.StartsWith("expect_", StringComparison.Ordinal) ? config.Type["expect_".Length..] : config.Type;
        words = words.Replace("column_", "", StringComparison.Ordinal).Replace('_', ' ');
        return config.Column is { } column ? $"{column} {words}" : char.ToUpperInvariant(words[0]) + words[1..];
    }

    private static string Examples(ExpectationResult result) =>
        result.Result.GetValueOrDefault("partial_unexpected_list") is System.Collections.IEnumerable list and not string
            ? string.Join(", ", list.Cast<object?>().Distinct().Take(3).Select(Format))
            : "(no sample)";

    private static string Percent(double value) =>
        (value == Math.Floor(value) ? value.ToString("0", s_invariant) : value.ToString("0.0##", s_invariant)) + "%";

    private static object? Kwarg(ExpectationConfig config, string name) =>
        config.Kwargs.ValueKind == JsonValueKind.Object && config.Kwargs.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    /// <summary>The expected bounds: "1.8M - 2.2M", "[0, 3,650]", "at least 5".</summary>
    private static string Range(ExpectationConfig config, bool compact)
    {
        var min = Kwarg(config, "min_value") as JsonElement?;
        var max = Kwarg(config, "max_value") as JsonElement?;
        var strictMin = Kwarg(config, "strict_min") is JsonElement { ValueKind: JsonValueKind.True };
        var strictMax = Kwarg(config, "strict_max") is JsonElement { ValueKind: JsonValueKind.True };
        string Bound(JsonElement e) => compact && e.ValueKind == JsonValueKind.Number ? Compact(e.GetDouble()) : Format(e);
        return (min, max) switch
        {
            ({ } low, { } high) when compact => $"{Bound(low)} - {Bound(high)}",
            ({ } low, { } high) => $"{(strictMin ? "(" : "[")}{Bound(low)}, {Bound(high)}{(strictMax ? ")" : "]")}",
            ({ } low, null) => $"{(strictMin ? "more than" : "at least")} {Bound(low)}",
            (null, { } high) => $"{(strictMax ? "less than" : "at most")} {Bound(high)}",
            _ => "any",
        };
    }

    private static string Compact(double value) => Math.Abs(value) switch
    {
        >= 1e9 => (value / 1e9).ToString("0.##", s_invariant) + "B",
        >= 1e6 => (value / 1e6).ToString("0.##", s_invariant) + "M",
        _ => value == Math.Floor(value) ? value.ToString("N0", s_invariant) : value.ToString("0.####", s_invariant),
    };
}
