using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Matih.Core.Features;

/// <summary>A feature group in the metadata store: its definition and its latest version's figures.</summary>
public sealed class FeatureGroupRecord
{
    /// <summary>The group's name (key).</summary>
    public required string Name { get; set; }

    /// <summary>The source table, <c>catalog.schema.table</c>.</summary>
    public required string SourceTable { get; set; }

    /// <summary>The entity key column.</summary>
    public required string EntityKey { get; set; }

    /// <summary>The timestamp column.</summary>
    public required string TimestampColumn { get; set; }

    /// <summary>The versioned warehouse table.</summary>
    public required string OfflineTable { get; set; }

    /// <summary>The latest version written.</summary>
    public int LatestVersion { get; set; }

    /// <summary>Rows of the latest version.</summary>
    public long Rows { get; set; }

    /// <summary>Entities of the latest version.</summary>
    public long Entities { get; set; }

    /// <summary>Rows of the latest version with a NULL entity key.</summary>
    public long NullKeyRows { get; set; }

    /// <summary>The latest version's feature columns, as JSON.</summary>
    public string SchemaJson { get; set; } = "[]";

    /// <summary>When the group was first synced.</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When the latest version was written.</summary>
    public DateTimeOffset SyncedAt { get; set; }

    /// <summary>The newest value of the timestamp column in the latest version, as text.</summary>
    public string? NewestTimestamp { get; set; }
}

/// <summary>One version of a feature group.</summary>
public sealed class FeatureGroupVersionRecord
{
    /// <summary>Surrogate key.</summary>
    public long Id { get; set; }

    /// <summary>The group's name.</summary>
    public required string Group { get; set; }

    /// <summary>The version number.</summary>
    public int Version { get; set; }

    /// <summary>The source table it was read from.</summary>
    public required string SourceTable { get; set; }

    /// <summary>The entity key column used.</summary>
    public required string EntityKey { get; set; }

    /// <summary>The timestamp column used.</summary>
    public required string TimestampColumn { get; set; }

    /// <summary>Rows written.</summary>
    public long Rows { get; set; }

    /// <summary>Entities served online.</summary>
    public long Entities { get; set; }

    /// <summary>Rows with a NULL entity key.</summary>
    public long NullKeyRows { get; set; }

    /// <summary>The feature columns, as JSON.</summary>
    public string SchemaJson { get; set; } = "[]";

    /// <summary>When it was written.</summary>
    public DateTimeOffset SyncedAt { get; set; }

    /// <summary>The newest value of the timestamp column, as text.</summary>
    public string? NewestTimestamp { get; set; }

    /// <summary>How long the sync took, in milliseconds.</summary>
    public long ElapsedMilliseconds { get; set; }
}

/// <summary>Maps <see cref="FeatureGroupRecord"/> to <c>feature_groups</c>.</summary>
public sealed class FeatureGroupRecordConfiguration : IEntityTypeConfiguration<FeatureGroupRecord>
{
    /// <inheritdoc />
    public void Configure(EntityTypeBuilder<FeatureGroupRecord> builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.ToTable("feature_groups");
        builder.HasKey(g => g.Name);
        builder.Property(g => g.Name).HasMaxLength(128);
    }
}

/// <summary>Maps <see cref="FeatureGroupVersionRecord"/> to <c>feature_group_versions</c>.</summary>
public sealed class FeatureGroupVersionRecordConfiguration : IEntityTypeConfiguration<FeatureGroupVersionRecord>
{
    /// <inheritdoc />
    public void Configure(EntityTypeBuilder<FeatureGroupVersionRecord> builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.ToTable("feature_group_versions");
        builder.HasKey(v => v.Id);
        builder.HasIndex(v => new { v.Group, v.Version }).IsUnique();
    }
}
