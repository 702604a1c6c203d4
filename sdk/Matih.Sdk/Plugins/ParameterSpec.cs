using System.Text.Json.Nodes;

namespace Matih.Sdk.Plugins;

/// <summary>The JSON type of a parameter, as the form generator and the validators see it.</summary>
public enum ParameterType
{
    /// <summary>A JSON string.</summary>
    String,
    /// <summary>A whole number.</summary>
    Integer,
    /// <summary>Any number.</summary>
    Number,
    /// <summary>true or false.</summary>
    Boolean,
    /// <summary>A JSON array (of strings unless described otherwise).</summary>
    Array,
    /// <summary>A JSON object with its own <see cref="ParameterSpec.Properties"/>.</summary>
    Object,
    /// <summary>A duration such as <c>30s</c>, <c>5m</c>, <c>7d</c>.</summary>
    Duration,
    /// <summary>A cron expression such as <c>0 4 * * *</c>.</summary>
    Cron,
    /// <summary>Multi-line SQL.</summary>
    Sql,
}

/// <summary>
/// Describes one parameter a plugin accepts: a connector's config field, a plugin setting, an expectation's kwarg,
/// a trainer's hyperparameter or a task's config entry. The workbench builds forms from these and the host
/// validates documents against them, naming the JSON path of each problem.
/// </summary>
/// <param name="Name">Key in the JSON document (<c>replication_slot</c>).</param>
/// <param name="Type">JSON type.</param>
/// <param name="Description">One sentence for the form's help text.</param>
public sealed record ParameterSpec(string Name, ParameterType Type, string Description)
{
    /// <summary>Whether the document must contain it.</summary>
    public bool Required { get; init; }

    /// <summary>The value used when absent.</summary>
    public JsonNode? Default { get; init; }

    /// <summary>Inclusive lower bound for numbers.</summary>
    public double? Minimum { get; init; }

    /// <summary>Inclusive upper bound for numbers.</summary>
    public double? Maximum { get; init; }

    /// <summary>The only values allowed, for enumerations.</summary>
    public IReadOnlyList<string>? AllowedValues { get; init; }

    /// <summary>A secret: write-only in the UI and API, never logged. Values may be <c>${NAME}</c> references.</summary>
    public bool Secret { get; init; }

    /// <summary>Nested parameters when <see cref="Type"/> is <see cref="ParameterType.Object"/>.</summary>
    public IReadOnlyList<ParameterSpec>? Properties { get; init; }

    /// <summary>
    /// For an <see cref="ParameterType.Object"/> whose keys the user chooses (a map such as Slack channel to webhook
    /// URL): what every value must be. Its <see cref="Name"/> labels the keys in forms (<c>channel</c>). Added in SDK 1.1.
    /// </summary>
    public ParameterSpec? Values { get; init; }
}
