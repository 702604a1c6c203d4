namespace Matih.Testing;

/// <summary>The seed walkthrough's documents exactly as printed, kept once under scripts/seed/.</summary>
public static class SeedDocuments
{
    /// <summary>Stage 1: the PostgreSQL CDC connection (<c>scripts/seed/postgres-connection.json</c>).</summary>
    public static string PostgresConnection => File.ReadAllText(Path.Combine(MatihHost.RepositoryRoot, "scripts", "seed", "postgres-connection.json"));
}
