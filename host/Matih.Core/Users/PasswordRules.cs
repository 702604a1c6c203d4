namespace Matih.Core.Users;

/// <summary>What a password must be: long enough to resist guessing, short enough to hash, not the user name.</summary>
public static class PasswordRules
{
    /// <summary>The shortest password accepted.</summary>
    public const int MinimumLength = 10;

    /// <summary>The longest password accepted (PBKDF2 hashes anything, but a megabyte password is an attack).</summary>
    public const int MaximumLength = 128;

    /// <summary>Every rule <paramref name="password"/> breaks, in words a user can act on; empty when it is acceptable.</summary>
    public static IReadOnlyList<string> Problems(string password, string? userName = null)
    {
        var problems = new List<string>();
        if (password.Length < MinimumLength)
        {
            problems.Add($"Passwords need at least {MinimumLength} characters.");
        }

        if (password.Length > MaximumLength)
        {
            problems.Add($"Passwords may have at most {MaximumLength} characters.");
        }

        if (password.Length > 0 && password.Trim().Length == 0)
        {
            problems.Add("Passwords cannot be only spaces.");
        }
        else if (password.Length >= MinimumLength && password.Distinct().Count() < 4)
        {
            problems.Add("Passwords need at least 4 different characters.");
        }

        if (!string.IsNullOrWhiteSpace(userName) && password.Contains(userName, StringComparison.OrdinalIgnoreCase))
        {
            problems.Add("Passwords cannot contain the user name.");
        }

        return problems;
    }
}
