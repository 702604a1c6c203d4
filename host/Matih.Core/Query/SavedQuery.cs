namespace Matih.Core.Query;

/// <summary>A saved query with a dotted name (<c>analytics.queries.churn_feature_set</c>) pipelines can refer to.</summary>
public sealed class SavedQuery
{
    /// <summary>The dotted name, unique.</summary>
    public required string Name { get; set; }

    /// <summary>The SQL.</summary>
    public required string Sql { get; set; }

    /// <summary>What it is for.</summary>
    public string? Description { get; set; }

    /// <summary>Who saved it last.</summary>
    public string? UpdatedBy { get; set; }

    /// <summary>When it was saved last.</summary>
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>A statement a user ran, for the Query Editor's history.</summary>
public sealed class QueryHistoryEntry
{
    /// <summary>Surrogate key.</summary>
    public long Id { get; set; }

    /// <summary>Who ran it.</summary>
    public required string UserName { get; set; }

    /// <summary>The SQL as typed.</summary>
    public required string Sql { get; set; }

    /// <summary>When it started.</summary>
    public DateTimeOffset StartedAt { get; set; }

    /// <summary>How long it took.</summary>
    public long ElapsedMs { get; set; }

    /// <summary>Rows returned.</summary>
    public long RowCount { get; set; }

    /// <summary>Why it failed, when it did.</summary>
    public string? Error { get; set; }
}
