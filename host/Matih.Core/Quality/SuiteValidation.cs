using System.Text.Json;
using System.Text.Json.Nodes;

namespace Matih.Core.Quality;

/// <summary>One expectation's outcome in Great Expectations' shape.</summary>
/// <param name="Index">Its position in the suite.</param>
/// <param name="Config">The expectation as written.</param>
/// <param name="Success">Whether it was met.</param>
/// <param name="Result">
/// GE's <c>result</c>: <c>observed_value</c> for aggregate expectations; <c>element_count</c>, <c>missing_count</c>,
/// <c>unexpected_count</c>, <c>unexpected_percent</c>, <c>partial_unexpected_list</c> for column-map ones.
/// </param>
/// <param name="Exception">Why it could not be evaluated (wrong kwargs, a missing table), or null.</param>
public sealed record ExpectationResult(int Index, ExpectationConfig Config, bool Success, IReadOnlyDictionary<string, object?> Result, string? Exception)
{
    /// <summary>A result value as a number, when it is one.</summary>
    public double? Number(string key) => Result.GetValueOrDefault(key) switch
    {
        null => null,
        JsonElement { ValueKind: JsonValueKind.Number } e => e.GetDouble(),
        IConvertible c when c is not string and not bool and not DateTime => Convert.ToDouble(c, System.Globalization.CultureInfo.InvariantCulture),
        _ => null,
    };
}

/// <summary>GE's <c>statistics</c> of a validation.</summary>
/// <param name="EvaluatedExpectations">Expectations evaluated.</param>
/// <param name="SuccessfulExpectations">Expectations met.</param>
/// <param name="UnsuccessfulExpectations">Expectations not met.</param>
/// <param name="SuccessPercent">Share met, 0..100; null when there were none.</param>
public sealed record ValidationStatistics(int EvaluatedExpectations, int SuccessfulExpectations, int UnsuccessfulExpectations, double? SuccessPercent);

/// <summary>A suite evaluated over one table.</summary>
/// <param name="Suite">The suite name.</param>
/// <param name="Dataset">The table validated.</param>
/// <param name="RunAt">When it ran.</param>
/// <param name="Results">Each expectation's outcome, in suite order.</param>
/// <param name="Queries">SQL statements the evaluation issued (the shared scan, grouped queries, samples).</param>
/// <param name="Elapsed">How long it took.</param>
public sealed record SuiteValidation(string Suite, string Dataset, DateTimeOffset RunAt, IReadOnlyList<ExpectationResult> Results, int Queries, TimeSpan Elapsed)
{
    /// <summary>True when every expectation was met (GE's <c>success</c>).</summary>
    public bool Success => Results.All(r => r.Success);

    /// <summary>GE's statistics.</summary>
    public ValidationStatistics Statistics
    {
        get
        {
            var met = Results.Count(r => r.Success);
            return new ValidationStatistics(Results.Count, met, Results.Count - met, Results.Count == 0 ? null : 100.0 * met / Results.Count);
        }
    }

    /// <summary>Failed expectations of severity error.</summary>
    public int FailedErrors => Results.Count(r => !r.Success && r.Config.Severity == ExpectationSeverity.Error);

    /// <summary>Failed expectations of severity warning.</summary>
    public int FailedWarnings => Results.Count(r => !r.Success && r.Config.Severity == ExpectationSeverity.Warning);

    /// <summary>The validation result document in GE's shape: success, statistics, results, meta.</summary>
    public JsonObject ToJson(Guid runId)
    {
        var statistics = Statistics;
        var results = new JsonArray();
        foreach (var r in Results)
        {
            var config = JsonNode.Parse(WriteConfig(r.Config))!;
            var result = new JsonObject();
            foreach (var (key, value) in r.Result)
            {
                result[key] = JsonSerializer.SerializeToNode(value);
            }

            results.Add(new JsonObject
            {
                ["expectation_config"] = config,
                ["success"] = r.Success,
                ["result"] = result,
                ["exception_info"] = new JsonObject
                {
                    ["raised_exception"] = r.Exception is not null,
                    ["exception_message"] = r.Exception,
                },
            });
        }

        return new JsonObject
        {
            ["success"] = Success,
            ["statistics"] = new JsonObject
            {
                ["evaluated_expectations"] = statistics.EvaluatedExpectations,
                ["successful_expectations"] = statistics.SuccessfulExpectations,
                ["unsuccessful_expectations"] = statistics.UnsuccessfulExpectations,
                ["success_percent"] = statistics.SuccessPercent,
            },
            ["results"] = results,
            ["meta"] = new JsonObject
            {
                ["expectation_suite_name"] = Suite,
                ["dataset"] = Dataset,
                ["run_id"] = runId.ToString(),
                ["validation_time"] = RunAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture),
                ["queries"] = Queries,
                ["elapsed_ms"] = Math.Round(Elapsed.TotalMilliseconds, 1),
            },
        };
    }

    private static string WriteConfig(ExpectationConfig config)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            config.WriteTo(writer);
        }

        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }
}
