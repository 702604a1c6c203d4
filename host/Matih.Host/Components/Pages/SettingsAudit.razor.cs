using System.Text;
using Matih.Core.Audit;
using Matih.Core.Metadata;
using Matih.Host.Api;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.JSInterop;
using MudBlazor;

namespace Matih.Host.Components.Pages;

/// <summary>
/// Settings &gt; Audit: the audit log for admins, filtered by text, actor, action and days, sorted by a column and paged
/// in the database with the scheme of <c>GET /api/audit</c>, exportable as CSV.
/// </summary>
public partial class SettingsAudit
{
    private const int PageSize = 100;
    private static readonly int[] s_pageSizes = [50, 100, 250, 500];
    private static readonly List<BreadcrumbItem> Crumbs = [new("Settings", "/settings"), new("Audit", null, disabled: true)];

    private MudTable<AuditEntry>? _table;
    private string? _text;
    private string? _actor;
    private string? _action;
    private DateTime? _from;
    private DateTime? _to;

    private static int[] PageSizes => s_pageSizes;

    [Inject]
    private AuditLog Log { get; set; } = default!;

    [Inject]
    private IDbContextFactory<MetadataDbContext> Contexts { get; set; } = default!;

    [Inject]
    private IJSRuntime JS { get; set; } = default!;

    private AuditQuery Query() => new(
        Actor: _actor,
        Action: _action,
        From: _from is { } from ? new DateTimeOffset(from.Date, TimeSpan.Zero) : null,
        To: _to is { } to ? new DateTimeOffset(to.Date.AddDays(1), TimeSpan.Zero) : null,
        Text: _text);

    private async Task<TableData<AuditEntry>> LoadAsync(TableState state, CancellationToken cancellationToken)
    {
        var sort = AuditEndpoints.Sorts.ContainsKey(state.SortLabel ?? "") ? state.SortLabel! : AuditEndpoints.DefaultSort;
        bool? descending = state.SortDirection switch
        {
            SortDirection.Ascending => false,
            SortDirection.Descending => true,
            _ => null,
        };
        var request = new PageRequest(state.Page + 1, Math.Clamp(state.PageSize, 1, PageQuery.MaxPageSize), sort, descending, null);
        await using var db = await Contexts.CreateDbContextAsync(cancellationToken);
        var page = await AuditLog.Filter(db, Query()).ToPageAsync(request, AuditEndpoints.Sorts, e => e.Id, cancellationToken);
        return new TableData<AuditEntry> { Items = page.Items, TotalItems = page.Total };
    }

    private async Task SearchAsync()
    {
        if (_table is not null)
        {
            // New filters start again from the first page.
            _table.NavigateTo(0);
            await _table.ReloadServerData();
        }
    }

    private async Task ExportAsync()
    {
        var csv = new StringBuilder(AuditLog.CsvHeader).Append("\r\n");
        await foreach (var entry in Log.ExportAsync(Query(), CancellationToken.None))
        {
            csv.Append(AuditLog.CsvLine(entry)).Append("\r\n");
        }

        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(csv.ToString()));
        using var reference = new DotNetStreamReference(stream);
        await JS.InvokeVoidAsync("matih.download", $"matih-audit-{DateTime.UtcNow:yyyyMMdd-HHmmss}.csv", reference);
    }
}
