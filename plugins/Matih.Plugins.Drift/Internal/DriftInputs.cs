using Matih.Sdk.Drift;

namespace Matih.Plugins.Drift.Internal;

/// <summary>
/// Checks what a detector was given. A sample without any array counts as empty (a window with no rows); a
/// sample that sets both <see cref="DriftSample.Numeric"/> and <see cref="DriftSample.Categorical"/>, or two
/// samples of different kinds, is a caller's mistake and gives an <see cref="ArgumentException"/>.
/// </summary>
internal static class DriftInputs
{
    /// <summary>Decides whether a pair of samples is numeric or categorical.</summary>
    public static DriftInputKind Kind(string method, DriftSample reference, DriftSample current, IReadOnlyList<DriftInputKind> accepts)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(current);
        var referenceKind = KindOf(method, reference, nameof(reference));
        var currentKind = KindOf(method, current, nameof(current));
        if (referenceKind is { } r && currentKind is { } c && r != c)
        {
            throw new ArgumentException(
                $"{method}: the reference is {Name(r)} but the current window is {Name(c)}; both sides must be of one kind.",
                nameof(current));
        }

        var kind = referenceKind ?? currentKind ?? accepts[0];
        if (!accepts.Contains(kind))
        {
            throw new ArgumentException(
                $"{method} compares {string.Join(" or ", accepts.Select(Name))} values, not {Name(kind)} ones.",
                referenceKind is null ? nameof(current) : nameof(reference));
        }

        return kind;
    }

    private static DriftInputKind? KindOf(string method, DriftSample sample, string side)
    {
        if (sample.Numeric is not null && sample.Categorical is not null)
        {
            throw new ArgumentException($"{method}: the {side} sample sets both Numeric and Categorical; set one.", side);
        }

        return sample.Numeric is not null ? DriftInputKind.Numeric
            : sample.Categorical is not null ? DriftInputKind.Categorical
            : null;
    }

    private static string Name(DriftInputKind kind) => kind switch
    {
        DriftInputKind.Numeric => "numeric",
        DriftInputKind.Categorical => "categorical",
        _ => "labelled",
    };
}
