using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Matih.Sdk.Data;
using Matih.Sdk.Plugins;
using Matih.Sdk.Quality;

namespace Matih.Core.Quality;

/// <summary>How much a failed expectation matters to a pipeline's quality gate.</summary>
public enum ExpectationSeverity
{
    /// <summary>The default: a failure fails a gate with <c>fail_pipeline_on_error</c>.</summary>
    Error,

    /// <summary>A failure fails a gate only with <c>fail_pipeline_on_warning</c>.</summary>
    Warning,

    /// <summary>Reported, never fails a gate.</summary>
    Info,
}

/// <summary>One expectation of a suite, as written.</summary>
/// <param name="Type">The expectation type (<c>expect_column_values_to_be_unique</c>).</param>
/// <param name="Kwargs">Its kwargs object.</param>
/// <param name="Meta">Its meta object, when given.</param>
/// <param name="Severity">From <c>"severity"</c> or <c>meta.severity</c>; error by default.</param>
public sealed record ExpectationConfig(string Type, JsonElement Kwargs, JsonElement? Meta, ExpectationSeverity Severity)
{
    /// <summary>The <c>column</c> kwarg, when there is one.</summary>
    public string? Column => Kwargs.ValueKind == JsonValueKind.Object && Kwargs.TryGetProperty("column", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
}

/// <summary>A problem with a suite document, at a JSON path (<c>$.expectations[3].type</c>).</summary>
public sealed record SuiteProblem(string Path, string Message);

/// <summary>A suite document read: the suite when it is valid, else every problem found.</summary>
public sealed record SuiteParse(ExpectationSuite? Suite, IReadOnlyList<SuiteProblem> Problems);

/// <summary>
/// A Great-Expectations-style suite: a name, the table it validates by default, and its expectations. Read from the
/// seed's JSON verbatim (<c>suite_name</c>, <c>dataset</c>, <c>expectations[{type, kwargs, meta}]</c>); GE's own
/// <c>expectation_suite_name</c> and <c>expectation_type</c> are accepted too.
/// </summary>
/// <param name="Name">The suite name (<c>churn_features_validation</c>).</param>
/// <param name="Dataset">The table validated when a run names none, or null.</param>
/// <param name="Expectations">The expectations, in order.</param>
public sealed partial record ExpectationSuite(string Name, string? Dataset, IReadOnlyList<ExpectationConfig> Expectations)
{
    // GE's kwargs that every expectation takes and that do not change what is checked.
    private static readonly HashSet<string> s_genericKwargs = new(StringComparer.Ordinal) { "result_format", "include_config", "catch_exceptions", "meta" };

    private static readonly JsonElement s_noKwargs = JsonDocument.Parse("{}").RootElement.Clone();

    /// <summary>Why <paramref name="name"/> cannot name a suite, or null.</summary>
    public static string? NameProblem(string? name) => string.IsNullOrWhiteSpace(name)
        ? "suite_name is required."
        : SuiteName().IsMatch(name) ? null : $"'{name}' is not a suite name: use letters, digits, '_', '-' and '.', starting with a letter (at most 200).";

