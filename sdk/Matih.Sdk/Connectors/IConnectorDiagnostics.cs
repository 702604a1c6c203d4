using System.Text.Json;

namespace Matih.Sdk.Connectors;

/// <summary>
/// Optional: a connector that can say how its source is doing beyond a check — a replication slot's lag, WAL
/// retained, an API quota. Implement it on the same class as <see cref="IConnector"/>; the Sources page shows the
/// result and highlights warnings.
/// </summary>
public interface IConnectorDiagnostics
{
    /// <summary>Reads the source's current figures. Cheap enough to call every few seconds.</summary>
    Task<IReadOnlyList<SourceFigure>> DiagnoseAsync(JsonElement config, CancellationToken cancellationToken);
}

/// <summary>One figure about a source.</summary>
/// <param name="Name">What it measures (<c>slot_lag_bytes</c>).</param>
/// <param name="Value">The value, formatted for people (<c>12.4 MB</c>).</param>
/// <param name="Warning">Why this figure needs attention, or null when it is fine.</param>
public sealed record SourceFigure(string Name, string Value, string? Warning = null)
{
    /// <summary>The raw number, for charts and thresholds.</summary>
    public double? Number { get; init; }
}
