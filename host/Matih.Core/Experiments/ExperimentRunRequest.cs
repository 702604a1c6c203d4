using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Matih.Core.Connections;
using Matih.Core.Warehouse;
using Matih.Sdk.Data;
using Matih.Sdk.Training;

namespace Matih.Core.Experiments;

/// <summary>How held-out rows are chosen.</summary>
/// <param name="Fraction">Share of rows held out for the metrics (0.2 = 20 %).</param>
/// <param name="Seed">Seed of the random split and of the trainer.</param>
/// <param name="TimeColumn">When set, the latest rows by this column are held out instead of random ones.</param>
public sealed record RunSplit(double Fraction, int Seed, string? TimeColumn);

/// <summary>A checked request to train one run.</summary>
/// <param name="Name">The run's name, unique within its experiment.</param>
/// <param name="Trainer">The trainer id.</param>
/// <param name="Table">The feature table.</param>
/// <param name="Label">The label column (0/1 or true/false).</param>
/// <param name="NumericFeatures">Numeric features, in the order given.</param>
/// <param name="CategoricalFeatures">Categorical features, in the order given.</param>
/// <param name="Params">Hyperparameters as given.</param>
/// <param name="Split">The split.</param>
/// <param name="Tags">Free-form tags.</param>
public sealed record ExperimentRunRequest(
    string Name,
    string Trainer,
    TableRef Table,
    string Label,
    IReadOnlyList<string> NumericFeatures,
    IReadOnlyList<string> CategoricalFeatures,
    JsonObject Params,
    RunSplit Split,
    IReadOnlyDictionary<string, string> Tags)
{
    /// <summary>Default share of held-out rows.</summary>
    public const double DefaultFraction = 0.2;

    /// <summary>Default seed.</summary>
    public const int DefaultSeed = 42;

    /// <summary>Every feature: numeric then categorical.</summary>
    public IReadOnlyList<string> Features => NumericFeatures.Concat(CategoricalFeatures).ToArray();
}

/// <summary>Checks a run request document against the loaded trainers and the warehouse, naming the JSON path of every problem.</summary>
public static partial class ExperimentRunRequests
{
    /// <summary>Whether <paramref name="name"/> can name an experiment or a run (it also names a folder).</summary>
    public static bool IsValidName(string? name) => name is not null && NamePattern().IsMatch(name);

    /// <summary>What a valid name looks like, for messages.</summary>
    public const string NameRule = "1 to 100 letters, digits, '.', '_' or '-', starting with a letter or digit";

