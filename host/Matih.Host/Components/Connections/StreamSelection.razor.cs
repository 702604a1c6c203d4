using Matih.Sdk.Connectors;
using Microsoft.AspNetCore.Components;

namespace Matih.Host.Components.Connections;

/// <summary>Lets the user pick the streams of a connection and how each is read.</summary>
public partial class StreamSelection
{
    private static readonly SyncMode[] s_allModes = [SyncMode.FullRefresh, SyncMode.Incremental];

    /// <summary>The streams, changed in place as the user picks.</summary>
    [Parameter, EditorRequired]
    public IReadOnlyList<StreamChoice> Streams { get; set; } = [];

    /// <summary>True when the connection uses CDC: incremental streams then need no cursor.</summary>
    [Parameter]
    public bool Cdc { get; set; }

    /// <summary>Raised after every change.</summary>
    [Parameter]
    public EventCallback OnChanged { get; set; }

    private static IReadOnlyList<SyncMode> ModesOf(StreamChoice stream) =>
        stream.Discovered is { SupportedSyncModes.Count: > 0 } found ? found.SupportedSyncModes : s_allModes;

    // The cursor from a pasted document stays selectable even when discovery does not list it.
    private static IEnumerable<string> CursorsOf(StreamChoice stream) =>
        (stream.Discovered?.CursorCandidates ?? []).Concat(stream.CursorField is { } chosen ? [chosen] : []).Distinct(StringComparer.Ordinal);

    private Task SetIncludeAsync(StreamChoice stream, bool include)
    {
        stream.Include = include;
        return OnChanged.InvokeAsync();
    }

    private Task SetModeAsync(StreamChoice stream, SyncMode mode)
    {
        stream.Mode = mode;
        return OnChanged.InvokeAsync();
    }

    private Task SetCursorAsync(StreamChoice stream, string? cursor)
    {
        stream.CursorField = cursor;
        return OnChanged.InvokeAsync();
    }
}
