using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Nodes;
using Matih.Core.Plugins;
using Matih.Host.Auth;
using Matih.Sdk.Plugins;
using Microsoft.AspNetCore.Mvc;

namespace Matih.Host.Api;

/// <summary>
/// <c>/api/plugins</c>: every plugin with its state (any signed-in user); for admins, one plugin with its settings
/// (secrets masked), enable/disable, settings changes and installs. Changes are written to plugins.json and apply
/// when the host restarts: every change answers <c>restart_required: true</c>.
/// </summary>
public static class PluginEndpoints
{
    /// <summary>Largest plugin zip accepted.</summary>
    public const long MaxZipBytes = 256L * 1024 * 1024;

    private const string RestartMessage = "Saved to plugins.json. The change applies when the host restarts.";

    /// <summary>A plugin as the list shows it.</summary>
    public sealed record PluginView(string id, string? name, string? kind, string? version, int? sdk_major, string state, string? error, string? description,
        IReadOnlyList<string> contributions, bool enabled, bool pending_restart);

    /// <summary>A plugin with its settings: secrets masked, and each secret setting as "set" or "not set".</summary>
    public sealed record PluginDetail(string id, string? name, string? kind, string? version, int? sdk_major, string state, string? error, string? description,
        IReadOnlyList<string> contributions, bool enabled, bool pending_restart, string? path, JsonObject settings, IReadOnlyDictionary<string, string> secrets,
        IReadOnlyList<SettingView> declared_settings);

    /// <summary>A declared setting (<see cref="ParameterSpec"/>) as JSON.</summary>
    public sealed record SettingView(string name, string type, string description, bool required, JsonNode? @default, double? minimum, double? maximum,
        IReadOnlyList<string>? allowed_values, bool secret, IReadOnlyList<SettingView>? properties, SettingView? values);

    /// <summary>The answer to a change.</summary>
    public sealed record ChangeView(bool restart_required, string message, PluginDetail plugin);

    /// <summary>Body of <c>PUT /api/plugins/{id}/enabled</c>.</summary>
    public sealed record EnabledRequest(bool? enabled);

    /// <summary>Body of <c>PUT /api/plugins/{id}/settings</c>. A secret sent as <c>********</c> keeps its stored value.</summary>
    public sealed record SettingsRequest(JsonObject? settings);

    /// <summary>JSON body of <c>POST /api/plugins</c>: a built plugin's folder (or .dll) on the host.</summary>
    public sealed record InstallRequest(string? path, bool? enabled, bool? copy);

    /// <summary>Maps the plugin routes.</summary>
    public static void MapPluginEndpoints(this RouteGroupBuilder api)
    {
        var plugins = api.MapGroup("/plugins").WithTags("Plugins");
        plugins.MapGet("", (PluginChanges changes) => changes.List().Select(ToView)).RequireAuthorization(Roles.Viewer);
        plugins.MapGet("/{id}", GetAsync).RequireAuthorization(Roles.Admin);
        plugins.MapPut("/{id}/enabled", SetEnabledAsync).RequireAuthorization(Roles.Admin);
        plugins.MapPut("/{id}/settings", SetSettingsAsync).RequireAuthorization(Roles.Admin);
        plugins.MapPost("", InstallAsync).RequireAuthorization(Roles.Admin).DisableAntiforgery()
            .WithMetadata(new RequestSizeLimitAttribute(MaxZipBytes), new RequestFormLimitsAttribute { MultipartBodyLengthLimit = MaxZipBytes });
    }

    /// <summary>The API's view of a plugin with its settings.</summary>
    public static PluginDetail ToDetail(PluginOverview p) => new(p.Id, p.Status.Name, p.Status.Kind, p.Status.Version, p.Status.SdkMajor, StateName(p),
        p.Status.Error, p.Status.Description, p.Status.Contributions, p.Enabled, p.PendingRestart, p.Status.Path, p.Settings,
        p.SecretsSet.ToDictionary(s => s.Key, s => s.Value ? "set" : "not set"), p.DeclaredSettings.Select(ToSetting).ToArray());

    private static Task<IResult> GetAsync(string id, PluginChanges changes) =>
        Task.FromResult(changes.Find(id) is { } plugin ? Results.Ok(ToDetail(plugin)) : NotFound(id));

