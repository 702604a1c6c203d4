using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;

namespace Matih.Plugins.Notifiers;

/// <summary>
/// Resolves <c>${NAME}</c> references in settings at delivery time, from the host's <c>Secrets:NAME</c> setting or
/// the environment variable <c>NAME</c> (the same rule the host applies to connection secrets). Resolving late
/// lets the host start, and other channels work, while one variable is still unset.
/// </summary>
internal sealed partial class SecretText(IConfiguration? hostConfiguration)
{
    /// <summary>True when <paramref name="text"/> contains at least one <c>${NAME}</c>.</summary>
    public static bool HasReference(string text) => Reference().IsMatch(text);

    /// <summary>
    /// <paramref name="text"/> with every reference replaced, or false with an error naming the setting and the
    /// variable (never a value).
    /// </summary>
    public bool TryResolve(string text, string setting, out string value, out string? error)
    {
        string? missing = null;
        value = Reference().Replace(text, match =>
        {
            var name = match.Groups[1].Value;
            var resolved = hostConfiguration?[$"Secrets:{name}"] ?? Environment.GetEnvironmentVariable(name);
            if (resolved is null)
            {
                missing ??= name;
                return "";
            }

            return resolved;
        });
        error = missing is null
            ? null
            : $"settings.{setting} refers to ${{{missing}}}, which is not set: set the environment variable {missing} or the host setting Secrets:{missing}.";
        return missing is null;
    }

    [GeneratedRegex(@"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")]
    private static partial Regex Reference();
}
