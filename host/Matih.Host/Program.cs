using Hangfire;
using Matih.Core.Demo;
using Matih.Core.Metadata;
using Matih.Host.Api;
using Matih.Host.Auth;
using Matih.Host.Components;
using Matih.Host.OpenApi;
using Matih.Host.Startup;
using Microsoft.EntityFrameworkCore;

var (verb, args2) = CommandLine.Parse(args);
Matih.Host.Scripting.HeadlessScript? headless = null;
if (verb == "script")
{
    // stdout carries only the script's output; everything the host prints goes to stderr.
    headless = Matih.Host.Scripting.HeadlessScript.Parse(args[1..], Console.Out);
    if (headless.Problem is { } problem)
    {
        Console.Error.WriteLine(problem);
        Console.Error.WriteLine(Matih.Host.Scripting.HeadlessScript.Usage);
        return 2;
    }

    Console.SetOut(Console.Error);
    if (headless.ApiUrl is not null)
    {
        return await headless.RunRemoteAsync(CancellationToken.None);
    }

    args2 = headless.HostArgs;
}

if (verb is not ("serve" or "demo" or "script"))
{
    Console.Error.WriteLine($"Unknown command '{verb}'. Commands: serve (default), demo [--demo-scale N] [--data-dir DIR], script scripts/NAME.csx [args].");
    return 2;
}

// Settings and static files come from beside the host; data paths stay relative to the working directory.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args2, ContentRootPath = AppContext.BaseDirectory });

// MudBlazor's and the app's static files come from the build's asset manifest in every environment, not only
// Development; a published build has no manifest and serves wwwroot as usual.
builder.WebHost.UseStaticWebAssets();
if (headless is not null)
{
    Matih.Host.Scripting.HeadlessScript.ConfigureHost(builder);
}

var options = builder.AddMatih();
builder.Services.AddMatihApiProblems();
builder.Services.AddMatihOpenApi();
if (verb == "demo")
{
    // Generate the demo into the data directory and exit: the same path the host takes at start.
    await using var offline = builder.Build();
    await using (var db = await offline.Services.GetRequiredService<IDbContextFactory<MetadataDbContext>>().CreateDbContextAsync())
    {
        await MetadataSchema.EnsureAsync(db, CancellationToken.None);
    }

    var result = await offline.Services.GetRequiredService<NovaMartDemo>().LoadAsync(options.DemoScale, 42, CancellationToken.None);
    Console.WriteLine($"{result.Message} ({result.Elapsed.TotalSeconds:F1} s)");
    foreach (var (table, rows) in result.Rows)
    {
        Console.WriteLine($"  {table,-40} {rows,14:N0}");
    }

    return 0;
}

var app = builder.Build();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseStaticFiles();
app.UseAuthentication();
app.UseAuthorization();
app.UseAuditActor();
app.UseAntiforgery();

app.MapHealthEndpoints();
app.MapAuthEndpoints();
var api = app.MapGroup("/api").RequireAuthorization(new Microsoft.AspNetCore.Authorization.AuthorizeAttribute
{
    AuthenticationSchemes = AuthSetup.Bearer,
    Policy = Roles.Viewer,
});
api.MapPluginEndpoints();
api.MapSqlEndpoints();
api.MapUserEndpoints();
api.MapAuditEndpoints();
api.MapSecretEndpoints();
api.MapConnectionEndpoints();
api.MapFileEndpoints();
api.MapQueryEndpoints();
api.MapCatalogEndpoints();
api.MapFeatureEndpoints();
api.MapQualityEndpoints();
api.MapPipelineEndpoints();
api.MapMonitorEndpoints();
api.MapAbTestEndpoints();
api.MapExperimentEndpoints();
api.MapScriptEndpoints();
api.MapModelEndpoints();
api.MapDeploymentEndpoints();
api.MapDemoEndpoints();
api.MapRouteEndpoints();
api.MapFaultRoute(app.Configuration);
app.MapServeEndpoints();
app.MapMatihOpenApi();

app.MapHangfireDashboard("/hangfire", new DashboardOptions
{
    Authorization = [new HangfireAdminFilter()],
    DashboardTitle = "Matih jobs",
    AppPath = "/",
});
app.MapStaticAssets();
app.MapRazorComponents<App>().AddInteractiveServerRenderMode();

if (headless is not null)
{
    return await headless.RunAsync(app, app.Lifetime.ApplicationStopping);
}

await app.RunAsync();
return 0;

/// <summary>The entry point, visible to WebApplicationFactory in tests.</summary>
public partial class Program;
