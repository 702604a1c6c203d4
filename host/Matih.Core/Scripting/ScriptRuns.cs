using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Matih.Core.Scripting;

/// <summary>
/// One script run in the audit trail: who ran what (by the SHA-256 of its code), from where, when, and how it ended.
/// Written for every run, REPL submission and pipeline step, whatever the outcome.
/// </summary>
public sealed class ScriptRunRecord
{
    /// <summary>The run id.</summary>
    public Guid Id { get; set; }

    /// <summary>The user the script ran as.</summary>
    public required string UserName { get; set; }

    /// <summary>Where it came from: <c>console</c>, <c>api</c>, <c>session:{id}</c>, <c>headless</c>, <c>pipeline:{id}/{task}</c>.</summary>
    public required string Source { get; set; }

    /// <summary>The script's name (a file path, or <c>console</c>).</summary>
    public required string ScriptName { get; set; }

    /// <summary>SHA-256 of the code, lower-case hex: the same code always has the same hash.</summary>
    public required string CodeHash { get; set; }

    /// <summary>The code's length in characters.</summary>
    public int CodeLength { get; set; }

    /// <summary>When it started.</summary>
    public DateTimeOffset StartedAt { get; set; }

    /// <summary>How long it took, in milliseconds.</summary>
    public long ElapsedMs { get; set; }

    /// <summary>succeeded, failed or cancelled.</summary>
    public required string State { get; set; }

    /// <summary>compile_error, exception, timed_out, stack_overflow, out_of_memory, crashed; null when it succeeded.</summary>
    public string? Failure { get; set; }

    /// <summary>The outcome in words.</summary>
    public required string Message { get; set; }
}

/// <summary>Maps <see cref="ScriptRunRecord"/> to <c>script_runs</c>.</summary>
internal sealed class ScriptRunRecordConfiguration : IEntityTypeConfiguration<ScriptRunRecord>
{
    public void Configure(EntityTypeBuilder<ScriptRunRecord> builder)
    {
        builder.ToTable("script_runs");
        builder.HasKey(r => r.Id);
        builder.Property(r => r.UserName).HasMaxLength(200);
        builder.Property(r => r.Source).HasMaxLength(400);
        builder.Property(r => r.ScriptName).HasMaxLength(1000);
        builder.Property(r => r.CodeHash).HasMaxLength(64);
        builder.Property(r => r.State).HasMaxLength(20);
        builder.Property(r => r.Failure).HasMaxLength(40);
        builder.Property(r => r.Message).HasMaxLength(4000);
        builder.HasIndex(r => r.StartedAt);
        builder.HasIndex(r => r.UserName);
    }
}