    private static async Task<IResult> SetEnabledAsync(string id, EnabledRequest? request, ClaimsPrincipal user, PluginChanges changes, CancellationToken ct)
    {
        if (request?.enabled is not { } enabled)
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["enabled"] = ["enabled is required: true or false."] }, title: "The plugin cannot be changed.");
        }

        return Answer(id, await changes.SetEnabledAsync(id, enabled, Actor(user), ct), "The plugin cannot be changed.");
    }

    private static async Task<IResult> SetSettingsAsync(string id, SettingsRequest? request, ClaimsPrincipal user, PluginChanges changes, CancellationToken ct)
    {
        if (request?.settings is not { } settings)
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["settings"] = ["settings is required: the plugin's settings object."] }, title: "The settings were not saved.");
        }

        return Answer(id, await changes.UpdateSettingsAsync(id, settings, Actor(user), ct), "The settings were not saved.");
    }

    private static async Task<IResult> InstallAsync(HttpRequest request, ClaimsPrincipal user, PluginChanges changes, CancellationToken ct)
    {
        const string title = "The plugin was not installed.";
        if (request.HasFormContentType)
        {
            var form = await request.ReadFormAsync(ct);
            if (form.Files.GetFile("file") is not { } file)
            {
                return Results.ValidationProblem(new Dictionary<string, string[]> { ["file"] = ["Send multipart/form-data with a file field holding the plugin's zip."] }, title: title);
            }

            var enabledText = form["enabled"].ToString();
            if (enabledText.Length > 0 && !bool.TryParse(enabledText, out _))
            {
                return Results.ValidationProblem(new Dictionary<string, string[]> { ["enabled"] = ["enabled must be true or false."] }, title: title);
            }

            await using var zip = file.OpenReadStream();
            return Answer(null, await changes.InstallFromZipAsync(zip, file.FileName, enabledText.Length > 0 && bool.Parse(enabledText), Actor(user), ct), title, StatusCodes.Status201Created);
        }

        InstallRequest? body;
        try
        {
            body = await request.ReadFromJsonAsync<InstallRequest>(ct);
        }
        catch (JsonException e)
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { [e.Path ?? "$"] = [$"Not valid JSON: {e.Message.Split(" Path:", 2)[0]}"] }, title: title);
        }
        catch (InvalidOperationException)
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["$"] = ["Send JSON {\"path\": ...} or multipart/form-data with a zip in the file field."] }, title: title);
        }

        if (string.IsNullOrWhiteSpace(body?.path))
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["path"] = ["path is required: the built plugin's folder (or .dll) on the host."] }, title: title);
        }

        return Answer(null, await changes.InstallFromFolderAsync(body.path, body.enabled ?? false, body.copy ?? true, Actor(user), ct), title, StatusCodes.Status201Created);
    }

    private static IResult Answer(string? id, PluginChange change, string title, int status = StatusCodes.Status200OK)
    {
        if (change.NotFound)
        {
            return NotFound(id ?? "");
        }

        if (!change.Succeeded)
        {
            return Results.ValidationProblem(change.Problems.GroupBy(p => p.Path).ToDictionary(g => g.Key, g => g.Select(p => p.Message).ToArray()), title: title);
        }

        var view = new ChangeView(true, RestartMessage, ToDetail(change.Plugin!));
        return status == StatusCodes.Status201Created ? Results.Created($"/api/plugins/{change.Plugin!.Id}", view) : Results.Ok(view);
    }

    private static IResult NotFound(string id) =>
        Results.Problem(title: "No such plugin.", detail: $"plugins.json has no plugin \"{id}\".", statusCode: StatusCodes.Status404NotFound);

    private static string Actor(ClaimsPrincipal user) => Roles.Caller(user).UserName;

    private static PluginView ToView(PluginOverview p) => new(p.Id, p.Status.Name, p.Status.Kind, p.Status.Version, p.Status.SdkMajor, StateName(p),
        p.Status.Error, p.Status.Description, p.Status.Contributions, p.Enabled, p.PendingRestart);

    // An entry added since start-up is shown "disabled" (not loaded) with pending_restart until the host restarts.
    private static string StateName(PluginOverview p) => p.Status.State.ToString().ToLowerInvariant();

    private static SettingView ToSetting(ParameterSpec s) => new(s.Name, s.Type.ToString().ToLowerInvariant(), s.Description, s.Required,
        s.Secret ? null : s.Default?.DeepClone(), s.Minimum, s.Maximum, s.AllowedValues, s.Secret, s.Properties?.Select(ToSetting).ToArray(),
        s.Values is { } values ? ToSetting(values) : null);
}
