using System.Globalization;
using System.Text.RegularExpressions;

namespace Matih.Core.Models;

/// <summary>
/// A Semantic Versioning 2.0.0 version (<c>1.0.0</c>, <c>2.1.0-rc.1+build.7</c>), parsed with the regular expression
/// the specification publishes and ordered by its precedence rules (build metadata ignored).
/// </summary>
public sealed partial class SemanticVersion : IComparable<SemanticVersion>
{
    private readonly string[] _prerelease;

    private SemanticVersion(string text, long major, long minor, long patch, string[] prerelease)
    {
        Text = text;
        Major = major;
        Minor = minor;
        Patch = patch;
        _prerelease = prerelease;
    }

    /// <summary>The version as written.</summary>
    public string Text { get; }

    /// <summary>Major version.</summary>
    public long Major { get; }

    /// <summary>Minor version.</summary>
    public long Minor { get; }

    /// <summary>Patch version.</summary>
    public long Patch { get; }

    /// <summary>True for pre-release versions (<c>1.0.0-rc.1</c>).</summary>
    public bool IsPrerelease => _prerelease.Length > 0;

    /// <summary>Parses <paramref name="text"/>; false when it is not a semantic version.</summary>
    public static bool TryParse(string? text, out SemanticVersion version)
    {
        version = null!;
        if (text is null || text.Length > 128)
        {
            return false;
        }

        var match = Pattern().Match(text);
        if (!match.Success
            || !long.TryParse(match.Groups["major"].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var major)
            || !long.TryParse(match.Groups["minor"].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var minor)
            || !long.TryParse(match.Groups["patch"].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var patch))
        {
            return false;
        }

        var prerelease = match.Groups["prerelease"].Success ? match.Groups["prerelease"].Value.Split('.') : [];
        version = new SemanticVersion(text, major, minor, patch, prerelease);
        return true;
    }

    /// <inheritdoc />
    public int CompareTo(SemanticVersion? other)
    {
        if (other is null)
        {
            return 1;
        }

        var core = (Major, Minor, Patch).CompareTo((other.Major, other.Minor, other.Patch));
        if (core != 0)
        {
            return core;
        }

        // A pre-release ranks below its release; identifiers compare numerically when both are numbers.
        if (_prerelease.Length == 0 || other._prerelease.Length == 0)
        {
            return Math.Sign(other._prerelease.Length.CompareTo(_prerelease.Length));
        }

        for (var i = 0; i < Math.Min(_prerelease.Length, other._prerelease.Length); i++)
        {
            var a = _prerelease[i];
            var b = other._prerelease[i];
            var aNumber = long.TryParse(a, NumberStyles.None, CultureInfo.InvariantCulture, out var x);
            var bNumber = long.TryParse(b, NumberStyles.None, CultureInfo.InvariantCulture, out var y);
            var c = (aNumber, bNumber) switch
            {
                (true, true) => x.CompareTo(y),
                (true, false) => -1,
                (false, true) => 1,
                _ => string.CompareOrdinal(a, b),
            };
            if (c != 0)
            {
                return Math.Sign(c);
            }
        }

        return _prerelease.Length.CompareTo(other._prerelease.Length);
    }

    /// <inheritdoc />
    public override string ToString() => Text;

    // From https://semver.org/#is-there-a-suggested-regular-expression-regex-to-check-a-semver-string
    [GeneratedRegex(@"^(?<major>0|[1-9]\d*)\.(?<minor>0|[1-9]\d*)\.(?<patch>0|[1-9]\d*)(?:-(?<prerelease>(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+(?<buildmetadata>[0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$")]
    private static partial Regex Pattern();
}
