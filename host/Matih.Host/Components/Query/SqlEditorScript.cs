using Microsoft.JSInterop;

namespace Matih.Host.Components.Query;

/// <summary>
/// The Query Editor's JS module (<c>wwwroot/query-editor.js</c>): what BlazorMonaco 3.0 does not expose, name
/// completion and error markers, called on the editor BlazorMonaco created.
/// </summary>
public sealed class SqlEditorScript(IJSRuntime js) : IAsyncDisposable
{
    private IJSObjectReference? _module;

    /// <summary>Gives the completion provider the catalog's names (registering it on first use in the tab).</summary>
    public async Task SetNamesAsync(IReadOnlyList<SqlTableName> names) =>
        await (await ModuleAsync()).InvokeVoidAsync("setNames", names);

    /// <summary>Marks the fault's position in editor <paramref name="editorId"/>: a squiggle with the message and the line highlighted.</summary>
    public async Task ShowFaultAsync(string editorId, int line, int? column, string message) =>
        await (await ModuleAsync()).InvokeVoidAsync("showFault", editorId, line, column, message);

    /// <summary>Removes the fault's marks.</summary>
    public async Task ClearFaultAsync(string editorId) =>
        await (await ModuleAsync()).InvokeVoidAsync("clearFault", editorId);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_module is not null)
        {
            try
            {
                await _module.DisposeAsync();
            }
            catch (JSDisconnectedException)
            {
                // The tab is gone, and the module with it.
            }
        }
    }

    private async Task<IJSObjectReference> ModuleAsync() =>
        _module ??= await js.InvokeAsync<IJSObjectReference>("import", "./query-editor.js");
}
