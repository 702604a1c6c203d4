using System.Text.Json;
using System.Text.Json.Nodes;
using Cronos;
using Matih.Sdk.Connectors;
using Matih.Sdk.Plugins;

namespace Matih.Core.Connections;

/// <summary>One stream of a connection as the user configured it.</summary>
/// <param name="Name">Stream name (<c>customers</c>).</param>
/// <param name="Mode">Full refresh or incremental.</param>
/// <param name="CursorField">Cursor column for incremental reads without CDC.</param>
public sealed record StreamSetting(string Name, SyncMode Mode, string? CursorField);

/// <summary>A problem in a submitted document, at a JSON path (<c>$.config.port</c>).</summary>
public sealed record DocumentProblem(string Path, string Message);

/// <summary>
/// A connection as submitted: the seed's Airbyte-style document (<c>connector</c>, <c>config</c>, <c>streams</c>,
/// <c>schedule</c>) plus optional <c>name</c> and <c>destination</c>.
/// </summary>
public sealed record ConnectionDefinition(
    string Name,
    string Connector,
    JsonObject Config,
    IReadOnlyList<StreamSetting> Streams,
    string? Cron,
    string DestinationCatalog,
    string? DestinationSchema)
{
    /// <summary>True when the config asks for change data capture (<c>replication_method.method = CDC</c>).</summary>
    public bool IsCdc => Config["replication_method"] is JsonObject method
        && string.Equals(method["method"]?.GetValue<string>(), "CDC", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Reads and checks a connection document against the connector's spec. Every problem is listed with its JSON
    /// path; the definition is null when there is any.
    /// </summary>
    public static (ConnectionDefinition? Definition, IReadOnlyList<DocumentProblem> Problems) Parse(JsonNode? document, Func<string, IConnector?> connectors)
    {
        var problems = new List<DocumentProblem>();
        if (document is not JsonObject root)
        {
            return (null, [new DocumentProblem("$", "Expected a JSON object with connector, config and streams.")]);
        }

        var connectorId = String(root, "connector", "$", problems, required: true);
        var connector = connectorId is null ? null : connectors(connectorId);
        if (connectorId is not null && connector is null)
        {
            problems.Add(new DocumentProblem("$.connector", $"No loaded connector is called '{connectorId}'; see GET /api/plugins."));
        }

        var config = root["config"] as JsonObject;
        if (config is null)
        {
            problems.Add(new DocumentProblem("$.config", "config is required: an object with the connector's settings."));
        }
        else if (connector is not null)
        {
            ParameterValidation.Check(config, connector.Spec.Config, "$.config", problems);
        }

        var streams = new List<StreamSetting>();
        var cdc = config?["replication_method"] is JsonObject m && string.Equals(m["method"]?.GetValue<string>(), "CDC", StringComparison.OrdinalIgnoreCase);
        if (root["streams"] is not JsonArray list || list.Count == 0)
        {
            problems.Add(new DocumentProblem("$.streams", "streams is required: a list of {name, sync_mode, cursor_field}."));
        }
        else
        {
            var names = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < list.Count; i++)
            {
                var at = $"$.streams[{i}]";
                if (list[i] is not JsonObject stream)
                {
                    problems.Add(new DocumentProblem(at, "Expected an object with name and sync_mode."));
                    continue;
                }

                var name = String(stream, "name", at, problems, required: true);
                var modeText = String(stream, "sync_mode", at, problems, required: true);
                var cursor = String(stream, "cursor_field", at, problems, required: false);
                SyncMode? mode = modeText switch
                {
                    "full_refresh" => SyncMode.FullRefresh,
                    "incremental" => SyncMode.Incremental,
                    null => null,
                    _ => null,
                };
                if (modeText is not null && mode is null)
                {
                    problems.Add(new DocumentProblem($"{at}.sync_mode", $"'{modeText}' is not a sync mode; use full_refresh or incremental."));
                }

                if (mode == SyncMode.Incremental && cursor is null && !cdc)
                {
                    problems.Add(new DocumentProblem($"{at}.cursor_field", "Incremental streams need a cursor_field unless the connection uses CDC."));
                }

                if (name is not null && !names.Add(name))
                {
                    problems.Add(new DocumentProblem($"{at}.name", $"Stream '{name}' is listed twice."));
                }

                if (name is not null && mode is not null)
                {
                    streams.Add(new StreamSetting(name, mode.Value, cursor));
                }
            }
        }

        string? cron = null;
        if (root["schedule"] is JsonObject schedule)
        {
            var type = String(schedule, "type", "$.schedule", problems, required: true);
            cron = String(schedule, "expression", "$.schedule", problems, required: type == "cron");
            if (type is not null and not "cron" and not "manual")
            {
                problems.Add(new DocumentProblem("$.schedule.type", $"'{type}' is not a schedule type; use cron or manual."));
            }

            if (type == "manual")
            {
                cron = null;
            }
            else if (cron is not null && CronProblem(cron) is { } cronProblem)
            {
                problems.Add(new DocumentProblem("$.schedule.expression", cronProblem));
            }
        }
        else if (root["schedule"] is not null)
        {
            problems.Add(new DocumentProblem("$.schedule", "schedule must be an object like {\"type\": \"cron\", \"expression\": \"0 * * * *\"}."));
        }

        var destination = root["destination"] as JsonObject;
        var catalog = destination is null ? "postgresql" : String(destination, "catalog", "$.destination", problems, required: false) ?? "postgresql";
        var schemaName = destination is null ? null : String(destination, "schema", "$.destination", problems, required: false);
        if (!System.Text.RegularExpressions.Regex.IsMatch(catalog, "^[a-z][a-z0-9_]*$"))
        {
            problems.Add(new DocumentProblem("$.destination.catalog", "A catalog name is lower-case letters, digits and underscores, starting with a letter."));
        }

        var displayName = root["name"] is JsonValue nameValue && nameValue.TryGetValue<string>(out var given) && !string.IsNullOrWhiteSpace(given)
            ? given
            : $"{connectorId} {config?["database"]?.ToString() ?? config?["host"]?.ToString() ?? ""}".Trim();
        if (problems.Count > 0)
        {
            return (null, problems);
        }

        return (new ConnectionDefinition(displayName, connectorId!, (JsonObject)config!.DeepClone(), streams, cron, catalog, schemaName), problems);
    }

    /// <summary>Why <paramref name="cron"/> is not a valid five-field cron expression, or null.</summary>
    public static string? CronProblem(string cron)
    {
        try
        {
            CronExpression.Parse(cron, CronFormat.Standard);
            return null;
        }
        catch (CronFormatException e)
        {
            return $"'{cron}' is not a valid cron expression (minute hour day month weekday): {e.Message}";
        }
    }

    private static string? String(JsonObject parent, string key, string at, List<DocumentProblem> problems, bool required)
    {
        var node = parent[key];
        if (node is null)
        {
            if (required)
            {
                problems.Add(new DocumentProblem($"{at}.{key}", $"{key} is required."));
            }

            return null;
        }

        if (node is JsonValue value && value.TryGetValue<string>(out var text))
        {
            return text;
        }

        problems.Add(new DocumentProblem($"{at}.{key}", $"{key} must be a string."));
        return null;
    }
}
