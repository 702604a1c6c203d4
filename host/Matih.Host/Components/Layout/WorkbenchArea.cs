using Matih.Host.Auth;
using MudBlazor;

namespace Matih.Host.Components.Layout;

/// <summary>One page of the workbench as the navigation, the home page and the placeholder pages describe it.</summary>
/// <param name="Title">The name in the navigation.</param>
/// <param name="Href">The route, e.g. <c>/catalog</c>.</param>
/// <param name="Icon">A MudBlazor icon.</param>
/// <param name="Group">The navigation group (<c>Data Workbench</c>, <c>ML Workbench</c>), or null at the top level.</param>
/// <param name="Purpose">What the page does for the user, in the journey's words.</param>
/// <param name="Stage">The journey stage it serves, e.g. <c>Stage 2 - Discovery</c>; null when it serves no single stage.</param>
/// <param name="Policy">The authorization policy needed to see it in the navigation; null = any signed-in user.</param>
/// <param name="Available">False while the page is a placeholder for a later release.</param>
public sealed record WorkbenchArea(
    string Title,
    string Href,
    string Icon,
    string? Group,
    string Purpose,
    string? Stage,
    string? Policy = null,
    bool Available = false);

/// <summary>
/// The workbench's pages in navigation order: one list read by the navigation drawer, the home page's journey and the
/// placeholder pages, so a page's name and purpose are written once.
/// </summary>
public static class WorkbenchAreas
{
    /// <summary>The Data Workbench navigation group.</summary>
    public const string DataWorkbench = "Data Workbench";

    /// <summary>The ML Workbench navigation group.</summary>
    public const string MlWorkbench = "ML Workbench";

    /// <summary>Every page, in navigation order.</summary>
    public static IReadOnlyList<WorkbenchArea> All { get; } =
    [
        new("Sources", "/sources", Icons.Material.Filled.Storage, DataWorkbench,
            "Connect a source such as NovaMart's PostgreSQL database with the Airbyte-style connection JSON, pick streams and sync modes "
            + "(full refresh, incremental, CDC), schedule syncs and follow each run's rows per stream and progress.",
            "Stage 1 - Ingestion", Available: true),
        new("File Import", "/file-import", Icons.Material.Filled.UploadFile, DataWorkbench,
            "Upload a CSV such as customer_surveys_2025.csv, check it against the columns you declare, see a 10-row preview and "
            + "every bad line by number, then load it into a warehouse table the catalog registers.",
            "Stage 1 - Ingestion", Available: true),
        new("Catalog", "/catalog", Icons.Material.Filled.ManageSearch, DataWorkbench,
            "Search tables across catalogs with their schema, rows, freshness and quality score, profile columns (nulls, distinct "
            + "values, distributions) and trace lineage between tables.",
            "Stage 2 - Discovery", Available: true),
        new("Query Editor", "/query", Icons.Material.Filled.DataObject, DataWorkbench,
            "Write SQL across catalogs with three-part names (postgresql.novamart.customers), see results and timings, and save "
            + "queries such as the churn feature set, with lineage captured from each statement.",
            "Stage 3 - Query", Available: true),
        new("Pipelines", "/pipelines", Icons.Material.Filled.AccountTree, DataWorkbench,
            "Draw a pipeline as a DAG of tasks (run SQL, quality gate, feature store sync), schedule it with cron and retries, "
            + "and follow each run task by task.",
            "Stage 4 - Orchestration", Available: true),
        new("Quality", "/quality", Icons.Material.Filled.FactCheck, DataWorkbench,
            "Define expectation suites (row counts, uniqueness, nulls, ranges, allowed values) and validate tables, with a pass or "
            + "fail for every expectation.",
            "Stage 5 - Analysis", Available: true),
        new("Experiments", "/experiments", Icons.Material.Filled.Science, MlWorkbench,
            "Train models (logistic regression, random forest, LightGBM) on a feature table and compare the runs by AUC, precision, "
            + "recall, F1 and training time.",
            "Stage 6 - Productionization", Available: true),
        new("Models", "/models", Icons.Material.Filled.ModelTraining, MlWorkbench,
            "Register the best run as a model version with its metrics and features, and move versions from staging to production.",
            "Stage 6 - Productionization", Available: true),
        new("Deployments", "/deployments", Icons.Material.Filled.RocketLaunch, MlWorkbench,
            "Serve a registered model at /serve/{deployment}/predict, answering churn scores with their top factors, and watch "
            + "its health.",
            "Stage 6 - Productionization", Available: true),
        new("Monitoring", "/monitoring", Icons.Material.Filled.MonitorHeart, MlWorkbench,
            "Watch prediction volume, latency, feature drift (PSI, KS) and accuracy against actual churn, with alerts to "
            + "Slack-compatible webhooks or email.",
            "Stage 7 - Feedback", Available: true),
        new("A/B Tests", "/abtests", Icons.Material.Filled.CompareArrows, MlWorkbench,
            "Split traffic between the champion and a challenger model, follow the results and their significance, and promote the "
            + "winner.",
            "Stage 8 - Experimentation", Available: true),
        new("Script Console", "/console", Icons.Material.Filled.Terminal, null,
            "Run C# scripts with the platform as globals in a REPL that keeps its state, in a Monaco editor; the same scripts run "
            + "headless from the command line.",
            null, Roles.Admin, Available: true),
        new("Plugins", "/plugins", Icons.Material.Filled.Extension, null,
            "Every installed plugin with its kind, version and state, and why a faulted one failed.",
            null, Available: true),
        new("Settings", "/settings", Icons.Material.Filled.Settings, null,
            "Where Matih keeps its data, which plugins.json it reads, and who you are signed in as.",
            null, Available: true),
    ];

    /// <summary>The area at route <paramref name="href"/>, e.g. <c>/catalog</c>.</summary>
    /// <exception cref="ArgumentException">No area has that route (a typo in a page).</exception>
    public static WorkbenchArea Get(string href) =>
        All.FirstOrDefault(a => string.Equals(a.Href, href, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"No workbench area has the route '{href}'.", nameof(href));

    /// <summary>The areas of one navigation group, in order.</summary>
    public static IEnumerable<WorkbenchArea> InGroup(string? group) => All.Where(a => a.Group == group);
}
