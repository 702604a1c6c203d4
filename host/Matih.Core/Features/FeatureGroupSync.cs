namespace Matih.Core.Features;

/// <summary>
/// What a <c>feature_store_sync</c> task asks for: register or refresh <paramref name="FeatureGroup"/> from
/// <paramref name="SourceTable"/>, one entity per <paramref name="EntityKey"/>, the latest row per entity chosen by
/// <paramref name="TimestampColumn"/>.
/// </summary>
/// <param name="FeatureGroup">The group's name (<c>customer_churn_features</c>): lower-case letters, digits, underscores.</param>
/// <param name="SourceTable">The warehouse table to read (<c>analytics.derived.churn_features</c>).</param>
/// <param name="EntityKey">The column identifying an entity (<c>customer_id</c>).</param>
/// <param name="TimestampColumn">The column saying how recent a row is (<c>last_order_date</c>).</param>
public sealed record FeatureGroupSync(string FeatureGroup, string SourceTable, string EntityKey, string TimestampColumn)
{
    /// <summary>The config key of <see cref="FeatureGroup"/> in pipeline documents and the API.</summary>
    public const string FeatureGroupField = "feature_group";

    /// <summary>The config key of <see cref="SourceTable"/>.</summary>
    public const string SourceTableField = "source_table";

    /// <summary>The config key of <see cref="EntityKey"/>.</summary>
    public const string EntityKeyField = "entity_key";

    /// <summary>The config key of <see cref="TimestampColumn"/>.</summary>
    public const string TimestampColumnField = "timestamp_column";
}

/// <summary>Why a sync cannot run, naming the config entry at fault.</summary>
/// <param name="Field">The config key: <c>feature_group</c>, <c>source_table</c>, <c>entity_key</c> or <c>timestamp_column</c>.</param>
/// <param name="Message">What is wrong, in words.</param>
public sealed record FeatureSyncProblem(string Field, string Message);

/// <summary>A feature group sync was refused; <see cref="Problems"/> names every config entry at fault.</summary>
public sealed class FeatureStoreException : Exception
{
    /// <summary>Creates the exception from its problems.</summary>
    public FeatureStoreException(IReadOnlyList<FeatureSyncProblem> problems)
        : base(string.Join(" ", problems.Select(p => $"{p.Field}: {p.Message}")))
    {
        Problems = problems;
    }

    /// <summary>Creates the exception for one problem.</summary>
    public FeatureStoreException(string field, string message)
        : this([new FeatureSyncProblem(field, message)])
    {
    }

    /// <summary>Every problem found.</summary>
    public IReadOnlyList<FeatureSyncProblem> Problems { get; }
}
