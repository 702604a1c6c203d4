using System.Security.Cryptography;
using Matih.Core.Metadata;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Matih.Core.Users;

/// <summary>The outcome of a sign-in attempt; a refusal says why in words a user can act on.</summary>
/// <param name="User">The signed-in user, or null.</param>
/// <param name="Error">Why sign-in was refused.</param>
public sealed record SignInOutcome(UserAccount? User, string? Error)
{
    /// <summary>True when the credentials were accepted.</summary>
    public bool Succeeded => User is not null;
}

/// <summary>Users: creating them, checking passwords, locking out repeated failures.</summary>
public sealed class UserDirectory(IDbContextFactory<MetadataDbContext> contexts, TimeProvider clock)
{
    /// <summary>Failed attempts before a lockout.</summary>
    public const int MaxFailedSignIns = 5;

    /// <summary>How long a lockout lasts.</summary>
    public static readonly TimeSpan LockoutDuration = TimeSpan.FromMinutes(5);

    private readonly PasswordHasher<UserAccount> _hasher = new();

    /// <summary>
    /// Creates the <c>admin</c> user when no user exists. Returns the password to print once when it was generated
    /// (no <paramref name="configuredPassword"/>), else null.
    /// </summary>
    public async Task<string?> EnsureAdminAsync(string? configuredPassword, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        if (await db.Users.AnyAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        var generated = string.IsNullOrEmpty(configuredPassword);
        var password = generated ? GeneratePassword() : configuredPassword!;
        db.Users.Add(NewUser("admin", password, Role.Admin));
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return generated ? password : null;
    }

    /// <summary>Creates a user.</summary>
    /// <exception cref="ArgumentException">The name is taken or the password is too weak.</exception>
    public async Task<UserAccount> CreateAsync(string userName, string password, Role role, CancellationToken cancellationToken)
    {
        if (PasswordProblem(password) is { } problem)
        {
            throw new ArgumentException(problem, nameof(password));
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        if (await db.Users.AnyAsync(u => u.UserName == userName, cancellationToken).ConfigureAwait(false))
        {
            throw new ArgumentException($"A user named '{userName}' already exists.", nameof(userName));
        }

        var user = NewUser(userName, password, role);
        db.Users.Add(user);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return user;
    }

    /// <summary>Every user, by name.</summary>
    public async Task<IReadOnlyList<UserAccount>> ListAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        return await db.Users.AsNoTracking().OrderBy(u => u.UserName).ToListAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Checks a user name and password, counting failures and locking the account after too many.</summary>
    public async Task<SignInOutcome> SignInAsync(string userName, string password, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var user = await db.Users.SingleOrDefaultAsync(u => u.UserName == userName, cancellationToken).ConfigureAwait(false);
        const string wrong = "Unknown user name or wrong password.";
        if (user is null)
        {
            return new SignInOutcome(null, wrong);
        }

        var now = clock.GetUtcNow();
        if (user.Disabled)
        {
            return new SignInOutcome(null, "This account is disabled; ask an administrator.");
        }

        if (user.LockedUntil is { } until && until > now)
        {
            return new SignInOutcome(null, $"Too many failed sign-ins; try again after {until:HH:mm} UTC.");
        }

        var verdict = _hasher.VerifyHashedPassword(user, user.PasswordHash, password);
        if (verdict == PasswordVerificationResult.Failed)
        {
            user.FailedSignIns++;
            if (user.FailedSignIns >= MaxFailedSignIns)
            {
                user.LockedUntil = now + LockoutDuration;
                user.FailedSignIns = 0;
            }

            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            return new SignInOutcome(null, wrong);
        }

        if (verdict == PasswordVerificationResult.SuccessRehashNeeded)
        {
            user.PasswordHash = _hasher.HashPassword(user, password);
        }

        user.FailedSignIns = 0;
        user.LockedUntil = null;
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return new SignInOutcome(user, null);
    }

    /// <summary>Why <paramref name="password"/> is too weak, or null when it is acceptable.</summary>
    public static string? PasswordProblem(string password) =>
        password.Length < 10 ? "Passwords need at least 10 characters." : null;

    private UserAccount NewUser(string userName, string password, Role role)
    {
        var user = new UserAccount { UserName = userName, PasswordHash = "", Role = role };
        user.PasswordHash = _hasher.HashPassword(user, password);
        return user;
    }

    private static string GeneratePassword()
    {
        const string alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        return RandomNumberGenerator.GetString(alphabet, 20);
    }
}
