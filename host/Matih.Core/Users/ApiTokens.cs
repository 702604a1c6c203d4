using System.Security.Cryptography;
using System.Text;
using Matih.Core.Metadata;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Matih.Core.Users;

/// <summary>
/// A personal API token: long-lived, revocable, acting with a role no higher than its owner's. Only a SHA-256 hash of
/// the secret is stored; the secret is shown once, when the token is made.
/// </summary>
public sealed class ApiToken
{
    /// <summary>Surrogate key.</summary>
    public Guid Id { get; set; } = Guid.NewGuid();

    /// <summary>The user the token acts for.</summary>
    public Guid UserId { get; set; }

    /// <summary>The owner's sign-in name when the token was made (for lists; the user id is what counts).</summary>
    public required string UserName { get; set; }

    /// <summary>What the owner calls it, e.g. "nightly CI".</summary>
    public required string Name { get; set; }

    /// <summary>The most the token may do; the owner's current role caps it further.</summary>
    public Role Role { get; set; }

    /// <summary>Lower-case hex SHA-256 of the secret.</summary>
    public required string SecretHash { get; set; }

    /// <summary>The first characters of the secret, so a user can tell tokens apart (e.g. <c>mtk_Ab3xY9</c>).</summary>
    public required string Prefix { get; set; }

    /// <summary>When it was made.</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When it stops working by itself; null = until revoked.</summary>
    public DateTimeOffset? ExpiresAt { get; set; }

    /// <summary>When it was revoked; null while it works.</summary>
    public DateTimeOffset? RevokedAt { get; set; }
}

/// <summary>Maps <see cref="ApiToken"/> to <c>api_tokens</c>.</summary>
internal sealed class ApiTokenConfiguration : IEntityTypeConfiguration<ApiToken>
{
    public void Configure(EntityTypeBuilder<ApiToken> token)
    {
        token.ToTable("api_tokens");
        token.HasKey(t => t.Id);
        token.HasIndex(t => t.SecretHash).IsUnique();
        token.HasIndex(t => t.UserId);
        token.Property(t => t.UserName).HasMaxLength(100);
        token.Property(t => t.Name).HasMaxLength(100);
        token.Property(t => t.SecretHash).HasMaxLength(64);
        token.Property(t => t.Prefix).HasMaxLength(20);
        token.Property(t => t.Role).HasConversion<string>().HasMaxLength(20);
    }
}

/// <summary>A new token and its secret, which is never available again.</summary>
/// <param name="Token">The stored token.</param>
/// <param name="Secret">The bearer secret to hand to the user once.</param>
public sealed record IssuedApiToken(ApiToken Token, string Secret);

/// <summary>Who a valid API token acts as.</summary>
/// <param name="TokenId">The token.</param>
/// <param name="UserId">Its owner.</param>
/// <param name="UserName">The owner's sign-in name.</param>
/// <param name="Role">The effective role: the lower of the token's and the owner's current role.</param>
public sealed record ApiTokenIdentity(Guid TokenId, Guid UserId, string UserName, Role Role);

/// <summary>Personal API tokens: issuing, listing, revoking, and checking a presented secret.</summary>
public sealed class ApiTokens(IDbContextFactory<MetadataDbContext> contexts, TimeProvider clock)
{
    /// <summary>Every secret starts with this, so the host can tell an API token from a JWT at a glance.</summary>
    public const string SecretPrefix = "mtk_";

    /// <summary>True when <paramref name="bearer"/> looks like an API token rather than a JWT.</summary>
    public static bool IsApiToken(string bearer) => bearer.StartsWith(SecretPrefix, StringComparison.Ordinal);

    /// <summary>Makes a token for <paramref name="owner"/>.</summary>
    /// <exception cref="ArgumentException">The name is empty or too long, the role is above the owner's, or the expiry is past.</exception>
    public async Task<IssuedApiToken> CreateAsync(UserAccount owner, string name, Role role, DateTimeOffset? expiresAt, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Length > 100)
        {
            throw new ArgumentException("name is required and has at most 100 characters.", nameof(name));
        }

        if (role > owner.Role)
        {
            throw new ArgumentException($"A token cannot do more than its owner: your role is {owner.Role.ToString().ToLowerInvariant()}.", nameof(role));
        }

        var now = clock.GetUtcNow();
        if (expiresAt is { } expiry && expiry <= now)
        {
            throw new ArgumentException("expires_at must be in the future.", nameof(expiresAt));
        }

        const string alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        var secret = SecretPrefix + RandomNumberGenerator.GetString(alphabet, 40);
        var token = new ApiToken
        {
            UserId = owner.Id,
            UserName = owner.UserName,
            Name = name.Trim(),
            Role = role,
            SecretHash = Hash(secret),
            Prefix = secret[..10],
            CreatedAt = now,
            ExpiresAt = expiresAt,
        };
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        db.Set<ApiToken>().Add(token);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return new IssuedApiToken(token, secret);
    }

    /// <summary>The tokens of one user (or of everyone when <paramref name="userId"/> is null), newest first.</summary>
    public async Task<IReadOnlyList<ApiToken>> ListAsync(Guid? userId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var tokens = db.Set<ApiToken>().AsNoTracking();
        if (userId is { } id)
        {
            tokens = tokens.Where(t => t.UserId == id);
        }

        return await tokens.OrderByDescending(t => t.CreatedAt).ToListAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Revokes a token; it is refused from the next request on. Only tokens of <paramref name="ownerId"/> when given
    /// (users revoke their own; admins pass null). Returns null when there is no such token.
    /// </summary>
    public async Task<ApiToken?> RevokeAsync(Guid tokenId, Guid? ownerId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var token = await db.Set<ApiToken>().SingleOrDefaultAsync(t => t.Id == tokenId, cancellationToken).ConfigureAwait(false);
        if (token is null || (ownerId is { } owner && token.UserId != owner))
        {
            return null;
        }

        token.RevokedAt ??= clock.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return token;
    }

    /// <summary>
    /// Who <paramref name="secret"/> acts as, or null when it is unknown, revoked, expired, or its owner is disabled
    /// or gone. Looked up on every request, so a revocation or a disabled owner takes effect at once.
    /// </summary>
    public async Task<ApiTokenIdentity?> ValidateAsync(string secret, CancellationToken cancellationToken)
    {
        if (!IsApiToken(secret) || secret.Length > 200)
        {
            return null;
        }

        var hash = Hash(secret);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var token = await db.Set<ApiToken>().AsNoTracking().SingleOrDefaultAsync(t => t.SecretHash == hash, cancellationToken).ConfigureAwait(false);
        if (token is null || token.RevokedAt is not null || (token.ExpiresAt is { } expiry && expiry <= clock.GetUtcNow()))
        {
            return null;
        }

        var owner = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == token.UserId, cancellationToken).ConfigureAwait(false);
        if (owner is null || owner.Disabled)
        {
            return null;
        }

        return new ApiTokenIdentity(token.Id, owner.Id, owner.UserName, token.Role < owner.Role ? token.Role : owner.Role);
    }

    // The secret has 238 bits of entropy: a plain SHA-256 is enough (no salt or stretching needed) and allows lookup.
    private static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));
}
