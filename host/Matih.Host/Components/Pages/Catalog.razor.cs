using System.Globalization;
using Matih.Core.Catalog;
using Matih.Host.Components.Catalog;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace Matih.Host.Components.Pages;

/// <summary>
/// The Catalog page: a debounced search over <see cref="CatalogService.SearchAsync"/> (the engine behind
/// <c>/api/catalog/search</c>) with the seed's columns, paged by the engine; a row opens the table's page. The query
/// is kept in the address (<c>?q=customer</c>) so Back returns to the same results.
/// </summary>
public partial class Catalog
{
    private static readonly int[] s_pageSizes = [10, 25, 50, 100];

    [Inject]
    private CatalogService CatalogSearch { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    /// <summary>The search text (<c>?q=</c>).</summary>
    [SupplyParameterFromQuery(Name = "q")]
    public string? Q { get; set; }

    private MudTable<CatalogHit>? Results { get; set; }

    private string? Query { get; set; }

    private string Summary { get; set; } = "";

    private static int[] PageSizes => s_pageSizes;

    private static DateTimeOffset Now => DateTimeOffset.UtcNow;

    /// <inheritdoc />
    protected override async Task OnParametersSetAsync()
    {
        if (Q != Query)
        {
            Query = Q;
            if (Results is not null)
            {
                await Results.ReloadServerData();
            }
        }
    }

    private async Task<TableData<CatalogHit>> LoadAsync(TableState state, CancellationToken cancellationToken)
    {
        var found = await CatalogSearch.SearchAsync(Query, state.Page + 1, state.PageSize, cancellationToken);
        var what = string.IsNullOrWhiteSpace(Query) ? "tables in the catalog" : $"tables match \"{Query}\"";
        Summary = string.Create(CultureInfo.InvariantCulture, $"{found.Total:N0} {what} (searched in {found.ElapsedMicroseconds / 1000.0:0.#} ms).");
        return new TableData<CatalogHit> { Items = found.Items, TotalItems = found.Total };
    }

    private void Search(string? text)
    {
        // The address carries the query; OnParametersSetAsync reloads the results from it.
        var query = string.IsNullOrWhiteSpace(text) ? null : text.Trim();
        Navigation.NavigateTo(Navigation.GetUriWithQueryParameter("q", query), replace: true);
    }

    private void Open(TableRowClickEventArgs<CatalogHit> click)
    {
        if (click.Item is { } hit)
        {
            Navigation.NavigateTo(CatalogLinks.Table(hit.Entry.Table));
        }
    }
}
