using System.Text;

namespace Matih.Host.Tests.Security;

/// <summary>The least a caller needs for a route: nothing, or one of the roles (each includes the ones before it).</summary>
public enum Access
{
    Anonymous,
    Viewer,
    Analyst,
    Admin,
}

/// <summary>One route and the least role that may call it.</summary>
public sealed record RouteRule(string Method, string Pattern, Access Minimum, string What);

/// <summary>
/// Who may call each /api and /serve route. The role-matrix test walks every row with every role and checks the
/// running host lists no route without a row; docs/security.md shows the table generated from these rows.
/// </summary>
public static class RoleMatrix
{
    public static readonly IReadOnlyList<RouteRule> Rules =
    [
        new("GET", "/health", Access.Anonymous, "Health of the stores and plugins"),
        new("POST", "/api/auth/token", Access.Anonymous, "Sign in for a JWT"),

        new("GET", "/api/abtests", Access.Viewer, "List A/B tests"),
        new("POST", "/api/abtests", Access.Analyst, "Create an A/B test"),
        new("GET", "/api/abtests/metrics", Access.Viewer, "List A/B metrics"),
        new("POST", "/api/abtests/metrics", Access.Analyst, "Define an A/B metric"),
        new("GET", "/api/abtests/{name}", Access.Viewer, "Read an A/B test"),
        new("POST", "/api/abtests/{name}/promote", Access.Analyst, "Promote an A/B winner"),
        new("GET", "/api/abtests/{name}/results", Access.Viewer, "A/B test results"),

        new("GET", "/api/audit", Access.Admin, "Read the audit log"),
        new("GET", "/api/audit.csv", Access.Admin, "Export the audit log"),

        new("GET", "/api/catalog/search", Access.Viewer, "Search the catalog"),
        new("GET", "/api/catalog/tables/{name}", Access.Viewer, "Read a table's entry"),
        new("GET", "/api/catalog/tables/{name}/lineage", Access.Viewer, "A table's lineage"),
        new("GET", "/api/catalog/tables/{name}/preview", Access.Viewer, "Preview a table"),
        new("GET", "/api/catalog/tables/{name}/profile", Access.Viewer, "Profile a table"),
        new("GET", "/api/catalog/tables/{name}/profiles", Access.Viewer, "A table's profile history"),

        new("GET", "/api/connections", Access.Viewer, "List connections"),
        new("POST", "/api/connections", Access.Analyst, "Create a connection"),
        new("POST", "/api/connections/check", Access.Analyst, "Check connection settings"),
        new("POST", "/api/connections/discover", Access.Analyst, "Discover a source's streams"),
        new("GET", "/api/connections/{id}", Access.Viewer, "Read a connection"),
        new("GET", "/api/connections/{id}/diagnostics", Access.Viewer, "A connection's diagnostics"),
        new("GET", "/api/connections/{id}/runs", Access.Viewer, "A connection's sync runs"),
        new("GET", "/api/connections/{id}/runs/{runId:guid}", Access.Viewer, "Read a sync run"),
        new("POST", "/api/connections/{id}/runs/{runId:guid}/cancel", Access.Analyst, "Cancel a sync run"),
        new("POST", "/api/connections/{id}/sync", Access.Analyst, "Start a sync"),
        new("GET", "/api/connectors", Access.Viewer, "List connector types"),

        new("POST", "/api/demo/traffic", Access.Analyst, "Replay demo traffic"),

        new("GET", "/api/deployments", Access.Viewer, "List deployments"),
        new("POST", "/api/deployments", Access.Analyst, "Deploy a model"),
        new("GET", "/api/deployments/{name}", Access.Viewer, "Read a deployment"),
        new("PUT", "/api/deployments/{name}", Access.Analyst, "Replace a deployment"),
        new("DELETE", "/api/deployments/{name}", Access.Analyst, "Remove a deployment"),
        new("POST", "/api/deployments/{name}/update", Access.Analyst, "Update a deployment"),

        new("GET", "/api/experiments", Access.Viewer, "List experiments"),
        new("GET", "/api/experiments/{name}/runs", Access.Viewer, "List an experiment's runs"),
        new("POST", "/api/experiments/{name}/runs", Access.Analyst, "Start a training run"),
        new("GET", "/api/experiments/{name}/runs/{run}", Access.Viewer, "Read a run"),
        new("POST", "/api/experiments/{name}/runs/{run}/cancel", Access.Analyst, "Cancel a run"),

        new("GET", "/api/features", Access.Viewer, "List feature groups"),
        new("POST", "/api/features", Access.Analyst, "Define a feature group"),
        new("GET", "/api/features/{group}", Access.Viewer, "Read a feature group"),
        new("GET", "/api/features/{group}/online/{key}", Access.Viewer, "Online feature lookup"),

        new("POST", "/api/files/import", Access.Analyst, "Import a file"),
        new("POST", "/api/files/preview", Access.Viewer, "Preview a file"),

        new("GET", "/api/models", Access.Viewer, "List models"),
        new("POST", "/api/models", Access.Analyst, "Register a model version"),
        new("GET", "/api/models/{name}/history", Access.Viewer, "A model's stage history"),
        new("GET", "/api/models/{name}/versions", Access.Viewer, "List a model's versions"),
        new("GET", "/api/models/{name}/versions/{version}", Access.Viewer, "Read a model version"),
        new("POST", "/api/models/{name}/versions/{version}/stage", Access.Analyst, "Promote a model version"),

        new("GET", "/api/monitors", Access.Viewer, "List monitors"),
        new("POST", "/api/monitors", Access.Analyst, "Create a monitor"),
        new("GET", "/api/monitors/{name}", Access.Viewer, "Read a monitor"),
        new("DELETE", "/api/monitors/{name}", Access.Analyst, "Remove a monitor"),
        new("GET", "/api/monitors/{name}/alerts", Access.Viewer, "A monitor's alerts"),
        new("POST", "/api/monitors/{name}/evaluate", Access.Analyst, "Evaluate a monitor now"),
        new("GET", "/api/monitors/{name}/report", Access.Viewer, "A monitor's report"),

        new("GET", "/api/pipelines", Access.Viewer, "List pipelines"),
        new("POST", "/api/pipelines", Access.Analyst, "Create a pipeline"),
        new("GET", "/api/pipelines/task-types", Access.Viewer, "List task types"),
        new("POST", "/api/pipelines/validate", Access.Analyst, "Validate a pipeline"),
        new("GET", "/api/pipelines/{id}", Access.Viewer, "Read a pipeline"),
        new("PUT", "/api/pipelines/{id}", Access.Analyst, "Replace a pipeline"),
        new("DELETE", "/api/pipelines/{id}", Access.Analyst, "Remove a pipeline"),
        new("GET", "/api/pipelines/{id}/runs", Access.Viewer, "List a pipeline's runs"),
        new("POST", "/api/pipelines/{id}/runs", Access.Analyst, "Run a pipeline"),
        new("GET", "/api/pipelines/{id}/runs/{runId:guid}", Access.Viewer, "Read a pipeline run"),
        new("POST", "/api/pipelines/{id}/runs/{runId:guid}/cancel", Access.Analyst, "Cancel a pipeline run"),
        new("POST", "/api/pipelines/{id}/runs/{runId:guid}/rerun", Access.Analyst, "Re-run a pipeline run"),

        new("GET", "/api/plugins", Access.Viewer, "List plugins"),
        new("POST", "/api/plugins", Access.Admin, "Install a plugin"),
        new("GET", "/api/plugins/{id}", Access.Admin, "Read a plugin's settings"),
        new("PUT", "/api/plugins/{id}/enabled", Access.Admin, "Enable or disable a plugin"),
        new("PUT", "/api/plugins/{id}/settings", Access.Admin, "Change a plugin's settings"),

        new("POST", "/api/quality/distribution", Access.Viewer, "Compute a column distribution"),
        new("GET", "/api/quality/results/{id:guid}", Access.Viewer, "Read a validation result"),
        new("GET", "/api/quality/rules", Access.Viewer, "List expectation rules"),
        new("GET", "/api/quality/suites", Access.Viewer, "List suites"),
        new("POST", "/api/quality/suites", Access.Analyst, "Create a suite"),
        new("GET", "/api/quality/suites/{name}", Access.Viewer, "Read a suite"),
        new("GET", "/api/quality/suites/{name}/results", Access.Viewer, "A suite's results"),
        new("POST", "/api/quality/suites/{name}/validate", Access.Analyst, "Validate a suite now"),

        new("GET", "/api/queries", Access.Viewer, "List saved queries"),
        new("POST", "/api/queries", Access.Analyst, "Save a query"),
        new("GET", "/api/queries/{name}", Access.Viewer, "Read a saved query"),

        new("GET", "/api/routes", Access.Admin, "List the API's routes"),

        new("POST", "/api/scripts/complete", Access.Admin, "Script completions"),
        new("POST", "/api/scripts/run", Access.Admin, "Run a script"),
        new("GET", "/api/scripts/runs", Access.Admin, "Script run audit"),
        new("GET", "/api/scripts/sessions", Access.Admin, "List script sessions"),
        new("POST", "/api/scripts/sessions", Access.Admin, "Open a script session"),
        new("GET", "/api/scripts/sessions/{id:guid}", Access.Admin, "Read a script session"),
        new("DELETE", "/api/scripts/sessions/{id:guid}", Access.Admin, "Close a script session"),
        new("POST", "/api/scripts/sessions/{id:guid}/submit", Access.Admin, "Run code in a session"),

        new("GET", "/api/secrets", Access.Admin, "List secret names (never values)"),
        new("PUT", "/api/secrets/{name}", Access.Admin, "Set a secret (write-only)"),
        new("DELETE", "/api/secrets/{name}", Access.Admin, "Delete a secret"),

        new("POST", "/api/sql", Access.Viewer, "Run SQL (changes need analyst, checked per statement)"),
        new("POST", "/api/sql/export", Access.Viewer, "Export a query's result"),
        new("GET", "/api/sql/history", Access.Viewer, "Your SQL history"),

        new("GET", "/api/tokens", Access.Viewer, "List your API tokens"),
        new("POST", "/api/tokens", Access.Viewer, "Make an API token (up to your role)"),
        new("DELETE", "/api/tokens/{id:guid}", Access.Viewer, "Revoke your API token"),

        new("GET", "/api/trainers", Access.Viewer, "List trainers"),

        new("GET", "/api/users", Access.Admin, "List users"),
        new("POST", "/api/users", Access.Admin, "Create a user"),
        new("GET", "/api/users/{id:guid}", Access.Admin, "Read a user"),
        new("PATCH", "/api/users/{id:guid}", Access.Admin, "Change a user's role or disable them"),
        new("POST", "/api/users/{id:guid}/password", Access.Admin, "Reset a user's password"),

        new("POST", "/serve/{deployment}/predict", Access.Viewer, "Predict with a deployment"),
        new("GET", "/serve/{deployment}/{**path}", Access.Viewer, "A deployment's health"),
    ];

    /// <summary>The rows as the Markdown table in docs/security.md.</summary>
    public static string Markdown()
    {
        var text = new StringBuilder();
        text.Append("| Method | Route | What | anonymous | viewer | analyst | admin |\n");
        text.Append("|---|---|---|:-:|:-:|:-:|:-:|\n");
        foreach (var rule in Rules)
        {
            text.Append(System.FormattableString.Invariant($"| {rule.Method} | `{rule.Pattern}` | {rule.What} |"));
            foreach (var role in Enum.GetValues<Access>())
            {
                text.Append(role >= rule.Minimum ? " yes |" : " no |");
            }

            text.Append('\n');
        }

        return text.ToString();
    }
}
