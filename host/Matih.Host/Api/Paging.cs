using System.Linq.Expressions;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Matih.Host.Api;

/// <summary>
/// The one paging scheme of list routes: <c>?page=1&amp;pageSize=50&amp;sort=name&amp;order=asc&amp;q=text</c> answers
/// <c>{items, total, page, pageSize, sort, order}</c>. Pages are 1-based; a page past the end is empty (total still
/// says how many there are); a bad value is a 400 naming the parameter, never silently clamped.
/// </summary>
public sealed record PageQuery
{
    /// <summary>The default page size.</summary>
    public const int DefaultPageSize = 50;

    /// <summary>The largest page size.</summary>
    public const int MaxPageSize = 500;

    /// <summary>1-based page number; default 1.</summary>
    [FromQuery(Name = "page")]
    public int? Page { get; init; }

    /// <summary>Items per page, 1..500; default 50.</summary>
    [FromQuery(Name = "pageSize")]
    public int? PageSize { get; init; }

    /// <summary>The field to sort by; each route names its fields, and the default.</summary>
    [FromQuery(Name = "sort")]
    public string? Sort { get; init; }

    /// <summary><c>asc</c> or <c>desc</c>; the default depends on the field.</summary>
    [FromQuery(Name = "order")]
    public string? Order { get; init; }

    /// <summary>Text to filter by (case-insensitive); each route says what it matches.</summary>
    [FromQuery(Name = "q")]
    public string? Q { get; init; }

    /// <summary>The validated request, or the problems naming each bad parameter.</summary>
    /// <param name="sorts">The fields this route sorts by.</param>
    /// <param name="defaultSort">The field used when <c>sort</c> is absent.</param>
    public (PageRequest? Request, IResult? Problem) Validate(IReadOnlyCollection<string> sorts, string defaultSort)
    {
        var problems = new Dictionary<string, string[]>();
        if (Page is < 1)
        {
            problems["page"] = [$"page must be 1 or more (pages are 1-based); got {Page}."];
        }

        if (PageSize is < 1 or > MaxPageSize)
        {
            problems["pageSize"] = [$"pageSize must be between 1 and {MaxPageSize}; got {PageSize}."];
        }

        var sort = string.IsNullOrWhiteSpace(Sort) ? defaultSort : Sort.Trim().ToLowerInvariant().Replace('-', '_');
        if (!sorts.Contains(sort))
        {
            problems["sort"] = [$"'{Sort}' is not a sort field here; use one of {string.Join(", ", sorts)}."];
        }

        bool? descending = Order?.Trim().ToLowerInvariant() switch
        {
            null or "" => null,
            "asc" => false,
            "desc" => true,
            _ => Invalid(problems, "order", $"order must be asc or desc; got '{Order}'."),
        };

        if (problems.Count > 0)
        {
            return (null, Results.ValidationProblem(problems, title: "The list request has problems."));
        }

        var q = string.IsNullOrWhiteSpace(Q) ? null : Q.Trim();
        return (new PageRequest(Page ?? 1, PageSize ?? DefaultPageSize, sort, descending, q), null);
    }

    private static bool? Invalid(Dictionary<string, string[]> problems, string field, string message)
    {
        problems[field] = [message];
        return null;
    }
}

/// <summary>A validated page request.</summary>
/// <param name="Page">1-based.</param>
/// <param name="PageSize">1..<see cref="PageQuery.MaxPageSize"/>.</param>
/// <param name="Sort">A field the route sorts by.</param>
/// <param name="Descending">The order asked for; null = the field's natural order.</param>
/// <param name="Q">Filter text, or null.</param>
public sealed record PageRequest(int Page, int PageSize, string Sort, bool? Descending, string? Q)
{
    /// <summary>How many items come before this page.</summary>
    public int Offset => (int)Math.Min(int.MaxValue, (long)(Page - 1) * PageSize);
}

/// <summary>One page of a list.</summary>
/// <param name="Items">This page's items, in order.</param>
/// <param name="Total">How many items match, over all pages.</param>
/// <param name="Page">1-based.</param>
/// <param name="PageSize">Items per page.</param>
/// <param name="Sort">The field sorted by.</param>
/// <param name="Order"><c>asc</c> or <c>desc</c>.</param>
public sealed record ListPage<T>(IReadOnlyList<T> Items, int Total, int Page, int PageSize, string Sort, string Order);

/// <summary>A sort field: its key, its natural direction, and the unique key that breaks ties so pages never overlap.</summary>
public sealed record SortField<T>(Expression<Func<T, object?>> Key, bool DescendingByDefault = false);

/// <summary>Paging in the database: count, then order (with a unique tie-breaker), skip and take.</summary>
public static class PagingQueries
{
    /// <summary>One page of <paramref name="query"/>, sorted by <paramref name="request"/>'s field then by <paramref name="tieBreaker"/>.</summary>
    public static async Task<ListPage<T>> ToPageAsync<T>(this IQueryable<T> query, PageRequest request, IReadOnlyDictionary<string, SortField<T>> sorts,
        Expression<Func<T, object?>> tieBreaker, CancellationToken cancellationToken)
    {
        var field = sorts[request.Sort];
        var descending = request.Descending ?? field.DescendingByDefault;
        var total = await query.CountAsync(cancellationToken);
        var ordered = descending
            ? query.OrderByDescending(field.Key).ThenByDescending(tieBreaker)
            : query.OrderBy(field.Key).ThenBy(tieBreaker);
        var items = request.Offset >= total
            ? []
            : await ordered.Skip(request.Offset).Take(request.PageSize).ToListAsync(cancellationToken);
        return new ListPage<T>(items, total, request.Page, request.PageSize, request.Sort, descending ? "desc" : "asc");
    }
}