    /// <summary>Reads and checks <paramref name="document"/>; returns the request or the problems.</summary>
    public static async Task<(ExperimentRunRequest? Request, IReadOnlyList<DocumentProblem> Problems)> CheckAsync(
        JsonNode? document, IEnumerable<ITrainer> trainers, DuckDbWarehouse warehouse, CancellationToken cancellationToken)
    {
        var problems = new List<DocumentProblem>();
        // Values built in code (JsonValue.Create(31)) convert only to their own type; parsed ones convert freely.
        document = document is null ? null : JsonNode.Parse(document.ToJsonString());
        if (document is not JsonObject body)
        {
            return (null, [new DocumentProblem("$", "The body must be a JSON object with name, trainer, table, label and features.")]);
        }

        var name = Text(body, "name", problems, required: true);
        if (name is not null && !IsValidName(name))
        {
            problems.Add(new DocumentProblem("name", $"'{name}' is not a run name: use {NameRule}."));
        }

        var trainerId = Text(body, "trainer", problems, required: true);
        var available = trainers.ToArray();
        var trainer = trainerId is null ? null : available.FirstOrDefault(t => t.Id == trainerId);
        if (trainerId is not null && trainer is null)
        {
            var known = available.Length == 0 ? "no trainer plugin is loaded; see the Plugins page" : $"use one of {string.Join(", ", available.Select(t => t.Id))}";
            problems.Add(new DocumentProblem("trainer", $"'{trainerId}' is not a loaded trainer; {known}."));
        }

        var tableText = Text(body, "table", problems, required: true);
        TableSchema? schema = null;
        TableRef? table = null;
        if (tableText is not null)
        {
            if (!TableRef.TryParse(tableText, out var parsed))
            {
                problems.Add(new DocumentProblem("table", $"'{tableText}' is not a table name; write catalog.schema.table, e.g. analytics.derived.churn_features."));
            }
            else
            {
                table = parsed;
                schema = await warehouse.GetSchemaAsync(parsed, cancellationToken).ConfigureAwait(false);
                if (schema is null)
                {
                    problems.Add(new DocumentProblem("table", $"The warehouse has no table {parsed}."));
                }
            }
        }

        var label = Text(body, "label", problems, required: true);
        if (label is not null && schema is not null)
        {
            var column = schema.Find(label);
            if (column is null)
            {
                problems.Add(new DocumentProblem("label", $"{table} has no column '{label}'; it has {ColumnList(schema)}."));
            }
            else if (!(column.Type is ColumnType.Boolean or ColumnType.String || column.Type.IsNumeric()))
            {
                problems.Add(new DocumentProblem("label", $"'{label}' is {column.SourceType ?? column.Type.ToString()}; a binary label must hold 0/1 or true/false."));
            }
        }

        var (numeric, categorical) = Features(body, schema, table, label, problems);
        var parameters = Parameters(body, trainer, problems);
        var split = Split(body, schema, table, problems);
        var tags = Tags(body, problems);

        foreach (var property in body)
        {
            if (!s_fields.Contains(property.Key))
            {
                problems.Add(new DocumentProblem(property.Key, $"'{property.Key}' is not a run field; the fields are {string.Join(", ", s_fields)}."));
            }
        }

        if (problems.Count > 0)
        {
            return (null, problems);
        }

        return (new ExperimentRunRequest(name!, trainer!.Id, table!, label!, numeric, categorical, parameters, split, tags), []);
    }

    /// <summary>Every hyperparameter in force: the given ones, and each spec's default for the rest.</summary>
    public static JsonObject Resolve(ITrainer trainer, JsonObject given)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        ArgumentNullException.ThrowIfNull(given);
        var resolved = new JsonObject();
        foreach (var spec in trainer.Hyperparameters)
        {
            var value = given[spec.Name] ?? spec.Default;
            if (value is not null)
            {
                resolved[spec.Name] = value.DeepClone();
            }
        }

