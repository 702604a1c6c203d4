using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Matih.Core.Lineage;
using Matih.Core.Metadata;
using Matih.Core.Query;
using Matih.Core.Users;
using Matih.Core.Warehouse;
using Matih.Sdk.Data;
using Matih.Sdk.Pipelines;
using Matih.Sdk.Plugins;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Matih.Core.Pipelines.Tasks;

/// <summary>
/// <c>sql_execute</c>: runs a saved query (<c>query_ref</c>) or inline <c>sql</c> as the pipeline's owner, through the
/// same engine as the Query Editor (permissions, lineage, catalog). With <c>target_table</c> the query's rows replace
/// (<c>overwrite</c>, atomically) or extend (<c>append</c>) that table; a saved <c>CREATE TABLE ... AS</c> is read as its
/// query, so a daily refresh of the Query Editor's statement works without editing it.
/// </summary>
public sealed partial class SqlExecuteTask(SqlQueryService sql, SavedQueries saved, DuckDbWarehouse warehouse, IDbContextFactory<MetadataDbContext> contexts) : IPipelineTaskType
{
    /// <inheritdoc />
    public string Type => "sql_execute";

    /// <inheritdoc />
    public string Description => "Run a saved query or SQL, optionally writing its rows to a table (overwrite or append).";

    /// <inheritdoc />
    public IReadOnlyList<ParameterSpec> Config { get; } =
    [
        new("query_ref", ParameterType.String, "A saved query's dotted name, e.g. analytics.queries.churn_feature_set (or give sql)."),
        new("sql", ParameterType.Sql, "SQL to run when no query_ref is given."),
        new("target_table", ParameterType.String, "catalog.schema.table to write the query's rows to."),
        new("write_mode", ParameterType.String, "overwrite replaces the table atomically; append inserts the rows.")
        {
            Default = JsonValue.Create("overwrite"),
            AllowedValues = ["overwrite", "append"],
        },
    ];

    /// <inheritdoc />
    public async Task<IReadOnlyList<ConfigProblem>> ValidateAsync(JsonElement config, IServiceProvider platform, CancellationToken cancellationToken)
    {
        var problems = new List<ConfigProblem>();
        var queryRef = config.Text("query_ref");
        var inline = config.Text("sql");
        if ((queryRef is null) == (inline is null))
        {
            problems.Add(new ConfigProblem(queryRef is null ? "query_ref" : "sql", "Give exactly one of query_ref (a saved query) or sql."));
        }
        else if (queryRef is not null && await saved.GetAsync(queryRef, cancellationToken).ConfigureAwait(false) is null)
        {
            problems.Add(new ConfigProblem("query_ref", $"No saved query is named '{queryRef}'. Save it in the Query Editor or with POST /api/queries first."));
        }

        if (config.Text("target_table") is { } target && !TableRef.TryParse(target, out _))
        {
            problems.Add(new ConfigProblem("target_table", $"'{target}' is not a table name; write catalog.schema.table, e.g. analytics.derived.churn_features."));
        }

        return problems;
    }

    /// <inheritdoc />
    public async Task<TaskOutcome> ExecuteAsync(TaskContext context, CancellationToken cancellationToken)
    {
        var config = context.Config;
        var queryRef = config.Text("query_ref");
        string text;
        if (queryRef is not null)
        {
            var query = await saved.GetAsync(queryRef, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"The saved query '{queryRef}' no longer exists.");
            text = query.Sql;
            context.Log.LogInformation("Running saved query {Query} (saved {Saved:u} by {User}).", queryRef, query.UpdatedAt, query.UpdatedBy);
        }
        else
        {
            text = config.Text("sql")!;
        }

        var caller = await OwnerAsync(context.PipelineId, cancellationToken).ConfigureAwait(false);
        TableRef? target = config.Text("target_table") is { } t ? TableRef.Parse(t) : null;
        var append = string.Equals(config.Text("write_mode"), "append", StringComparison.OrdinalIgnoreCase);
        if (target is not null)
        {
            // The schema is made here, not in the SQL: CREATE SCHEMA is a statement only administrators may run by hand.
            // Only where the owner may write at all; elsewhere the CTAS below is refused with the policy's reason.
            if (target.Catalog == SqlPolicy.AnalystCatalog || caller.Role == Role.Admin)
            {
                await warehouse.ExecuteAsync($"CREATE SCHEMA IF NOT EXISTS {TableRef.Quote(target.Catalog)}.{TableRef.Quote(target.Schema)}", cancellationToken).ConfigureAwait(false);
            }

            text = await WriteToAsync(text, target, append, cancellationToken).ConfigureAwait(false);
            context.Log.LogInformation("Writing to {Table} ({Mode}).", target, append ? "append" : "overwrite");
        }

        var outcome = await sql.RunAsync(text, caller, 100, cancellationToken).ConfigureAwait(false);
        if (outcome.Fault is { } fault)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var where = fault.Line is { } line ? $" (line {line}{(fault.Column is { } col ? $", column {col}" : "")})" : "";
            // Permission and syntax faults will not heal on a retry; engine faults (a locked file, memory) may.
            if (fault.Kind is "permission" or "syntax" or "binder")
            {
                return TaskOutcome.Failure($"SQL {fault.Kind} error{where}: {fault.Message}");
            }

            throw new InvalidOperationException($"SQL error{where}: {fault.Message}");
        }

