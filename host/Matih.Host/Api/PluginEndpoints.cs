using Matih.Core.Plugins;
using Matih.Host.Auth;

namespace Matih.Host.Api;

/// <summary><c>GET /api/plugins</c>: every plugin with its state and, when faulted, why.</summary>
public static class PluginEndpoints
{
    /// <summary>A plugin as the API shows it.</summary>
    public sealed record PluginView(string id, string? name, string? kind, string? version, int? sdk_major, string state, string? error, string? description, IReadOnlyList<string> contributions);

    /// <summary>Maps the plugin routes.</summary>
    public static void MapPluginEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/plugins", (InstalledPlugins plugins) => plugins.Statuses.Select(ToView))
            .RequireAuthorization(Roles.Viewer)
            .WithTags("Plugins");
    }

    private static PluginView ToView(PluginStatus s) =>
        new(s.Id, s.Name, s.Kind, s.Version, s.SdkMajor, s.State.ToString().ToLowerInvariant(), s.Error, s.Description, s.Contributions);
}
