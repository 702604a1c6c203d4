using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Matih.Core.Experiments;
using Matih.Core.Query;
using Matih.Core.Users;
using Matih.Core.Warehouse;
using Matih.Sdk.Data;
using Microsoft.Extensions.Logging;

namespace Matih.Core.Demo;

/// <summary>One of the demo's training runs.</summary>
/// <param name="Name">The run's name, as the seed's comparison table and registration call it (<c>churn-exp-003</c>).</param>
/// <param name="Trainer">The trainer id.</param>
/// <param name="Params">Hyperparameters that differ from the trainer's defaults.</param>
public sealed record DemoRun(string Name, string Trainer, JsonObject Params);

/// <summary>What <see cref="DemoExperiments.EnsureAsync"/> did.</summary>
/// <param name="Started">Runs queued now (their ids), to follow or to run.</param>
/// <param name="Existing">Demo runs that were already there and were left as they are.</param>
/// <param name="Message">What happened, in words; says why when nothing could be started.</param>
public sealed record DemoExperimentsResult(IReadOnlyList<Guid> Started, IReadOnlyList<string> Existing, string Message);

/// <summary>
/// The seed's Stage 6 experiments on the NovaMart demo: experiment <c>customer-churn</c> with runs churn-exp-001
/// (logistic regression), churn-exp-002 (random forest) and churn-exp-003 (LightGBM), trained as ordinary background
/// runs on the rows of the saved churn feature query. Runs that exist are never touched again.
/// </summary>
/// <remarks>
/// The seed's label is <c>is_churned = days_since_last_order &gt; 90</c>, so days_since_last_order is the label
/// itself: given it, logistic regression and LightGBM both score an AUC of 1.0 and the comparison means nothing. The
/// runs therefore train on the other seven inputs of the seed's registration, where churn shows only through
/// behaviour. See <see cref="Description"/>.
/// </remarks>
public sealed partial class DemoExperiments(
    SqlQueryService sql,
    SavedQueries savedQueries,
    ExperimentRuns runs,
    DuckDbWarehouse warehouse,
    ILogger<DemoExperiments> log)
{
    /// <summary>The experiment's name.</summary>
    public const string Experiment = "customer-churn";

    /// <summary>The label column, as the seed's SQL defines it.</summary>
    public const string Label = "is_churned";

    /// <summary>The input the seed's label is computed from, left out of the features.</summary>
    public const string LabelSource = "days_since_last_order";

    /// <summary>Who the demo's statements and runs are recorded as.</summary>
    public const string User = "demo";

    /// <summary>
    /// What the demo's experiment is and why its features are what they are: shown on the Experiments page and in
    /// each run's <c>note</c> tag.
    /// </summary>
    public const string Description =
        "The seed's three churn models on the NovaMart demo, trained on analytics.demo.churn_features: the rows of the saved query "
        + "analytics.queries.churn_feature_set, in customer order. The seed labels a customer churned when days_since_last_order > 90, "
        + "so that column is the label itself (given it, a model reads the answer off it and scores AUC 1.0); the runs use the other "
        + "seven inputs of the seed's registration, where churn shows only through behaviour: fewer sessions and product views in the "
        + "last 90 days, fewer orders for the customer's age, returns, and the CRM segment. The seed's SQL labels customers who never "
        + "ordered as not churned; their average order value, undefined, is written 0. Logistic regression cannot single those "
        + "customers out (they browse as little as churned ones), the tree models can: most of its gap comes from there.";

    /// <summary>The feature table the runs train on (written from the saved query when missing).</summary>
    public static TableRef Table { get; } = new("analytics", "demo", "churn_features");

    /// <summary>The inputs of the seed's model registration (<c>input_schema</c>), in its order.</summary>
    public static IReadOnlyList<string> InputSchema { get; } =
        ["total_orders", "avg_order_value", LabelSource, "customer_age_days", "total_sessions_90d", "product_views_90d", "return_rate", "segment"];

    /// <summary>The features the runs train on: the registration's inputs less <see cref="LabelSource"/>.</summary>
    public static IReadOnlyList<string> Features { get; } = InputSchema.Where(f => f != LabelSource).ToArray();

    /// <summary>
    /// The seed's three runs. Logistic regression and the random forest keep their defaults; LightGBM grows 200
    /// small trees slowly (7 leaves, learning rate 0.05), which suits ~16,000 training rows better than 100
    /// trees of 31 leaves.
    /// </summary>
    public static IReadOnlyList<DemoRun> Runs { get; } =
    [
        new("churn-exp-001", "logistic_regression", []),
        new("churn-exp-002", "random_forest", []),
        new("churn-exp-003", "lightgbm", new JsonObject { ["num_iterations"] = 200, ["learning_rate"] = 0.05, ["num_leaves"] = 7 }),
    ];

    /// <summary>
    /// Queues the demo runs that do not exist yet, writing <see cref="Table"/> first when it is missing. Safe to call
    /// at every start: existing runs (whatever their state) are left alone. Never throws for a problem with the data
    /// or the request; the result says what went wrong.
    /// </summary>
    public async Task<DemoExperimentsResult> EnsureAsync(CancellationToken cancellationToken)
    {
        var existing = new List<string>();
        var missing = new List<DemoRun>();
        foreach (var run in Runs)
        {
            if (await runs.GetRunAsync(Experiment, run.Name, cancellationToken).ConfigureAwait(false) is null)
            {
                missing.Add(run);
            }
            else
            {
                existing.Add(run.Name);
            }
        }

        if (missing.Count == 0)
        {
            return new DemoExperimentsResult([], existing, $"The {Experiment} demo runs exist.");
        }

        if (await warehouse.GetSchemaAsync(Table, cancellationToken).ConfigureAwait(false) is null)
        {
            var statement = await TrainingSetSqlAsync(cancellationToken).ConfigureAwait(false);
            var outcome = await sql.RunAsync(statement, new SqlCaller(User, Role.Analyst), 1, cancellationToken).ConfigureAwait(false);
            if (outcome.Fault is { } fault)
            {
                log.LogWarning("Could not write {Table} for the demo experiments: {Reason}", Table, fault.Message);
                return new DemoExperimentsResult([], existing, $"Could not write {Table} from {ChurnFeatureQuery.Name}: {fault.Message}");
            }
        }

        var started = new List<Guid>();
        var problems = new List<string>();
        foreach (var run in missing)
        {
            var start = await runs.StartAsync(Experiment, Document(run), User, cancellationToken).ConfigureAwait(false);
            if (start.RunId is { } id)
            {
                started.Add(id);
            }
            else
            {
                // A trainer plugin that is not loaded, or a user's edit of the saved query that dropped a column.
                var reason = start.Conflict ?? string.Join("; ", start.Problems.Select(p => $"{p.Path}: {p.Message}"));
                problems.Add($"{run.Name}: {reason}");
                log.LogWarning("Could not start demo run {Run}: {Reason}", run.Name, reason);
            }
        }

        var message = $"Queued {started.Count} of {missing.Count} {Experiment} demo run(s) on {Table}."
            + (problems.Count > 0 ? " " + string.Join(" ", problems) : "");
        log.LogInformation("{Message}", message);
        return new DemoExperimentsResult(started, existing, message);
    }

    /// <summary>The run request for <paramref name="run"/>, as <c>POST /api/experiments/customer-churn/runs</c> takes it.</summary>
    public static JsonObject Document(DemoRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return new JsonObject
        {
            ["name"] = run.Name,
            ["trainer"] = run.Trainer,
            ["table"] = Table.ToString(),
            ["label"] = Label,
            ["features"] = new JsonArray(Features.Select(f => (JsonNode)f).ToArray()),
            ["params"] = run.Params.DeepClone(),
            ["split"] = new JsonObject { ["fraction"] = ExperimentRunRequest.DefaultFraction, ["seed"] = ExperimentRunRequest.DefaultSeed },
            ["tags"] = new JsonObject
            {
                ["team"] = "data-science",
                ["use_case"] = "customer-retention",
                ["owner"] = "priya@novamart.com",
                ["source"] = "novamart-demo",
                ["left_out"] = $"{LabelSource}: {Label} is {LabelSource} > 90",
            },
        };
    }

    /// <summary>
    /// The statement that writes <see cref="Table"/>: the saved query's SELECT (the seed's when the saved one is not a
    /// <c>CREATE TABLE ... AS</c>), ordered by customer so the seeded split holds the same customers out at every load.
    /// </summary>
    public async Task<string> TrainingSetSqlAsync(CancellationToken cancellationToken)
    {
        var saved = await savedQueries.GetAsync(ChurnFeatureQuery.Name, cancellationToken).ConfigureAwait(false);
        var query = saved is not null && CreateTableAs().Match(saved.Sql) is { Success: true } match
            ? saved.Sql[match.Length..]
            : ChurnFeatureQuery.Sql[CreateTableAs().Match(ChurnFeatureQuery.Sql).Length..];
        return $"""
            -- The NovaMart demo's churn training set: the rows of {ChurnFeatureQuery.Name} in customer order.
            CREATE OR REPLACE TABLE {Table} AS
            SELECT * REPLACE (COALESCE(avg_order_value, 0) AS avg_order_value)
            FROM (
            {query.Trim().TrimEnd(';')}
            ) AS churn_feature_set
            ORDER BY customer_id
            """;
    }

    // Leading comments, then CREATE [OR REPLACE] TABLE name AS.
    [GeneratedRegex(@"^\s*(?:--[^\n]*\n\s*)*CREATE\s+(?:OR\s+REPLACE\s+)?TABLE\s+[\w.""]+\s+AS\s+", RegexOptions.IgnoreCase)]
    private static partial Regex CreateTableAs();
}
