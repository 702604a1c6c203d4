using Matih.Core.Metadata;
using Matih.Core.Warehouse;
using Matih.Sdk.Data;
using Matih.Sdk.Quality;
using Microsoft.EntityFrameworkCore;

namespace Matih.Core.Quality;

/// <summary>The outcome of saving a suite document.</summary>
/// <param name="Suite">The suite saved, or null when the document was refused.</param>
/// <param name="Created">True when the name was new (else it replaced a suite).</param>
/// <param name="Problems">Every problem found, by JSON path; empty when saved.</param>
public sealed record SuiteSave(ExpectationSuite? Suite, bool Created, IReadOnlyList<SuiteProblem> Problems);

/// <summary>
/// Expectation suites kept in the metadata store: created or replaced from a document (the seed's JSON verbatim),
/// listed, read back. A suite whose dataset exists is also checked against the table, so a misspelt column is
/// refused when saved rather than found at the next run.
/// </summary>
public sealed class QualitySuites(IDbContextFactory<MetadataDbContext> contexts, DuckDbWarehouse warehouse, IEnumerable<IQualityRule> rules, TimeProvider clock)
{
    /// <summary>The expectation types known.</summary>
    public IReadOnlyList<IQualityRule> Rules { get; } = rules.ToArray();

    /// <summary>Checks a document without saving it: every problem, by JSON path.</summary>
    public async Task<SuiteParse> CheckAsync(string json, CancellationToken cancellationToken)
    {
        var parse = ExpectationSuite.Parse(json, Rules);
        if (parse.Suite is not { Dataset: { } dataset } suite)
        {
            return parse;
        }

        var table = TableRef.Parse(dataset);
        var schema = await warehouse.GetSchemaAsync(table, cancellationToken).ConfigureAwait(false);
        if (schema is null)
        {
            // The table may be written later (by the pipeline that validates it): nothing more to check now.
            return parse;
        }

        var problems = new List<SuiteProblem>();
        for (var i = 0; i < suite.Expectations.Count; i++)
        {
            var config = suite.Expectations[i];
            var rule = Rules.First(r => r.ExpectationType == config.Type);
            try
            {
                if (rule.Plan(config.Kwargs, table, schema) is InvalidKwargsPlan invalid)
                {
                    problems.Add(new SuiteProblem($"$.expectations[{i}].kwargs.{invalid.Kwarg}", invalid.Message));
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                problems.Add(new SuiteProblem($"$.expectations[{i}]", $"The rule for {config.Type} failed on these kwargs: {ex.Message}"));
            }
        }

        return problems.Count == 0 ? parse : new SuiteParse(null, problems);
    }

    /// <summary>Creates or replaces the suite the document describes, unless it has problems.</summary>
    public async Task<SuiteSave> SaveAsync(string json, string? user, CancellationToken cancellationToken)
    {
        var parse = await CheckAsync(json, cancellationToken).ConfigureAwait(false);
        if (parse.Suite is not { } suite)
        {
            return new SuiteSave(null, false, parse.Problems);
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var stored = await db.Set<StoredSuite>().SingleOrDefaultAsync(s => s.Name == suite.Name, cancellationToken).ConfigureAwait(false);
        var created = stored is null;
        var now = clock.GetUtcNow();
        if (stored is null)
        {
            stored = new StoredSuite { Name = suite.Name, Document = json, CreatedAt = now };
            db.Set<StoredSuite>().Add(stored);
        }

        stored.Document = json;
        stored.Dataset = suite.Dataset;
        stored.Expectations = suite.Expectations.Count;
        stored.UpdatedAt = now;
        stored.UpdatedBy = user;
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return new SuiteSave(suite, created, []);
    }

    /// <summary>Every stored suite, by name.</summary>
    public async Task<IReadOnlyList<StoredSuite>> ListAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        return await db.Set<StoredSuite>().AsNoTracking().OrderBy(s => s.Name).ToListAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The stored suite named <paramref name="name"/>, or null.</summary>
    public async Task<StoredSuite?> FindAsync(string name, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        return await db.Set<StoredSuite>().AsNoTracking().SingleOrDefaultAsync(s => s.Name == name, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The suite named <paramref name="name"/>, read with the expectation types loaded now (an expectation whose
    /// plugin is gone is kept and fails when validated), or null.
    /// </summary>
    public async Task<ExpectationSuite?> GetAsync(string name, CancellationToken cancellationToken)
    {
        var stored = await FindAsync(name, cancellationToken).ConfigureAwait(false);
        return stored is null ? null : ExpectationSuite.Parse(stored.Document, Rules, strict: false).Suite;
    }
}
