using Matih.Core.Query;

namespace Matih.Core.Demo;

/// <summary>
/// The seed's Stage 3 churn feature SQL as the saved query <c>analytics.queries.churn_feature_set</c>, which the
/// seed's pipeline refers to by <c>query_ref</c>. The demo saves it so the Stage 4 document works as written.
/// </summary>
public static class ChurnFeatureQuery
{
    /// <summary>The saved query's name.</summary>
    public const string Name = "analytics.queries.churn_feature_set";

    /// <summary>The SQL, verbatim from the seed.</summary>
    public static string Sql { get; } = Read();

    /// <summary>Saves the query unless one by that name exists (a user's edit wins).</summary>
    public static async Task EnsureSavedAsync(SavedQueries saved, CancellationToken cancellationToken)
    {
        if (await saved.GetAsync(Name, cancellationToken).ConfigureAwait(false) is null)
        {
            await saved.SaveAsync(Name, Sql, "NovaMart churn features: one row per customer (seed Stage 3).", "demo", cancellationToken).ConfigureAwait(false);
        }
    }

    private static string Read()
    {
        using var stream = typeof(ChurnFeatureQuery).Assembly.GetManifestResourceStream("Matih.Core.Demo.churn_features.sql")
            ?? throw new InvalidOperationException("The churn feature SQL is not embedded in Matih.Core.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