        return resolved;
    }

    private static readonly string[] s_fields = ["name", "trainer", "table", "label", "features", "params", "split", "tags"];

    private static (string[] Numeric, string[] Categorical) Features(JsonObject body, TableSchema? schema, TableRef? table, string? label, List<DocumentProblem> problems)
    {
        var numeric = new List<string>();
        var categorical = new List<string>();
        var node = body["features"];
        switch (node)
        {
            case null:
                problems.Add(new DocumentProblem("features", "features is required: the feature columns, as a list (types taken from the table) or as {\"numeric\": [...], \"categorical\": [...]}."));
                break;
            case JsonArray list:
                foreach (var (column, path) in Names(list, "features", problems))
                {
                    var found = Column(column, path, schema, table, problems);
                    if (found is null)
                    {
                        continue;
                    }

                    if (found.Type.IsNumeric() || found.Type == ColumnType.Boolean)
                    {
                        numeric.Add(column);
                    }
                    else if (found.Type == ColumnType.String)
                    {
                        categorical.Add(column);
                    }
                    else
                    {
                        problems.Add(new DocumentProblem(path, $"'{column}' is {found.SourceType ?? found.Type.ToString()}, which is neither a number nor a category; derive a number from it (days since, a count) or leave it out."));
                    }
                }

                break;
            case JsonObject typed:
                foreach (var property in typed)
                {
                    if (property.Key is not ("numeric" or "categorical"))
                    {
                        problems.Add(new DocumentProblem($"features.{property.Key}", "features as an object takes only 'numeric' and 'categorical' lists."));
                    }
                }

                foreach (var (column, path) in Names(typed["numeric"] as JsonArray, "features.numeric", problems))
                {
                    var found = Column(column, path, schema, table, problems);
                    if (found is not null && !(found.Type.IsNumeric() || found.Type == ColumnType.Boolean))
                    {
                        problems.Add(new DocumentProblem(path, $"'{column}' is {found.SourceType ?? found.Type.ToString()}, not a number; list it under categorical."));
                    }
                    else if (found is not null)
                    {
                        numeric.Add(column);
                    }
                }

                foreach (var (column, path) in Names(typed["categorical"] as JsonArray, "features.categorical", problems))
                {
                    if (Column(column, path, schema, table, problems) is not null)
                    {
                        categorical.Add(column);
                    }
                }

                if (typed["numeric"] is not (null or JsonArray) || typed["categorical"] is not (null or JsonArray))
                {
                    problems.Add(new DocumentProblem("features", "numeric and categorical must be lists of column names."));
                }

                break;
            default:
                problems.Add(new DocumentProblem("features", "features must be a list of column names or {\"numeric\": [...], \"categorical\": [...]}."));
                break;
        }

        var all = numeric.Concat(categorical).ToArray();
        if (node is not null && all.Length == 0 && !problems.Any(p => p.Path.StartsWith("features", StringComparison.Ordinal)))
        {
            problems.Add(new DocumentProblem("features", "At least one feature is needed."));
        }

        foreach (var duplicate in all.GroupBy(f => f, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            problems.Add(new DocumentProblem("features", $"'{duplicate.Key}' is listed more than once."));
        }

        if (label is not null && all.Contains(label, StringComparer.Ordinal))
        {
            problems.Add(new DocumentProblem("features", $"'{label}' is the label; a model cannot use its own answer as a feature."));
        }

        return (numeric.ToArray(), categorical.ToArray());
    }

    private static IEnumerable<(string Column, string Path)> Names(JsonArray? list, string at, List<DocumentProblem> problems)
    {
        if (list is null)
        {
            yield break;
        }

        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] is JsonValue value && value.TryGetValue<string>(out var column) && !string.IsNullOrWhiteSpace(column))
            {
                yield return (column, $"{at}[{i}]");
            }
            else
            {
                problems.Add(new DocumentProblem($"{at}[{i}]", "must be a column name."));
            }
        }
    }

    private static ColumnSchema? Column(string column, string path, TableSchema? schema, TableRef? table, List<DocumentProblem> problems)
    {
        if (schema is null)
        {
            return null;
        }

        var found = schema.Find(column);
        if (found is null)
        {
            problems.Add(new DocumentProblem(path, $"{table} has no column '{column}'."));
        }

        return found;
    }

    private static JsonObject Parameters(JsonObject body, ITrainer? trainer, List<DocumentProblem> problems)
    {
        var node = body["params"];
        if (node is null)
        {
            return [];
        }

        if (node is not JsonObject given)
        {
            problems.Add(new DocumentProblem("params", "params must be an object of hyperparameters."));
            return [];
        }

        if (trainer is null)
        {
            return (JsonObject)given.DeepClone();
        }

        ParameterValidation.Check(given, trainer.Hyperparameters, "params", problems);
        foreach (var property in given)
        {
            if (trainer.Hyperparameters.All(s => s.Name != property.Key))
            {
                problems.Add(new DocumentProblem($"params.{property.Key}",
                    $"{trainer.Id} has no hyperparameter '{property.Key}'; it takes {string.Join(", ", trainer.Hyperparameters.Select(s => s.Name))}."));
            }
        }

        return (JsonObject)given.DeepClone();
    }

    private static RunSplit Split(JsonObject body, TableSchema? schema, TableRef? table, List<DocumentProblem> problems)
    {
        var split = new RunSplit(ExperimentRunRequest.DefaultFraction, ExperimentRunRequest.DefaultSeed, null);
        var node = body["split"];
        if (node is null)
        {
            return split;
        }

        if (node is not JsonObject given)
        {
            problems.Add(new DocumentProblem("split", "split must be an object: {\"fraction\": 0.2, \"seed\": 42} or {\"fraction\": 0.2, \"time_column\": \"signup_date\"}."));
            return split;
        }

        foreach (var property in given)
        {
            if (property.Key is not ("fraction" or "seed" or "time_column"))
            {
                problems.Add(new DocumentProblem($"split.{property.Key}", "split takes fraction, seed and time_column."));
            }
        }

        if (given["fraction"] is { } fractionNode)
        {
            if (fractionNode.GetValueKind() != JsonValueKind.Number || fractionNode.GetValue<double>() is not (> 0 and < 1))
            {
                problems.Add(new DocumentProblem("split.fraction", "must be a number between 0 and 1 (exclusive): the share of rows held out for the metrics."));
            }
            else
            {
                split = split with { Fraction = fractionNode.GetValue<double>() };
            }
        }

        if (given["seed"] is { } seedNode)
        {
            if (seedNode.GetValueKind() != JsonValueKind.Number || !int.TryParse(seedNode.ToJsonString(), out var seed))
            {
                problems.Add(new DocumentProblem("split.seed", "must be a whole number."));
            }
            else
            {
                split = split with { Seed = seed };
            }
        }

        if (given["time_column"] is { } timeNode)
        {
            if (timeNode.GetValueKind() != JsonValueKind.String)
            {
                problems.Add(new DocumentProblem("split.time_column", "must be a column name."));
            }
            else
            {
                var column = timeNode.GetValue<string>();
                var found = Column(column, "split.time_column", schema, table, problems);
                if (found is not null && !(found.Type is ColumnType.Date or ColumnType.Timestamp or ColumnType.TimestampTz || found.Type.IsNumeric()))
                {
                    problems.Add(new DocumentProblem("split.time_column", $"'{column}' is {found.SourceType ?? found.Type.ToString()}; a time column must be a date, a timestamp or a number."));
                }

                split = split with { TimeColumn = column };
            }
        }

        return split;
    }

    private static Dictionary<string, string> Tags(JsonObject body, List<DocumentProblem> problems)
    {
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        var node = body["tags"];
        if (node is null)
        {
            return tags;
        }

        if (node is not JsonObject given)
        {
            problems.Add(new DocumentProblem("tags", "tags must be an object of strings, e.g. {\"team\": \"data-science\"}."));
            return tags;
        }

        foreach (var (key, value) in given)
        {
            if (value is JsonValue text && text.TryGetValue<string>(out var tag))
            {
                tags[key] = tag;
            }
            else
            {
                problems.Add(new DocumentProblem($"tags.{key}", "must be a string."));
            }
        }

        return tags;
    }

    private static string? Text(JsonObject body, string field, List<DocumentProblem> problems, bool required)
    {
        var node = body[field];
        if (node is null)
        {
            if (required)
            {
                problems.Add(new DocumentProblem(field, $"{field} is required."));
            }

            return null;
        }

        if (node is JsonValue value && value.TryGetValue<string>(out var text) && !string.IsNullOrWhiteSpace(text))
        {
            return text;
        }

        problems.Add(new DocumentProblem(field, $"{field} must be a non-empty string."));
        return null;
    }

    private static string ColumnList(TableSchema schema) =>
        string.Join(", ", schema.Columns.Take(30).Select(c => c.Name)) + (schema.Columns.Count > 30 ? ", ..." : "");

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")]
    private static partial Regex NamePattern();
}