        var answer = outcome.Answer!;
        var outputs = new Dictionary<string, object?> { ["elapsed_ms"] = answer.ElapsedMs };
        string summary;
        if (target is not null)
        {
            var rows = await warehouse.QueryAsync($"SELECT count(*) FROM {target.ToSql()}", cancellationToken).ConfigureAwait(false);
            var count = Convert.ToInt64(rows.Rows[0][0], System.Globalization.CultureInfo.InvariantCulture);
            outputs["target_table"] = target.ToString();
            outputs["rows"] = count;
            summary = $"{target} now has {count:N0} rows ({(append ? "appended" : "overwritten")}) in {answer.ElapsedMs / 1000.0:0.0} s.";
        }
        else
        {
            outputs["rows"] = answer.RowCount;
            summary = answer.Written.Count > 0
                ? $"Wrote {string.Join(", ", answer.Written)} in {answer.ElapsedMs / 1000.0:0.0} s."
                : $"{answer.RowCount:N0} rows in {answer.ElapsedMs / 1000.0:0.0} s.";
        }

        context.Log.LogInformation("{Summary}", summary);
        return new TaskOutcome(true, summary) { Outputs = outputs };
    }

    /// <summary>
    /// Rewrites <paramref name="text"/> so its last statement's rows land in <paramref name="target"/>. The last
    /// statement must be a query or a CREATE TABLE ... AS (whose query is kept, whatever table it named).
    /// </summary>
    internal async Task<string> WriteToAsync(string text, TableRef target, bool append, CancellationToken cancellationToken)
    {
        var statements = SqlStatements.Split(text);
        if (statements.Count == 0)
        {
            throw new InvalidOperationException("The SQL is empty.");
        }

        var last = SqlStatements.WithoutComments(statements[^1].Text).Trim();
        var query = CreateTableAs().Match(last) is { Success: true } ctas ? ctas.Groups["query"].Value : last;
        if (!LooksLikeQuery().IsMatch(query))
        {
            throw new InvalidOperationException("With target_table, the last statement must be a query (SELECT/WITH) or CREATE TABLE ... AS a query.");
        }

        var exists = append && await warehouse.GetSchemaAsync(target, cancellationToken).ConfigureAwait(false) is not null;
        var write = exists
            ? $"INSERT INTO {target.ToSql()} {query}"
            : $"CREATE OR REPLACE TABLE {target.ToSql()} AS {query}";
        return string.Join(";\n", statements.Take(statements.Count - 1).Select(s => s.Text).Append(write));
    }

    private async Task<SqlCaller> OwnerAsync(string pipelineId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var owner = await db.Set<PipelineRecord>().Where(p => p.Id == pipelineId).Select(p => p.Owner).SingleOrDefaultAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Pipeline '{pipelineId}' no longer exists.");
        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.UserName == owner, cancellationToken).ConfigureAwait(false);
        if (user is null || user.Disabled)
        {
            throw new InvalidOperationException($"The pipeline's owner '{owner}' {(user is null ? "no longer exists" : "is disabled")}; save the pipeline as another user.");
        }

        return new SqlCaller(user.UserName, user.Role);
    }

    [GeneratedRegex(@"^CREATE\s+(?:OR\s+REPLACE\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(?:""[^""]+""|[\w$]+)(?:\s*\.\s*(?:""[^""]+""|[\w$]+)){0,2}\s+AS\s+(?<query>.+)$", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex CreateTableAs();

    [GeneratedRegex(@"^\(?\s*(SELECT|WITH|FROM|VALUES|TABLE)\b", RegexOptions.IgnoreCase)]
    private static partial Regex LooksLikeQuery();
}