    /// <summary>
    /// Reads a suite document and checks it against the known expectation types: unknown types (listing the known
    /// ones), missing required kwargs, kwargs the type does not take, and values of the wrong JSON type.
    /// </summary>
    /// <param name="json">The document.</param>
    /// <param name="rules">The expectation types known.</param>
    /// <param name="strict">False to keep expectations of unknown types (a stored suite whose plugin is not loaded now);
    /// they fail when validated, saying which type is missing.</param>
    public static SuiteParse Parse(string json, IEnumerable<IQualityRule> rules, bool strict = true)
    {
        var known = rules.GroupBy(r => r.ExpectationType, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var problems = new List<SuiteProblem>();
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException ex)
        {
            return new SuiteParse(null, [new SuiteProblem("$", $"The document is not valid JSON: {ex.Message}")]);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return new SuiteParse(null, [new SuiteProblem("$", "A suite is a JSON object with suite_name, dataset and expectations.")]);
            }

            var nameKey = root.TryGetProperty("suite_name", out _) || !root.TryGetProperty("expectation_suite_name", out _) ? "suite_name" : "expectation_suite_name";
            var name = root.TryGetProperty(nameKey, out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
            if (NameProblem(name) is { } nameProblem)
            {
                problems.Add(new SuiteProblem($"$.{nameKey}", nameProblem));
            }

            string? dataset = null;
            if (root.TryGetProperty("dataset", out var d) && d.ValueKind != JsonValueKind.Null)
            {
                if (d.ValueKind != JsonValueKind.String || !TableRef.TryParse(d.GetString(), out var table))
                {
                    problems.Add(new SuiteProblem("$.dataset", $"dataset must be a three-part table name (catalog.schema.table), got {d.GetRawText()}."));
                }
                else
                {
                    dataset = table.ToString();
                }
            }

            var expectations = new List<ExpectationConfig>();
            if (!root.TryGetProperty("expectations", out var list) || list.ValueKind != JsonValueKind.Array)
            {
                problems.Add(new SuiteProblem("$.expectations", "expectations is required: a JSON array of {type, kwargs}."));
            }
            else
            {
                var i = 0;
                foreach (var item in list.EnumerateArray())
                {
                    if (ParseExpectation(item, $"$.expectations[{i}]", known, strict, problems) is { } config)
                    {
                        expectations.Add(config);
                    }

                    i++;
                }
            }

            return problems.Count > 0
                ? new SuiteParse(null, problems)
                : new SuiteParse(new ExpectationSuite(name!, dataset, expectations), problems);
        }
    }

    /// <summary>The suite as a document in the seed's shape (what <see cref="Parse"/> reads back).</summary>
    public string ToJson()
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteString("suite_name", Name);
            if (Dataset is not null)
            {
                writer.WriteString("dataset", Dataset);
            }

            writer.WriteStartArray("expectations");
            foreach (var e in Expectations)
            {
                e.WriteTo(writer);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    private static ExpectationConfig? ParseExpectation(JsonElement item, string path, Dictionary<string, IQualityRule> known, bool strict, List<SuiteProblem> problems)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            problems.Add(new SuiteProblem(path, "An expectation is a JSON object with type and kwargs."));
            return null;
        }

        var typeKey = item.TryGetProperty("type", out _) || !item.TryGetProperty("expectation_type", out _) ? "type" : "expectation_type";
        var type = item.TryGetProperty(typeKey, out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        IQualityRule? rule = null;
        if (string.IsNullOrWhiteSpace(type))
        {
            problems.Add(new SuiteProblem($"{path}.type", "type is required: an expectation type such as expect_column_values_to_not_be_null."));
        }
        else if (!known.TryGetValue(type, out rule) && strict)
        {
            var closest = known.Keys.MinBy(k => Distance(k, type));
            var hint = closest is not null && Distance(closest, type) <= Math.Max(2, type.Length / 8) ? $" Did you mean '{closest}'?" : "";
            problems.Add(new SuiteProblem($"{path}.{typeKey}",
                $"unknown expectation type '{type}'.{hint} Known types: {string.Join(", ", known.Keys.Order(StringComparer.Ordinal))}."));
        }

        var kwargs = default(JsonElement);
        if (!item.TryGetProperty("kwargs", out kwargs) || kwargs.ValueKind == JsonValueKind.Null)
        {
            kwargs = s_noKwargs;
        }
        else if (kwargs.ValueKind != JsonValueKind.Object)
        {
            problems.Add(new SuiteProblem($"{path}.kwargs", "kwargs must be a JSON object."));
            return null;
        }

        JsonElement? meta = null;
        if (item.TryGetProperty("meta", out var m) && m.ValueKind != JsonValueKind.Null)
        {
            if (m.ValueKind != JsonValueKind.Object)
            {
                problems.Add(new SuiteProblem($"{path}.meta", "meta must be a JSON object."));
            }
            else
            {
                meta = m.Clone();
            }
        }

        var severity = ExpectationSeverity.Error;
        foreach (var (severityPath, holder) in new[] { ($"{path}.meta.severity", meta), ($"{path}.severity", item) })
        {
            if (holder is { } h && h.TryGetProperty("severity", out var s) && s.ValueKind != JsonValueKind.Null)
            {
                if (s.ValueKind == JsonValueKind.String && ReadSeverity(s.GetString()!) is { } parsed)
                {
                    severity = parsed;
                }
                else
                {
                    problems.Add(new SuiteProblem(severityPath, $"severity must be \"error\" (or \"critical\"), \"warning\" or \"info\", got {s.GetRawText()}."));
                }
            }
        }

        if (rule is not null)
        {
            CheckKwargs(rule, kwargs, $"{path}.kwargs", problems);
        }

        return string.IsNullOrWhiteSpace(type) || (rule is null && strict) ? null : new ExpectationConfig(type, kwargs.Clone(), meta, severity);
    }

