using Matih.Core.Catalog;
using Matih.Core.Lineage;
using Matih.Core.Warehouse;
using Matih.Host.Components.Catalog;
using Matih.Sdk.Data;
using Matih.Sdk.Platform;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace Matih.Host.Components.Pages;

/// <summary>
/// A table's page in the catalog (<c>/catalog/postgresql.novamart.customers</c>) with the tabs Columns, Profile,
/// Lineage, Preview and Quality. It calls the engines the catalog API calls: <see cref="CatalogService"/>,
/// <see cref="TableProfiler"/> (in the Profile tab), <see cref="LineageGraph"/> and the warehouse for the preview.
/// The open tab is kept in the address (<c>?tab=lineage</c>), so following a lineage box keeps the lineage in view.
/// </summary>
public partial class CatalogTable : IDisposable
{
    /// <summary>Rows the Preview tab shows.</summary>
    public const int PreviewRows = 50;

    /// <summary>Hops each way the Lineage tab follows.</summary>
    public const int LineageDepth = 5;

    private static readonly string[] s_tabs = ["columns", "profile", "lineage", "preview", "quality"];

    private readonly CancellationTokenSource _disposed = new();
    private string? _loadedName;

    [Inject]
    private CatalogService CatalogSearch { get; set; } = default!;

    [Inject]
    private LineageGraph LineageGraph { get; set; } = default!;

    [Inject]
    private DuckDbWarehouse Warehouse { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    /// <summary>The table's three-part name, from the address.</summary>
    [Parameter]
    public string Name { get; set; } = "";

    /// <summary>The open tab (<c>?tab=profile</c>).</summary>
    [SupplyParameterFromQuery(Name = "tab")]
    public string? Tab { get; set; }

    private TableRef? Table { get; set; }

    private CatalogEntry? Entry { get; set; }

    private string? Problem { get; set; }

    private bool IsWarehouseTable { get; set; }

    private LineageView? Lineage { get; set; }

    private QueryResult? Preview { get; set; }

    private string? PreviewError { get; set; }

    private int TabIndex { get; set; }

    private List<BreadcrumbItem> Breadcrumbs => [new("Catalog", "/catalog"), new(Table?.ToString() ?? Name, null, disabled: true)];

    private static DateTimeOffset Now => DateTimeOffset.UtcNow;

    /// <inheritdoc />
    protected override async Task OnParametersSetAsync()
    {
        TabIndex = Math.Max(0, Array.IndexOf(s_tabs, Tab?.ToLowerInvariant()));
        if (Name != _loadedName)
        {
            _loadedName = Name;
            await LoadAsync();
        }

        await LoadTabAsync();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        // Cancelled, not disposed: work finishing after the page is left may still read the token.
        _disposed.Cancel();
    }

    private async Task LoadAsync()
    {
        (Table, Entry, Problem, Lineage, Preview, PreviewError, IsWarehouseTable) = (null, null, null, null, null, null, false);
        if (!TableRef.TryParse(Name, out var table))
        {
            Problem = $"'{Name}' is not a three-part table name (catalog.schema.table).";
            return;
        }

        Table = table;
        Entry = await CatalogSearch.GetAsync(table, _disposed.Token);
        if (Entry is null)
        {
            Problem = $"The catalog has no table {table}. It may have been dropped; search the catalog for it.";
            return;
        }

        IsWarehouseTable = await Warehouse.GetSchemaAsync(table, _disposed.Token) is not null;
    }

    private async Task ShowTabAsync(int index)
    {
        TabIndex = index;
        Navigation.NavigateTo(Navigation.GetUriWithQueryParameter("tab", index == 0 ? null : s_tabs[index]), replace: true);
        await LoadTabAsync();
    }

    // Lineage and the preview are read when their tab is first opened.
    private async Task LoadTabAsync()
    {
        if (Table is not { } table || Entry is null)
        {
            return;
        }

        switch (s_tabs[TabIndex])
        {
            case "lineage" when Lineage is null:
                Lineage = await LineageGraph.GetAsync(table.ToString(), LineageDepth, _disposed.Token);
                break;
            case "preview" when Preview is null && PreviewError is null:
                await LoadPreviewAsync(table);
                break;
        }
    }

    private async Task LoadPreviewAsync(TableRef table)
    {
        if (!IsWarehouseTable)
        {
            PreviewError = $"{table} is listed by {Entry?.Origin} but is not in the warehouse, so it has no preview.";
            return;
        }

        try
        {
            Preview = await Task.Run(() => Warehouse.QueryAsync($"SELECT * FROM {table.ToSql()} LIMIT {PreviewRows}", _disposed.Token));
        }
        catch (DuckDB.NET.Data.DuckDBException e)
        {
            PreviewError = $"The preview failed: {e.Message}";
        }
    }
}
