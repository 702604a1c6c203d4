using System.Text.RegularExpressions;
using Matih.Core.Metadata;
using Microsoft.EntityFrameworkCore;

namespace Matih.Core.Query;

/// <summary>Saved queries with dotted names (<c>analytics.queries.churn_feature_set</c>) that pipelines refer to.</summary>
public sealed partial class SavedQueries(IDbContextFactory<MetadataDbContext> contexts, TimeProvider clock)
{
    /// <summary>Why <paramref name="name"/> is not a valid query name, or null.</summary>
    public static string? NameProblem(string? name) => string.IsNullOrWhiteSpace(name)
        ? "name is required: a dotted name such as analytics.queries.churn_feature_set."
        : DottedName().IsMatch(name) ? null : $"'{name}' is not a dotted name of lower-case words (e.g. analytics.queries.churn_feature_set).";

    /// <summary>Saves or replaces a query.</summary>
    public async Task<SavedQuery> SaveAsync(string name, string sql, string? description, string? user, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var query = await db.SavedQueries.SingleOrDefaultAsync(q => q.Name == name, cancellationToken).ConfigureAwait(false);
        if (query is null)
        {
            query = new SavedQuery { Name = name, Sql = sql };
            db.SavedQueries.Add(query);
        }

        query.Sql = sql;
        query.Description = description ?? query.Description;
        query.UpdatedBy = user;
        query.UpdatedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return query;
    }

    /// <summary>One saved query, or null.</summary>
    public async Task<SavedQuery?> GetAsync(string name, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        return await db.SavedQueries.AsNoTracking().SingleOrDefaultAsync(q => q.Name == name, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Every saved query, by name.</summary>
    public async Task<IReadOnlyList<SavedQuery>> ListAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        return await db.SavedQueries.AsNoTracking().OrderBy(q => q.Name).ToListAsync(cancellationToken).ConfigureAwait(false);
    }

    [GeneratedRegex(@"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")]
    private static partial Regex DottedName();
}
