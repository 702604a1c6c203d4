using System.Globalization;
using Matih.Core.Plugins;
using Matih.Host.Api;
using Matih.Host.Auth;
using Matih.Sdk.Plugins;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Forms;
using MudBlazor;

namespace Matih.Host.Components.Pages;

/// <summary>
/// The Plugins page: every plugin from plugins.json with its state and the reason when it is faulted. Admins also
/// enable and disable plugins, edit their settings and install new ones, through the same <see cref="PluginChanges"/>
/// the API uses; the page says which entries wait for a restart.
/// </summary>
public partial class Plugins
{
    private IReadOnlyList<PluginOverview> _plugins = [];
    private PluginOverview? _editing;
    private bool _isAdmin;
    private string _actor = "";
    private string? _message;
    private bool _messageIsError;
    private string? _installPath;
    private bool _installEnabled;
    private bool _installing;

    [Inject]
    private PluginChanges Changes { get; set; } = default!;

    [CascadingParameter]
    private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    /// <inheritdoc />
    protected override async Task OnInitializedAsync()
    {
        var user = (await AuthenticationState).User;
        _isAdmin = user.FindFirst(TokenIssuer.RoleClaim)?.Value == Roles.Admin;
        _actor = Roles.Caller(user).UserName;
        _plugins = Changes.List();
    }

    private static bool HasNothingToExpand(PluginOverview plugin) =>
        plugin.Status.Contributions.Count == 0 && plugin.Status.Path is null && plugin.Status.Description is null && plugin.DeclaredSettings.Count == 0;

    private static string RowClass(PluginOverview plugin, int index) =>
        $"plugin-row plugin-{StateName(plugin.Status.State)}{(plugin.PendingRestart ? " plugin-pending-restart" : "")}";

    /// <summary>The state as the API writes it: <c>loaded</c>, <c>faulted</c>, <c>disabled</c>.</summary>
    private static string StateName(PluginState state) => state.ToString().ToLowerInvariant();

    private static Color StateColor(PluginState state) => state switch
    {
        PluginState.Loaded => Color.Success,
        PluginState.Faulted => Color.Error,
        _ => Color.Default,
    };

    // One line per declared setting: "email.port (integer, 1 to 65535): SMTP port."
    private static IEnumerable<string> SettingLines(IReadOnlyList<ParameterSpec> specs, string prefix)
    {
        foreach (var spec in specs)
        {
            var name = prefix + spec.Name;
            var facts = new List<string> { spec.Values is null ? spec.Type.ToString().ToLowerInvariant() : $"map of {spec.Values.Name}" };
            if (spec.Required)
            {
                facts.Add("required");
            }

            if (spec.Secret || spec.Values?.Secret == true)
            {
                facts.Add("secret");
            }

            if (spec.Minimum is not null || spec.Maximum is not null)
            {
                facts.Add(string.Create(CultureInfo.InvariantCulture, $"{spec.Minimum?.ToString(CultureInfo.InvariantCulture) ?? ""} to {spec.Maximum?.ToString(CultureInfo.InvariantCulture) ?? ""}").Trim());
            }

            yield return $"{name} ({string.Join(", ", facts)}): {spec.Description}";
            if (spec.Properties is { } nested)
            {
                foreach (var line in SettingLines(nested, name + "."))
                {
                    yield return line;
                }
            }
        }
    }

    private void Edit(PluginOverview plugin) => _editing = Changes.Find(plugin.Id);

    private async Task SetEnabledAsync(PluginOverview plugin, bool enabled)
    {
        Show(await Changes.SetEnabledAsync(plugin.Id, enabled, _actor), $"{plugin.Id} {(enabled ? "enabled" : "disabled")} in plugins.json.");
    }

    private Task SettingsSavedAsync(PluginOverview plugin)
    {
        _editing = null;
        _plugins = Changes.List();
        _message = $"Settings of {plugin.Id} saved to plugins.json. They apply when the host restarts.";
        _messageIsError = false;
        return Task.CompletedTask;
    }

    private async Task InstallFromFolderAsync()
    {
        _installing = true;
        try
        {
            var change = await Changes.InstallFromFolderAsync(_installPath?.Trim() ?? "", _installEnabled, copy: true, _actor);
            Show(change, change.Plugin is { } installed ? $"{installed.Id} {installed.Status.Version} installed." : "");
        }
        finally
        {
            _installing = false;
        }
    }

    private async Task InstallFromZipAsync(IBrowserFile? file)
    {
        if (file is null)
        {
            return;
        }

        _installing = true;
        try
        {
            await using var upload = file.OpenReadStream(PluginEndpoints.MaxZipBytes);
            // The zip reader needs to seek; the browser stream cannot.
            using var buffer = new MemoryStream();
            await upload.CopyToAsync(buffer);
            buffer.Position = 0;
            var change = await Changes.InstallFromZipAsync(buffer, file.Name, _installEnabled, _actor);
            Show(change, change.Plugin is { } installed ? $"{installed.Id} {installed.Status.Version} installed from {file.Name}." : "");
        }
        finally
        {
            _installing = false;
        }
    }

    private void Show(PluginChange change, string success)
    {
        _plugins = Changes.List();
        _messageIsError = !change.Succeeded;
        _message = change.Succeeded
            ? $"{success} It applies when the host restarts."
            : string.Join(" ", change.Problems.Select(p => p.Message));
    }
}