    private static void CheckKwargs(IQualityRule rule, JsonElement kwargs, string path, List<SuiteProblem> problems)
    {
        foreach (var property in kwargs.EnumerateObject())
        {
            if (!s_genericKwargs.Contains(property.Name) && !rule.Kwargs.Any(k => k.Name == property.Name))
            {
                problems.Add(new SuiteProblem($"{path}.{property.Name}",
                    $"{rule.ExpectationType} does not take '{property.Name}'; it takes {string.Join(", ", rule.Kwargs.Select(k => k.Name))}."));
            }
        }

        foreach (var spec in rule.Kwargs)
        {
            var present = kwargs.TryGetProperty(spec.Name, out var value) && value.ValueKind != JsonValueKind.Null;
            if (!present)
            {
                if (spec.Required)
                {
                    problems.Add(new SuiteProblem($"{path}.{spec.Name}", $"{spec.Name} is required: {spec.Description}"));
                }

                continue;
            }

            var wrong = spec.Type switch
            {
                ParameterType.String => value.ValueKind != JsonValueKind.String ? "a string" : null,
                ParameterType.Boolean => value.ValueKind is not (JsonValueKind.True or JsonValueKind.False) ? "true or false" : null,
                ParameterType.Array => value.ValueKind != JsonValueKind.Array ? "a JSON array" : null,
                ParameterType.Object => value.ValueKind != JsonValueKind.Object ? "a JSON object" : null,
                ParameterType.Integer => value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out _) ? "a whole number" : null,
                // Bounds may be dates or strings as well as numbers (GE compares any ordered values).
                ParameterType.Number => value.ValueKind is not (JsonValueKind.Number or JsonValueKind.String) ? "a number" : null,
                _ => null,
            };
            if (wrong is not null)
            {
                problems.Add(new SuiteProblem($"{path}.{spec.Name}", $"{spec.Name} must be {wrong}, got {value.GetRawText()}."));
                continue;
            }

            if (value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var number) &&
                ((spec.Minimum is { } min && number < min) || (spec.Maximum is { } max && number > max)))
            {
                problems.Add(new SuiteProblem($"{path}.{spec.Name}",
                    $"{spec.Name} must be between {Format(spec.Minimum)} and {Format(spec.Maximum)}, got {value.GetRawText()}."));
            }

            if (spec.AllowedValues is { } allowed && value.ValueKind == JsonValueKind.String && !allowed.Contains(value.GetString()!))
            {
                problems.Add(new SuiteProblem($"{path}.{spec.Name}", $"{spec.Name} must be one of {string.Join(", ", allowed)}, got {value.GetRawText()}."));
            }
        }
    }

    /// <summary>Edit distance, for suggesting the type a typo meant.</summary>
    private static int Distance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            previous = current;
        }

        return previous[b.Length];
    }

    private static string Format(double? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "any";

    private static ExpectationSeverity? ReadSeverity(string text) => text.ToLowerInvariant() switch
    {
        "error" or "critical" => ExpectationSeverity.Error,
        "warning" or "warn" => ExpectationSeverity.Warning,
        "info" => ExpectationSeverity.Info,
        _ => null,
    };

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9_.\-]{0,199}$")]
    private static partial Regex SuiteName();
}

/// <summary>Writing an expectation back as JSON.</summary>
public static class ExpectationConfigJson
{
    /// <summary>Writes <c>{type, kwargs, meta?, severity?}</c>; severity only when it is not the default.</summary>
    public static void WriteTo(this ExpectationConfig config, Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("type", config.Type);
        writer.WritePropertyName("kwargs");
        config.Kwargs.WriteTo(writer);
        if (config.Meta is { } meta)
        {
            writer.WritePropertyName("meta");
            meta.WriteTo(writer);
        }

        if (config.Severity != ExpectationSeverity.Error && config.Meta?.TryGetProperty("severity", out _) != true)
        {
            writer.WriteString("severity", config.Severity.ToString().ToLowerInvariant());
        }

        writer.WriteEndObject();
    }
}
