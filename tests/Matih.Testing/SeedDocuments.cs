namespace Matih.Testing;

/// <summary>The seed walkthrough's documents exactly as printed, kept once under scripts/seed/.</summary>
public static class SeedDocuments
{
    /// <summary>Stage 1: the PostgreSQL CDC connection (<c>scripts/seed/postgres-connection.json</c>).</summary>
    public static string PostgresConnection => Read("postgres-connection.json");

    /// <summary>Stage 4: the "Daily Churn Feature Refresh" pipeline.</summary>
    public static string ChurnPipeline => Read("churn-feature-refresh.json");

    /// <summary>Stage 5: the churn_features_validation expectation suite.</summary>
    public static string ChurnSuite => Read("churn-features-validation.json");

    private static string Read(string name) => File.ReadAllText(Path.Combine(MatihHost.RepositoryRoot, "scripts", "seed", name));
}
