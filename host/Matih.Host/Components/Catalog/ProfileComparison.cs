using Matih.Core.Catalog;

namespace Matih.Host.Components.Catalog;

/// <summary>How one column's profile differs from an earlier profile of the same table.</summary>
/// <param name="Column">The column.</param>
/// <param name="NullPercentBefore">Its null share then, or null when the column is new.</param>
/// <param name="DistinctBefore">Its distinct count then, when known.</param>
/// <param name="NullsChanged">True when the null share moved by at least <see cref="ProfileComparison.NullTolerance"/> points.</param>
/// <param name="DistinctChanged">True when the distinct count changed.</param>
public sealed record ColumnChange(string Column, double? NullPercentBefore, long? DistinctBefore, bool NullsChanged, bool DistinctChanged)
{
    /// <summary>True when the column was not in the earlier profile.</summary>
    public bool IsNew => NullPercentBefore is null;
}

/// <summary>Compares two profiles of a table column by column, so "profile changed since last week" is visible.</summary>
public static class ProfileComparison
{
    /// <summary>Null shares closer than this (in percentage points) count as unchanged.</summary>
    public const double NullTolerance = 0.05;

    /// <summary>Each column of <paramref name="current"/> against the same column in <paramref name="earlier"/>.</summary>
    public static IReadOnlyDictionary<string, ColumnChange> Compare(TableProfileResult current, TableProfileResult earlier)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(earlier);
        var before = earlier.Columns.ToDictionary(c => c.Column, StringComparer.Ordinal);
        return current.Columns.ToDictionary(c => c.Column, c => before.TryGetValue(c.Column, out var then)
            ? new ColumnChange(c.Column, then.NullPercent, then.Distinct, Math.Abs(c.NullPercent - then.NullPercent) >= NullTolerance, c.Distinct != then.Distinct)
            : new ColumnChange(c.Column, null, null, false, false), StringComparer.Ordinal);
    }

    /// <summary>Columns the earlier profile had that the current one lacks.</summary>
    public static IReadOnlyList<string> Dropped(TableProfileResult current, TableProfileResult earlier)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(earlier);
        var now = current.Columns.Select(c => c.Column).ToHashSet(StringComparer.Ordinal);
        return earlier.Columns.Select(c => c.Column).Where(c => !now.Contains(c)).ToArray();
    }
}
