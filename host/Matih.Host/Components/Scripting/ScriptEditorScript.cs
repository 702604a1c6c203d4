using Matih.Scripting.Protocol;
using Microsoft.JSInterop;

namespace Matih.Host.Components.Scripting;

/// <summary>
/// The Script Console's JS module (<c>wwwroot/script-console.js</c>): registers Monaco's C# completion and signature
/// help providers, which call back into the page, and shows diagnostics as markers.
/// </summary>
public sealed class ScriptEditorScript(IJSRuntime js) : IAsyncDisposable
{
    private IJSObjectReference? _module;

    /// <summary>Routes the editor's completion requests to <paramref name="page"/>'s <c>Complete(code, offset)</c>.</summary>
    public async Task AttachAsync<T>(DotNetObjectReference<T> page)
        where T : class =>
        await (await ModuleAsync()).InvokeVoidAsync("attach", page);

    /// <summary>Marks <paramref name="diagnostics"/> in editor <paramref name="editorId"/>.</summary>
    public async Task ShowDiagnosticsAsync(string editorId, IReadOnlyList<ScriptDiagnostic> diagnostics) =>
        await (await ModuleAsync()).InvokeVoidAsync("showDiagnostics", editorId, diagnostics);

    /// <summary>Removes the markers.</summary>
    public async Task ClearDiagnosticsAsync(string editorId) =>
        await (await ModuleAsync()).InvokeVoidAsync("clearDiagnostics", editorId);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_module is not null)
        {
            try
            {
                await _module.InvokeVoidAsync("detach");
                await _module.DisposeAsync();
            }
            catch (JSDisconnectedException)
            {
                // The tab is gone, and the module with it.
            }
        }
    }

    private async Task<IJSObjectReference> ModuleAsync() =>
        _module ??= await js.InvokeAsync<IJSObjectReference>("import", "./script-console.js");
}
