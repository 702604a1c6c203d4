using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Matih.Core.Connections;
using Matih.Core.Metadata;
using Matih.Core.Models;
using Matih.Core.Warehouse;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Matih.Core.AbTests;

/// <summary>One metric of the results table.</summary>
public sealed record MetricResult(
    string Metric,
    string Kind,
    bool Primary,
    double? Control,
    double? Treatment,
    double? Lift,
    double? PValue,
    double? DifferenceLow,
    double? DifferenceHigh,
    long ControlUnits,
    long TreatmentUnits,
    double? ControlTotal,
    double? TreatmentTotal,
    bool Significant,
    bool? TreatmentBetter,
    string? Problem);

/// <summary>A guardrail's state: the treatment's value against its limit.</summary>
public sealed record GuardrailResult(string Metric, double? MaxValue, double? MinValue, double? Treatment, bool Violated);

/// <summary>An A/B test's results: assignment counts, the sample-ratio check, the metrics and guardrails.</summary>
public sealed record AbTestResults(
    string Name,
    string State,
    string Deployment,
    DateTimeOffset StartedAt,
    DateTimeOffset EndsAt,
    IReadOnlyDictionary<string, long> Assignments,
    double SampleRatioPValue,
    bool SampleRatioMismatch,
    IReadOnlyList<MetricResult> Metrics,
    IReadOnlyList<GuardrailResult> Guardrails,
    string? Reason,
    string Text);

/// <summary>Traffic of one deployment split between two model versions.</summary>
/// <param name="Experiment">The A/B test.</param>
/// <param name="Variants">control then treatment.</param>
public sealed record TrafficSplit(string Experiment, IReadOnlyList<AbVariant> Variants)
{
    /// <summary>The variant <paramref name="unitId"/> is assigned to.</summary>
    public AbVariant Route(string unitId) => Variants[Assignment.Variant(Experiment, unitId, Variants.Select(v => v.Percentage).ToArray())];

    /// <summary>Same test and same variants: re-reading an unchanged split (every host does, every few seconds) is no change.</summary>
    public bool Equals(TrafficSplit? other) =>
        other is not null && Experiment == other.Experiment && Variants.SequenceEqual(other.Variants);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Experiment, Variants.Count);
}

