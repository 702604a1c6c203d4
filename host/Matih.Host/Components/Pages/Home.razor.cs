using System.Collections;
using System.Globalization;
using Matih.Core.Demo;
using Matih.Core.Plugins;
using Matih.Core.Warehouse;
using Matih.Host.Components.Layout;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using MudBlazor;

namespace Matih.Host.Components.Pages;

/// <summary>One store's health as the home page shows it.</summary>
/// <param name="Name">The health check's name: <c>warehouse</c>, <c>metadata</c>, <c>jobs</c>.</param>
/// <param name="Status">Healthy, degraded or unhealthy.</param>
/// <param name="Description">What the check found, in words.</param>
/// <param name="Milliseconds">How long the check took.</param>
/// <param name="Details">The check's data, formatted for reading.</param>
public sealed record StoreHealth(string Name, HealthStatus Status, string? Description, double Milliseconds, IReadOnlyDictionary<string, string> Details);

/// <summary>One warehouse catalog's contents.</summary>
/// <param name="Name">The catalog (<c>postgresql</c>, <c>snowflake</c>, ...).</param>
/// <param name="Schemas">Its schemas, comma-separated.</param>
/// <param name="Tables">Base tables.</param>
/// <param name="Views">Views.</param>
/// <param name="Rows">Rows over all its tables, as DuckDB estimates them.</param>
public sealed record CatalogSummary(string Name, string Schemas, long Tables, long Views, long Rows);

/// <summary>
/// The home page: the health of the stores (the same checks as <c>/health</c>), the demo's state, the plugin counts, what
/// the warehouse holds, and the way into the journey.
/// </summary>
public partial class Home : IDisposable
{
    // Tables and views per attached catalog, with DuckDB's row estimate (exact for committed tables). Schemas starting
    // with an underscore and _matih* tables hold Matih's own bookkeeping (sync state, staging), not the user's data.
    private const string CatalogSql = """
        SELECT i.table_catalog,
               string_agg(DISTINCT i.table_schema, ', ' ORDER BY i.table_schema),
               count(*) FILTER (WHERE i.table_type = 'BASE TABLE'),
               count(*) FILTER (WHERE i.table_type = 'VIEW'),
               CAST(coalesce(sum(t.estimated_size), 0) AS BIGINT)
        FROM information_schema.tables i
        LEFT JOIN duckdb_tables() t
          ON t.database_name = i.table_catalog AND t.schema_name = i.table_schema AND t.table_name = i.table_name
        WHERE NOT starts_with(i.table_schema, '_') AND NOT starts_with(i.table_name, '_matih')
        GROUP BY i.table_catalog
        """;

    private static readonly TimeSpan s_demoPollInterval = TimeSpan.FromSeconds(2);

    private readonly CancellationTokenSource _disposed = new();

    [Inject]
    private HealthCheckService Health { get; set; } = default!;

    [Inject]
    private DuckDbWarehouse Warehouse { get; set; } = default!;

    [Inject]
    private DemoStatus Demo { get; set; } = default!;

    [Inject]
    private InstalledPlugins Installed { get; set; } = default!;

    /// <summary>The stores' health; kept from prerendering so the live page does not check twice.</summary>
    [PersistentState]
    public List<StoreHealth>? Stores { get; set; }

    /// <summary>The warehouse's catalogs; kept from prerendering.</summary>
    [PersistentState]
    public List<CatalogSummary>? Catalogs { get; set; }

    /// <summary>Why the catalogs could not be listed, if they could not.</summary>
    [PersistentState]
    public string? CatalogError { get; set; }

    private bool Refreshing { get; set; }

    private string DemoMessage => string.IsNullOrEmpty(Demo.Message) ? "No demo state reported yet." : Demo.Message;

    private (int Loaded, int Faulted, int Disabled) PluginCounts => (
        Installed.Statuses.Count(p => p.State == PluginState.Loaded),
        Installed.Statuses.Count(p => p.State == PluginState.Faulted),
        Installed.Statuses.Count(p => p.State == PluginState.Disabled));

