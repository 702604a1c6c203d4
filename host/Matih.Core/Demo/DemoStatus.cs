namespace Matih.Core.Demo;

/// <summary>Where the demo stands.</summary>
public enum DemoState
{
    /// <summary>Turned off with <c>--no-demo</c>.</summary>
    Off,
    /// <summary>Being loaded in the background.</summary>
    Loading,
    /// <summary>Loaded and queryable.</summary>
    Ready,
    /// <summary>Could not be loaded; see the message.</summary>
    Unavailable,
}

/// <summary>The demo's state, for the home page and <c>/health</c>.</summary>
public sealed class DemoStatus
{
    private volatile Snapshot _current = new(DemoState.Off, "");

    /// <summary>The state now.</summary>
    public DemoState State => _current.State;

    /// <summary>What happened, in words.</summary>
    public string Message => _current.Message;

    /// <summary>Records a new state.</summary>
    public void Set(DemoState state, string message) => _current = new Snapshot(state, message);

    private sealed record Snapshot(DemoState State, string Message);
}
