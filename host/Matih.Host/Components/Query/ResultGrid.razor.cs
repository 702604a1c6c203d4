using Matih.Sdk.Data;
using Microsoft.AspNetCore.Components;

namespace Matih.Host.Components.Query;

/// <summary>A page of result rows with column names and types; pages of <see cref="PageSize"/> rows.</summary>
public partial class ResultGrid
{
    private IReadOnlyList<object?[]>? _shownRows;

    /// <summary>The columns, with their types.</summary>
    [Parameter, EditorRequired]
    public IReadOnlyList<ColumnSchema> Columns { get; set; } = [];

    /// <summary>All rows held (the grid pages through them).</summary>
    [Parameter, EditorRequired]
    public IReadOnlyList<object?[]> Rows { get; set; } = [];

    /// <summary>Rows on one page.</summary>
    [Parameter]
    public int PageSize { get; set; } = 50;

    /// <summary>The grid's <c>data-testid</c>.</summary>
    [Parameter]
    public string TestId { get; set; } = "result-grid";

    private int Page { get; set; } = 1;

    private int PageCount => Math.Max(1, (Rows.Count + PageSize - 1) / PageSize);

    private int FirstShown => ((Page - 1) * PageSize) + 1;

    private int LastShown => Math.Min(Rows.Count, Page * PageSize);

    private IEnumerable<(object?[] Row, int Number)> PageRows =>
        Rows.Skip((Page - 1) * PageSize).Take(PageSize).Select((row, i) => (row, FirstShown + i));

    /// <inheritdoc />
    protected override void OnParametersSet()
    {
        // New rows (another run): back to the first page.
        if (!ReferenceEquals(_shownRows, Rows))
        {
            _shownRows = Rows;
            Page = 1;
        }
    }

    private static string? CellClass(object? value) => value is null or DBNull ? "cell-null" : null;

    private void ShowPage(int page) => Page = page;
}