/// <summary>
/// A/B tests between two model versions on a deployment: the seed's document stored as written, stable hash
/// assignment (the serving engine asks <see cref="SplitFor"/> per request and logs the variant), metrics defined by
/// SQL and compared per variant with z-tests or Welch's t-test, the sample-ratio check, guardrails that stop the
/// test, and promotion of the winner.
/// </summary>
public sealed class AbTests(
    IDbContextFactory<MetadataDbContext> contexts,
    DuckDbWarehouse warehouse,
    ModelRegistry registry,
    TimeProvider clock,
    ILogger<AbTests> log,
    Audit.AuditLog? audit = null)
{
    /// <summary>Below this p-value the assignment counts are taken as a broken split (GrowthBook's threshold).</summary>
    public const double SampleRatioThreshold = 0.001;

    /// <summary>Guardrails judge only once each arm has this many units, so early noise does not stop a test.</summary>
    public const int GuardrailMinimumUnits = 100;

    private ImmutableDictionary<string, TrafficSplit> _splits = ImmutableDictionary<string, TrafficSplit>.Empty;

    /// <summary>Raised when a deployment's split starts or stops, so serving can load or drop the treatment's model.</summary>
    public event Action<string>? SplitChanged;

    /// <summary>The running split of <paramref name="deployment"/>, or null (served by its own model alone).</summary>
    public TrafficSplit? SplitFor(string deployment) => _splits.GetValueOrDefault(deployment);

    /// <summary>Loads the running tests' splits (at start and after changes).</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var running = await db.Set<AbTestRecord>().AsNoTracking().Where(t => t.State == "running").ToListAsync(cancellationToken).ConfigureAwait(false);
        var splits = running
            .Select(t => (t.Deployment, Definition: AbTestDefinition.Parse(t.Document).Definition))
            .Where(t => t.Definition is not null)
            .ToImmutableDictionary(t => t.Deployment, t => new TrafficSplit(t.Definition!.Name, t.Definition.Variants));
        var before = _splits;
        _splits = splits;
        foreach (var deployment in before.Keys.Union(splits.Keys).Where(d => before.GetValueOrDefault(d) != splits.GetValueOrDefault(d)))
        {
            SplitChanged?.Invoke(deployment);
        }
    }

    /// <summary>
    /// Starts an A/B test from the seed's document: both model versions must be registered and the deployment must
    /// exist (<paramref name="deploymentExists"/>); one running test per deployment. Throws <see cref="AbTestDocumentException"/>.
    /// </summary>
    public async Task<AbTestRecord> StartAsync(string json, string owner, Func<string, CancellationToken, Task<string?>> deploymentOf, CancellationToken cancellationToken)
    {
        var (definition, problems) = AbTestDefinition.Parse(json);
        if (definition is null)
        {
            throw new AbTestDocumentException(problems);
        }

        var found = new List<DocumentProblem>();
        foreach (var variant in definition.Variants)
        {
            var (version, problem) = await registry.ResolveAsync(variant.Model, cancellationToken).ConfigureAwait(false);
            if (version is null)
            {
                found.Add(new DocumentProblem($"$.traffic_split.{variant.Name}.model", problem ?? $"No registered model version '{variant.Model}'."));
            }
        }

        var deployment = definition.Deployment
            ?? await deploymentOf(definition.Variants[0].Model, cancellationToken).ConfigureAwait(false)
            ?? await deploymentOf(definition.Variants[1].Model, cancellationToken).ConfigureAwait(false);
        if (deployment is null)
        {
            found.Add(new DocumentProblem(definition.Deployment is null ? "$.traffic_split.control.model" : "$.deployment",
                definition.Deployment is null
                    ? $"No deployment serves {definition.Variants[0].Model} or {definition.Variants[1].Model}; deploy one of them first or name the deployment."
                    : $"No deployment is named '{definition.Deployment}'."));
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        if (await db.Set<AbTestRecord>().AnyAsync(t => t.Name == definition.Name, cancellationToken).ConfigureAwait(false))
        {
            found.Add(new DocumentProblem("$.experiment_name", $"An A/B test named '{definition.Name}' exists; A/B tests are not edited once started."));
        }

        if (deployment is not null && await db.Set<AbTestRecord>().Where(t => t.Deployment == deployment && t.State == "running").Select(t => t.Name).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false) is { } other)
        {
            found.Add(new DocumentProblem("$.experiment_name", $"Deployment '{deployment}' already runs the A/B test '{other}'."));
        }

        if (found.Count > 0)
        {
            throw new AbTestDocumentException(found);
        }

        var now = clock.GetUtcNow();
        var record = new AbTestRecord
        {
            Name = definition.Name,
            Document = json,
            Deployment = deployment!,
            State = "running",
            Owner = owner,
            StartedAt = now,
            EndsAt = now.AddDays(definition.DurationDays),
        };
        db.Add(record);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await RefreshAsync(cancellationToken).ConfigureAwait(false);
        log.LogInformation("A/B test {Name} started on {Deployment}", record.Name, record.Deployment);
        if (audit is not null)
        {
            await audit.RecordChangeAsync("abtest.created", record.Name,
                $"on {record.Deployment}: {definition.Variants[0].Model} vs {definition.Variants[1].Model}").ConfigureAwait(false);
        }

        return record;
    }

    /// <summary>Defines (or redefines) a metric by SQL returning <c>unit_id</c> and <c>value</c> per unit.</summary>
    public async Task<AbMetricRecord> DefineMetricAsync(string name, string kind, string sql, string? description, bool higherIsBetter, CancellationToken cancellationToken)
    {
        if (kind is not ("proportion" or "mean"))
        {
            throw new ArgumentException("kind is proportion (a 0/1 value per unit) or mean.", nameof(kind));
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var record = await db.Set<AbMetricRecord>().SingleOrDefaultAsync(m => m.Name == name, cancellationToken).ConfigureAwait(false);
        if (record is null)
        {
            record = new AbMetricRecord { Name = name, Kind = kind, Sql = sql };
            db.Add(record);
        }

        (record.Kind, record.Sql, record.Description, record.HigherIsBetter) = (kind, sql, description, higherIsBetter);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        if (audit is not null)
        {
            await audit.RecordChangeAsync("abtest.metric_defined", name, $"{kind}, {(higherIsBetter ? "higher" : "lower")} is better").ConfigureAwait(false);
        }

        return record;
    }

    /// <summary>The defined metrics.</summary>
    public async Task<IReadOnlyList<AbMetricRecord>> MetricsAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        return await db.Set<AbMetricRecord>().AsNoTracking().OrderBy(m => m.Name).ToListAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Every A/B test, newest first.</summary>
    public async Task<IReadOnlyList<AbTestRecord>> ListAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        return (await db.Set<AbTestRecord>().AsNoTracking().ToListAsync(cancellationToken).ConfigureAwait(false)).OrderByDescending(t => t.StartedAt).ToArray();
    }

    /// <summary>An A/B test, or null.</summary>
    public async Task<AbTestRecord?> GetAsync(string name, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        return await db.Set<AbTestRecord>().AsNoTracking().SingleOrDefaultAsync(t => t.Name == name, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The results so far. A guardrail the treatment crosses (with enough units) stops a running test: traffic goes
    /// back to the control and the reason is recorded.
    /// </summary>
    public async Task<AbTestResults> ResultsAsync(string name, CancellationToken cancellationToken)
    {
        var record = await GetAsync(name, cancellationToken).ConfigureAwait(false) ?? throw new KeyNotFoundException($"No A/B test is named '{name}'.");
        var definition = AbTestDefinition.Parse(record.Document).Definition!;
        var until = record.EndedAt ?? clock.GetUtcNow();
        var assigned = $"""
            SELECT entity_key AS unit_id, any_value(variant) AS variant
            FROM {Deployments.PredictionLog.Table.ToSql()}
            WHERE deployment = {Literal(record.Deployment)} AND variant IS NOT NULL AND entity_key IS NOT NULL
              AND logged_at >= {Timestamp(record.StartedAt)} AND logged_at < {Timestamp(until)}
            GROUP BY entity_key
            """;
        var logExists = await warehouse.GetSchemaAsync(Deployments.PredictionLog.Table, cancellationToken).ConfigureAwait(false) is not null;
        var counts = definition.Variants.ToDictionary(v => v.Name, _ => 0L);
        if (logExists)
        {
            foreach (var row in (await warehouse.QueryAsync($"SELECT variant, count(*) FROM ({assigned}) GROUP BY variant", cancellationToken).ConfigureAwait(false)).Rows)
            {
                counts[(string)row[0]!] = Convert.ToInt64(row[1], CultureInfo.InvariantCulture);
            }
        }

        var srm = AbStatistics.SampleRatioPValue(definition.Variants.Select(v => counts[v.Name]).ToArray(), definition.Variants.Select(v => v.Percentage).ToArray());
        var defined = (await MetricsAsync(cancellationToken).ConfigureAwait(false)).ToDictionary(m => m.Name);
        var metrics = new List<MetricResult>();
        foreach (var metric in definition.Metrics)
        {
            metrics.Add(logExists
                ? await MetricAsync(metric, metric == definition.PrimaryMetric, defined.GetValueOrDefault(metric), assigned, cancellationToken).ConfigureAwait(false)
                : Missing(metric, metric == definition.PrimaryMetric, "No predictions have been logged yet."));
        }

        var guardrails = definition.Guardrails.Select(g =>
        {
            var m = metrics.First(r => r.Metric == g.Metric);
            var enough = m.ControlUnits >= GuardrailMinimumUnits && m.TreatmentUnits >= GuardrailMinimumUnits;
            var violated = enough && m.Treatment is { } t && ((g.MaxValue is { } max && t > max) || (g.MinValue is { } min && t < min));
            return new GuardrailResult(g.Metric, g.MaxValue, g.MinValue, m.Treatment, violated);
        }).ToArray();

        var state = record.State;
        var reason = record.Reason;
        if (state == "running" && guardrails.FirstOrDefault(g => g.Violated) is { } broken)
        {
            reason = $"Stopped by the guardrail on {broken.Metric}: the treatment's {broken.Treatment:0.###} is {(broken.MaxValue is { } mx ? $"above the maximum {mx}" : $"below the minimum {broken.MinValue}")}. All traffic is back on the control.";
            if (await EndAsync(name, "stopped", reason, null, cancellationToken).ConfigureAwait(false))
            {
                state = "stopped";
                if (audit is not null)
                {
                    // The guardrail stopped it, not whoever happened to look at the results.
                    await audit.RecordAsync(Audit.AuditActor.System, "abtest.stopped", name, reason, CancellationToken.None).ConfigureAwait(false);
                }
            }
        }
        else if (state == "running" && clock.GetUtcNow() >= record.EndsAt)
        {
            reason = $"Completed after {definition.DurationDays} days; promote the winner or end it.";
            state = await EndAsync(name, "completed", reason, null, cancellationToken).ConfigureAwait(false) ? "completed" : state;
        }

        var mismatch = srm < SampleRatioThreshold;
        return new AbTestResults(name, state, record.Deployment, record.StartedAt, record.EndsAt, counts, srm, mismatch, metrics, guardrails, reason,
            Render(definition, counts, srm, mismatch, metrics, guardrails, state, reason));
    }

    /// <summary>
    /// Promotes the winner: the deployment serves it alone (<paramref name="serveOnly"/>), the loser's version is
    /// archived in the registry and the winner's becomes production, and the decision is recorded with its evidence.
    /// Without <paramref name="winner"/>, the treatment wins only when the primary metric is significantly better.
    /// </summary>
    public async Task<AbTestResults> PromoteAsync(string name, string? winner, string by, Func<string, string, CancellationToken, Task> serveOnly, CancellationToken cancellationToken)
    {
        var results = await ResultsAsync(name, cancellationToken).ConfigureAwait(false);
        if (results.State == "promoted")
        {
            throw new InvalidOperationException($"A/B test '{name}' was already promoted.");
        }

        var record = (await GetAsync(name, cancellationToken).ConfigureAwait(false))!;
        var definition = AbTestDefinition.Parse(record.Document).Definition!;
        var primary = results.Metrics.First(m => m.Primary);
        if (winner is null)
        {
            if (primary.Significant && primary.TreatmentBetter == true)
            {
                winner = "treatment";
            }
            else
            {
                throw new InvalidOperationException(
                    $"No clear winner: {primary.Metric} is {(primary.PValue is { } p ? $"p = {p:0.####}" : "not measured")}{(primary.TreatmentBetter == false ? " in the control's favour" : "")}. Name the winner (control or treatment) to promote anyway.");
            }
        }

        var won = definition.Variants.FirstOrDefault(v => v.Name == winner)
            ?? throw new ArgumentException($"winner is control or treatment, not '{winner}'.", nameof(winner));
        var lost = definition.Variants.First(v => v.Name != winner);
        await serveOnly(record.Deployment, won.Model, cancellationToken).ConfigureAwait(false);
        if (ModelRegistry.TryParseReference(won.Model, out var model, out var wonVersion, out _) && wonVersion is not null)
        {
            await registry.SetStageAsync(model, wonVersion, "production", archiveExisting: true, by, cancellationToken).ConfigureAwait(false);
        }

        if (ModelRegistry.TryParseReference(lost.Model, out var lostModel, out var lostVersion, out _) && lostVersion is not null)
        {
            await registry.SetStageAsync(lostModel, lostVersion, "archived", archiveExisting: false, by, cancellationToken).ConfigureAwait(false);
        }

        var decision = JsonSerializer.Serialize(new
        {
            winner = won.Name,
            model = won.Model,
            archived = lost.Model,
            by,
            at = clock.GetUtcNow(),
            evidence = new { results.Assignments, results.SampleRatioPValue, results.Metrics, results.Guardrails },
        });
        await EndAsync(name, "promoted", $"{won.Name} ({won.Model}) promoted to 100% of traffic by {by}; {lost.Model} archived.", decision, cancellationToken).ConfigureAwait(false);
        if (audit is not null)
        {
            await audit.RecordChangeAsync("abtest.promoted", name, $"{won.Name} ({won.Model}) won; {lost.Model} archived").ConfigureAwait(false);
        }

        return await ResultsAsync(name, cancellationToken).ConfigureAwait(false);
    }

    private async Task<bool> EndAsync(string name, string state, string reason, string? decision, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var now = clock.GetUtcNow();
        var ended = await db.Set<AbTestRecord>().Where(t => t.Name == name && t.State != "promoted" && (t.State == "running" || state == "promoted"))
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.State, state).SetProperty(t => t.Reason, reason).SetProperty(t => t.Decision, decision)
                .SetProperty(t => t.EndedAt, t => t.EndedAt ?? now), cancellationToken).ConfigureAwait(false);
        await RefreshAsync(cancellationToken).ConfigureAwait(false);
        log.LogInformation("A/B test {Name} {State}: {Reason}", name, state, reason);
        return ended == 1;
    }

    private async Task<MetricResult> MetricAsync(string name, bool primary, AbMetricRecord? metric, string assigned, CancellationToken cancellationToken)
    {
        if (metric is null)
        {
            return Missing(name, primary, $"No metric named '{name}' is defined; define it with POST /api/abtests/metrics {{name, kind, sql}}.");
        }

        List<object?[]> rows;
        try
        {
            rows = (await warehouse.QueryAsync($"""
                WITH assigned AS ({assigned}), metric AS ({metric.Sql})
                SELECT a.variant, CAST(m.value AS DOUBLE) FROM assigned a JOIN metric m ON CAST(m.unit_id AS VARCHAR) = a.unit_id
                WHERE m.value IS NOT NULL
                """, cancellationToken).ConfigureAwait(false)).Rows.ToList();
        }
        catch (DuckDB.NET.Data.DuckDBException e)
        {
            return Missing(name, primary, $"The metric's SQL failed: {e.Message.Split('\n')[0]}");
        }

        var control = rows.Where(r => (string)r[0]! == "control").Select(r => (double)r[1]!).ToArray();
        var treatment = rows.Where(r => (string)r[0]! == "treatment").Select(r => (double)r[1]!).ToArray();
        if (control.Length < 2 || treatment.Length < 2)
        {
            return Missing(name, primary, "Not enough units with a value in each variant yet.") with { ControlUnits = control.Length, TreatmentUnits = treatment.Length };
        }

        var comparison = metric.Kind == "proportion"
            ? AbStatistics.TwoProportions((long)control.Sum(), control.Length, (long)treatment.Sum(), treatment.Length)
            : AbStatistics.Welch(control, treatment);
        var better = comparison.Treatment == comparison.Control ? (bool?)null : (comparison.Treatment > comparison.Control) == metric.HigherIsBetter;
        return new MetricResult(name, metric.Kind, primary, comparison.Control, comparison.Treatment, comparison.Lift, comparison.PValue,
            comparison.DifferenceLow, comparison.DifferenceHigh, control.Length, treatment.Length, control.Sum(), treatment.Sum(), comparison.PValue < 0.05, better, null);
    }

    private static MetricResult Missing(string name, bool primary, string problem) =>
        new(name, "?", primary, null, null, null, null, null, null, 0, 0, null, null, false, null, problem);

    private static string Render(AbTestDefinition definition, IReadOnlyDictionary<string, long> counts, double srm, bool mismatch,
        IReadOnlyList<MetricResult> metrics, IReadOnlyList<GuardrailResult> guardrails, string state, string? reason)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"A/B test: {definition.Name} ({state})");
        text.AppendLine(CultureInfo.InvariantCulture, $"Assignments: control {counts.GetValueOrDefault("control"):N0}, treatment {counts.GetValueOrDefault("treatment"):N0} (sample ratio p = {srm:0.####}{(mismatch ? ": MISMATCH, the split is off" : "")})");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"{"Metric",-32} {"Control",12} {"Treatment",12} {"Lift",9} {"p-value",9}");
        foreach (var m in metrics)
        {
            text.AppendLine(m.Problem is not null
                ? $"{m.Metric,-32} {m.Problem}"
                : string.Create(CultureInfo.InvariantCulture,
                    $"{m.Metric + (m.Primary ? " *" : ""),-32} {Figure(m, m.Control, m.ControlTotal),12} {Figure(m, m.Treatment, m.TreatmentTotal),12} {(m.Lift is { } l ? $"{l:+0.0%;-0.0%}" : "--"),9} {(m.PValue is { } p ? p.ToString(p < 0.0001 ? "0.0e0" : "0.0000", CultureInfo.InvariantCulture) : "--"),9}"));
        }

        foreach (var g in guardrails)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"Guardrail {g.Metric} {(g.MaxValue is { } mx ? $"<= {mx}" : $">= {g.MinValue}")}: treatment {(g.Treatment is { } t ? t.ToString("0.###", CultureInfo.InvariantCulture) : "n/a")} [{(g.Violated ? "VIOLATED" : "OK")}]");
        }

        if (reason is not null)
        {
            text.AppendLine().AppendLine(reason);
        }

        return text.ToString();

        static string Figure(MetricResult m, double? value, double? total) =>
            value is null ? "--" : m.Kind == "proportion" ? $"{value:0.000}" : $"{value:0.##} (Σ {total:0.##})";
    }

    private static string Literal(string text) => Monitoring.PredictionLogWindows.Literal(text);

    private static string Timestamp(DateTimeOffset at) => Monitoring.PredictionLogWindows.Timestamp(at);
}

/// <summary>Why an A/B test document was refused: every problem, by JSON path.</summary>
public sealed class AbTestDocumentException(IReadOnlyList<DocumentProblem> problems)
    : Exception(string.Join("; ", problems.Select(p => $"{p.Path}: {p.Message}")))
{
    /// <summary>The problems.</summary>
    public IReadOnlyList<DocumentProblem> Problems { get; } = problems;
}
