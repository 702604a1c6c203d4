using System.Text.Json;
using Matih.Core.Catalog;
using Matih.Core.Metadata;
using Matih.Sdk.Data;
using Microsoft.EntityFrameworkCore;

namespace Matih.Core.Quality;

/// <summary>A stored validation run: the figures a quality gate reads, the seed's text and GE's result document.</summary>
/// <param name="Id">The run id.</param>
/// <param name="SuiteName">The suite validated.</param>
/// <param name="Dataset">The table validated.</param>
/// <param name="RunAt">When it ran.</param>
/// <param name="Success">Whether every expectation was met.</param>
/// <param name="Evaluated">Expectations evaluated.</param>
/// <param name="Successful">Expectations met.</param>
/// <param name="FailedErrors">Failed expectations of severity error (a gate with fail_pipeline_on_error fails on these).</param>
/// <param name="FailedWarnings">Failed expectations of severity warning (fail_pipeline_on_warning).</param>
/// <param name="TriggeredBy">Who or what started it.</param>
/// <param name="ElapsedMilliseconds">How long the evaluation took.</param>
/// <param name="Queries">SQL statements the evaluation issued.</param>
/// <param name="Text">The report in the seed's words.</param>
/// <param name="Result">The result document in GE's shape: success, statistics, results, meta.</param>
public sealed record ValidationRun(
    Guid Id,
    string SuiteName,
    string Dataset,
    DateTimeOffset RunAt,
    bool Success,
    int Evaluated,
    int Successful,
    int FailedErrors,
    int FailedWarnings,
    string TriggeredBy,
    double ElapsedMilliseconds,
    int Queries,
    string Text,
    JsonElement Result)
{
    /// <summary>Share of expectations met, 0..1 (1 when there were none): the table's quality score.</summary>
    public double Score => Evaluated == 0 ? 1 : (double)Successful / Evaluated;

    /// <summary>The run a stored record holds (list routes page the records in the database and read each one).</summary>
    public static ValidationRun From(ValidationRecord r)
    {
        using var document = JsonDocument.Parse(r.Json);
        return new(
            r.Id, r.SuiteName, r.Dataset, r.RunAt, r.Success, r.Evaluated, r.Successful, r.FailedErrors, r.FailedWarnings, r.TriggeredBy,
            r.ElapsedMilliseconds, r.Queries, r.Text, document.RootElement.Clone());
    }
}

