using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Matih.Core.Quality;

/// <summary>A stored expectation suite: the document as posted, and who saved it when.</summary>
public sealed class StoredSuite
{
    /// <summary>The suite name, unique.</summary>
    public required string Name { get; set; }

    /// <summary>The table it validates by default, or null.</summary>
    public string? Dataset { get; set; }

    /// <summary>The suite document exactly as posted.</summary>
    public required string Document { get; set; }

    /// <summary>Number of expectations.</summary>
    public int Expectations { get; set; }

    /// <summary>When it was first saved.</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When it was last saved.</summary>
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>Who saved it last.</summary>
    public string? UpdatedBy { get; set; }
}

/// <summary>One stored validation run of a suite over a table.</summary>
public sealed class ValidationRecord
{
    /// <summary>The run id.</summary>
    public Guid Id { get; set; }

    /// <summary>The suite validated.</summary>
    public required string SuiteName { get; set; }

    /// <summary>The table validated (three-part name).</summary>
    public required string Dataset { get; set; }

    /// <summary>When it ran.</summary>
    public DateTimeOffset RunAt { get; set; }

    /// <summary>Whether every expectation was met.</summary>
    public bool Success { get; set; }

    /// <summary>Expectations evaluated.</summary>
    public int Evaluated { get; set; }

    /// <summary>Expectations met.</summary>
    public int Successful { get; set; }

    /// <summary>Failed expectations of severity error.</summary>
    public int FailedErrors { get; set; }

    /// <summary>Failed expectations of severity warning.</summary>
    public int FailedWarnings { get; set; }

    /// <summary>Who or what started it (a user name, <c>pipeline:churn-feature-refresh</c>).</summary>
    public required string TriggeredBy { get; set; }

    /// <summary>How long the evaluation took, in milliseconds.</summary>
    public double ElapsedMilliseconds { get; set; }

    /// <summary>SQL statements the evaluation issued.</summary>
    public int Queries { get; set; }

    /// <summary>The report in the seed's words.</summary>
    public required string Text { get; set; }

    /// <summary>The result document in Great Expectations' shape.</summary>
    public required string Json { get; set; }
}

/// <summary>Maps <see cref="StoredSuite"/> to <c>quality_suites</c>.</summary>
internal sealed class StoredSuiteConfiguration : IEntityTypeConfiguration<StoredSuite>
{
    public void Configure(EntityTypeBuilder<StoredSuite> builder)
    {
        builder.ToTable("quality_suites");
        builder.HasKey(s => s.Name);
        builder.Property(s => s.Name).HasMaxLength(200);
    }
}

/// <summary>Maps <see cref="ValidationRecord"/> to <c>quality_validations</c>.</summary>
internal sealed class ValidationRecordConfiguration : IEntityTypeConfiguration<ValidationRecord>
{
    public void Configure(EntityTypeBuilder<ValidationRecord> builder)
    {
        builder.ToTable("quality_validations");
        builder.HasKey(v => v.Id);
        builder.HasIndex(v => new { v.SuiteName, v.RunAt });
        builder.HasIndex(v => new { v.Dataset, v.RunAt });
    }
}