    private static IEnumerable<IGrouping<string, WorkbenchArea>> Journey =>
        WorkbenchAreas.All.Where(a => a.Stage is not null).GroupBy(a => a.Stage!.Split(" - ")[^1]);

    /// <inheritdoc />
    protected override async Task OnInitializedAsync()
    {
        if (Stores is null || Catalogs is null && CatalogError is null)
        {
            await LoadAsync(_disposed.Token);
        }
    }

    /// <inheritdoc />
    protected override void OnAfterRender(bool firstRender)
    {
        if (firstRender && Demo.State == DemoState.Loading)
        {
            _ = FollowDemoAsync(_disposed.Token);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _disposed.Cancel();
        _disposed.Dispose();
    }

    private async Task RefreshAsync()
    {
        Refreshing = true;
        try
        {
            await LoadAsync(_disposed.Token);
        }
        finally
        {
            Refreshing = false;
        }
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        var report = await Health.CheckHealthAsync(cancellationToken);
        Stores = report.Entries
            .Select(e => new StoreHealth(e.Key, e.Value.Status, e.Value.Description, e.Value.Duration.TotalMilliseconds, Format(e.Value.Data)))
            .ToList();
        try
        {
            Catalogs = await ReadCatalogsAsync(cancellationToken);
            CatalogError = null;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            CatalogError = e.Message;
        }
    }

    private async Task<List<CatalogSummary>> ReadCatalogsAsync(CancellationToken cancellationToken)
    {
        var result = await Warehouse.QueryAsync(CatalogSql, cancellationToken);
        var found = result.Rows.ToDictionary(r => (string)r[0]!, r => r, StringComparer.Ordinal);
        return Warehouse.Catalogs
            .Order(StringComparer.Ordinal)
            .Select(name => found.TryGetValue(name, out var r)
                ? new CatalogSummary(name, r[1] as string ?? "", ToLong(r[2]), ToLong(r[3]), ToLong(r[4]))
                : new CatalogSummary(name, "", 0, 0, 0))
            .ToList();
    }

    // While the demo loads in the background, look again every few seconds and show its tables once it is done.
    private async Task FollowDemoAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(s_demoPollInterval);
        try
        {
            while (Demo.State == DemoState.Loading && await timer.WaitForNextTickAsync(cancellationToken))
            {
                if (Demo.State != DemoState.Loading)
                {
                    await InvokeAsync(async () =>
                    {
                        await LoadAsync(cancellationToken);
                        StateHasChanged();
                    });
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The page was left.
        }
    }

    private static long ToLong(object? value) => value is null ? 0 : Convert.ToInt64(value, CultureInfo.InvariantCulture);

    private static Dictionary<string, string> Format(IReadOnlyDictionary<string, object> data) =>
        data.ToDictionary(kv => kv.Key, kv => kv.Value switch
        {
            string s => s,
            IEnumerable items => string.Join(", ", items.Cast<object?>()),
            var other => Convert.ToString(other, CultureInfo.InvariantCulture) ?? "",
        });

    private static string StoreTitle(string name) => name switch
    {
        "warehouse" => "Warehouse",
        "metadata" => "Metadata",
        "jobs" => "Jobs",
        _ => name,
    };

    private static string StoreIcon(string name) => name switch
    {
        "warehouse" => Icons.Material.Filled.Storage,
        "metadata" => Icons.Material.Filled.Description,
        "jobs" => Icons.Material.Filled.WorkHistory,
        _ => Icons.Material.Filled.Circle,
    };

    private static Color StatusColor(HealthStatus status) => status switch
    {
        HealthStatus.Healthy => Color.Success,
        HealthStatus.Degraded => Color.Warning,
        _ => Color.Error,
    };

    private static Color DemoColor(DemoState state) => state switch
    {
        DemoState.Ready => Color.Success,
        DemoState.Loading => Color.Info,
        DemoState.Unavailable => Color.Error,
        _ => Color.Default,
    };
}