/// <summary>
/// Runs stored suites over their tables and keeps every run: the service the API, the Quality pages and the
/// pipeline task <c>data_quality_check</c> call. Each stored run sets the table's quality score in the catalog.
/// </summary>
public sealed class QualityValidations(
    QualitySuites suites,
    SuiteValidator validator,
    IDbContextFactory<MetadataDbContext> contexts,
    CatalogService? catalog = null)
{
    /// <summary>
    /// Validates suite <paramref name="suiteName"/> over <paramref name="dataset"/> (or the suite's own dataset) and
    /// stores the run. Failed expectations are results, not exceptions.
    /// </summary>
    /// <param name="suiteName">The stored suite.</param>
    /// <param name="dataset">The table to validate (<c>catalog.schema.table</c>); null for the suite's dataset.</param>
    /// <param name="triggeredBy">Who or what started it, for the history (a user name, <c>pipeline:churn-feature-refresh</c>).</param>
    /// <param name="cancellationToken">Stops the scan.</param>
    /// <exception cref="KeyNotFoundException">No suite has that name.</exception>
    /// <exception cref="ArgumentException">No dataset is given and the suite has none, or it is not a three-part name.</exception>
    public async Task<ValidationRun> ValidateAsync(string suiteName, string? dataset, string triggeredBy, CancellationToken cancellationToken)
    {
        var suite = await suites.GetAsync(suiteName, cancellationToken).ConfigureAwait(false)
            ?? throw new KeyNotFoundException($"No expectation suite is named '{suiteName}'. Create it with POST /api/quality/suites.");
        var name = string.IsNullOrWhiteSpace(dataset) ? suite.Dataset : dataset;
        if (name is null)
        {
            throw new ArgumentException($"Suite '{suiteName}' has no dataset; say which table to validate.", nameof(dataset));
        }

        if (!TableRef.TryParse(name, out var table))
        {
            throw new ArgumentException($"'{name}' is not a three-part table name (catalog.schema.table).", nameof(dataset));
        }

        var validation = await validator.ValidateAsync(suite, table, cancellationToken).ConfigureAwait(false);
        var id = Guid.NewGuid();
        var record = new ValidationRecord
        {
            Id = id,
            SuiteName = suite.Name,
            Dataset = table.ToString(),
            RunAt = validation.RunAt,
            Success = validation.Success,
            Evaluated = validation.Statistics.EvaluatedExpectations,
            Successful = validation.Statistics.SuccessfulExpectations,
            FailedErrors = validation.FailedErrors,
            FailedWarnings = validation.FailedWarnings,
            TriggeredBy = triggeredBy,
            ElapsedMilliseconds = Math.Round(validation.Elapsed.TotalMilliseconds, 1),
            Queries = validation.Queries,
            Text = ValidationText.Render(validation),
            Json = validation.ToJson(id).ToJsonString(),
        };
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false))
        {
            db.Set<ValidationRecord>().Add(record);
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }

        catalog?.Invalidate();
        return ValidationRun.From(record);
    }

    /// <summary>The runs of a suite, newest first.</summary>
    public async Task<IReadOnlyList<ValidationRun>> HistoryAsync(string suiteName, int take, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var records = await db.Set<ValidationRecord>().AsNoTracking()
            .Where(v => v.SuiteName == suiteName)
            .OrderByDescending(v => v.RunAt)
            .Take(Math.Clamp(take, 1, 1000))
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return records.Select(ValidationRun.From).ToArray();
    }

    /// <summary>One run, or null.</summary>
    public async Task<ValidationRun?> GetAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var record = await db.Set<ValidationRecord>().AsNoTracking().SingleOrDefaultAsync(v => v.Id == id, cancellationToken).ConfigureAwait(false);
        return record is null ? null : ValidationRun.From(record);
    }

    /// <summary>The latest run of every suite (for the suites list), by suite name.</summary>
    public async Task<IReadOnlyDictionary<string, ValidationRun>> LatestBySuiteAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var heads = await db.Set<ValidationRecord>().AsNoTracking()
            .Select(v => new { v.Id, v.SuiteName, v.RunAt })
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var ids = heads.GroupBy(h => h.SuiteName).Select(g => g.MaxBy(h => h.RunAt)!.Id).ToArray();
        var records = await db.Set<ValidationRecord>().AsNoTracking().Where(v => ids.Contains(v.Id)).ToListAsync(cancellationToken).ConfigureAwait(false);
        return records.ToDictionary(r => r.SuiteName, ValidationRun.From, StringComparer.Ordinal);
    }

    /// <summary>The latest run of each of <paramref name="suiteNames"/> (a page of the suites list), by suite name.</summary>
    public async Task<IReadOnlyDictionary<string, ValidationRun>> LatestBySuiteAsync(IReadOnlyCollection<string> suiteNames, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var latest = new Dictionary<string, ValidationRun>(StringComparer.Ordinal);
        foreach (var name in suiteNames)
        {
            // One indexed lookup per suite of the page rather than reading every run's head.
            var record = await db.Set<ValidationRecord>().AsNoTracking().Where(v => v.SuiteName == name)
                .OrderByDescending(v => v.RunAt).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
            if (record is not null)
            {
                latest[name] = ValidationRun.From(record);
            }
        }

        return latest;
    }

    /// <summary>
    /// Each table's quality score from its latest stored validation: the share of expectations met (0..1), by
    /// three-part name. The catalog shows it.
    /// </summary>
    public static async Task<IReadOnlyDictionary<string, double>> LatestScoresAsync(MetadataDbContext db, CancellationToken cancellationToken)
    {
        var runs = await db.Set<ValidationRecord>().AsNoTracking()
            .Select(v => new { v.Dataset, v.RunAt, v.Evaluated, v.Successful })
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return runs.GroupBy(r => r.Dataset, StringComparer.Ordinal)
            .Select(g => g.MaxBy(r => r.RunAt)!)
            .ToDictionary(r => r.Dataset, r => r.Evaluated == 0 ? 1.0 : (double)r.Successful / r.Evaluated, StringComparer.Ordinal);
    }
}
