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
    public static readonly TimeSpan LockoutDuration = TimeSpan.FromMinutes(15);

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
    /// <exception cref="ArgumentException">The name is taken or invalid, or the password breaks a rule.</exception>
    public async Task<UserAccount> CreateAsync(string userName, string password, Role role, CancellationToken cancellationToken)
    {
        if (UserNameProblem(userName) is { } nameProblem)
        {
            throw new ArgumentException(nameProblem, nameof(userName));
        }

        if (PasswordRules.Problems(password, userName) is [var problem, ..])
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

    /// <summary>The user with <paramref name="id"/>, or null.</summary>
    public async Task<UserAccount?> FindAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        return await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == id, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>True when <paramref name="id"/> names a user who exists and is not disabled (checked on every request).</summary>
    public async Task<bool> IsActiveAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        return await db.Users.AnyAsync(u => u.Id == id && !u.Disabled, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Disables or enables a user. A disabled user cannot sign in, and their tokens (JWTs and API tokens) stop working
    /// on the next request. Returns null when there is no such user.
    /// </summary>
    /// <exception cref="ArgumentException">It would disable the last enabled admin.</exception>
    public Task<UserAccount?> SetDisabledAsync(Guid id, bool disabled, CancellationToken cancellationToken) =>
        ChangeAsync(id, cancellationToken, async (db, user) =>
        {
            if (disabled && user.Role == Role.Admin && !user.Disabled && await IsLastAdminAsync(db, user, cancellationToken).ConfigureAwait(false))
            {
                throw new ArgumentException("This is the last enabled admin; make another admin first.", nameof(disabled));
            }

            user.Disabled = disabled;
        });

    /// <summary>Gives a user another role. Returns null when there is no such user.</summary>
    /// <exception cref="ArgumentException">It would demote the last enabled admin.</exception>
    public Task<UserAccount?> SetRoleAsync(Guid id, Role role, CancellationToken cancellationToken) =>
        ChangeAsync(id, cancellationToken, async (db, user) =>
        {
            if (role != Role.Admin && user.Role == Role.Admin && !user.Disabled && await IsLastAdminAsync(db, user, cancellationToken).ConfigureAwait(false))
            {
                throw new ArgumentException("This is the last enabled admin; make another admin first.", nameof(role));
            }

            user.Role = role;
        });

    /// <summary>Sets a new password and lifts a lockout. Returns null when there is no such user.</summary>
    /// <exception cref="ArgumentException">The password breaks a rule.</exception>
    public Task<UserAccount?> ResetPasswordAsync(Guid id, string password, CancellationToken cancellationToken) =>
        ChangeAsync(id, cancellationToken, (_, user) =>
        {
            if (PasswordRules.Problems(password, user.UserName) is [var problem, ..])
            {
                throw new ArgumentException(problem, nameof(password));
            }

            user.PasswordHash = _hasher.HashPassword(user, password);
            user.FailedSignIns = 0;
            user.LockedUntil = null;
            return Task.CompletedTask;
        });

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
    public static string? PasswordProblem(string password) => PasswordRules.Problems(password) is [var first, ..] ? first : null;

    /// <summary>Why <paramref name="userName"/> cannot be a sign-in name, or null when it can.</summary>
    public static string? UserNameProblem(string userName) =>
        string.IsNullOrWhiteSpace(userName) ? "username is required."
        : userName.Length > 100 ? "User names have at most 100 characters."
        : userName.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)) ? "User names cannot contain spaces."
        : null;

    private async Task<UserAccount?> ChangeAsync(Guid id, CancellationToken cancellationToken, Func<MetadataDbContext, UserAccount, Task> change)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var user = await db.Users.SingleOrDefaultAsync(u => u.Id == id, cancellationToken).ConfigureAwait(false);
        if (user is null)
        {
            return null;
        }

        await change(db, user).ConfigureAwait(false);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return user;
    }

    private static async Task<bool> IsLastAdminAsync(MetadataDbContext db, UserAccount user, CancellationToken cancellationToken) =>
        !await db.Users.AnyAsync(u => u.Id != user.Id && u.Role == Role.Admin && !u.Disabled, cancellationToken).ConfigureAwait(false);

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
