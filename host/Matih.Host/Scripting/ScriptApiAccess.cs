using Matih.Core.Metadata;
using Matih.Core.Users;
using Matih.Host.Auth;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Matih.Host.Scripting;

/// <summary>A user may not run scripts (unknown, disabled), said in words.</summary>
public sealed class ScriptAccessException(string message) : Exception(message);

/// <summary>
/// How a script reaches the platform: the host's own API on a loopback address, with a short-lived bearer token of
/// the user the script runs as (signed with the host's key, the user's current role), so the server enforces roles
/// exactly as for any API call and the script process never needs the stores or the signing key.
/// </summary>
public sealed class ScriptApiAccess(IServer server, TokenIssuer issuer, IDbContextFactory<MetadataDbContext> contexts, ScriptEngineOptions options, TimeProvider clock)
{
    // A user's token is reused for runs started within this long of its issue, so back-to-back runs skip the user
    // lookup and signing; a disabled user or a changed role takes effect within it.
    private static readonly TimeSpan s_reuse = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan s_minimumLifetime = TimeSpan.FromMinutes(2);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Grant> _grants = new(StringComparer.Ordinal);
    private Uri? _apiUrl;

    /// <summary>The address scripts call: <see cref="ScriptEngineOptions.ApiUrl"/>, else the host's first listening address on loopback.</summary>
    /// <exception cref="InvalidOperationException">The host is not listening on HTTP yet.</exception>
    public Uri ApiUrl => _apiUrl ??= Resolve();

    /// <summary>A token for <paramref name="userName"/> that lives <paramref name="lifetime"/>, and the account's role.</summary>
    /// <exception cref="ScriptAccessException">No such user, or the account is disabled.</exception>
    public async Task<(string Token, Role Role)> GrantAsync(string userName, TimeSpan lifetime, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        if (_grants.TryGetValue(userName, out var cached) && now - cached.IssuedAt < s_reuse && cached.ExpiresAt - now >= lifetime)
        {
            return (cached.Token, cached.Role);
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.UserName == userName, cancellationToken).ConfigureAwait(false)
            ?? throw new ScriptAccessException($"No user is named '{userName}'; scripts run as a user of this host.");
        if (user.Disabled)
        {
            throw new ScriptAccessException($"The user '{userName}' is disabled and cannot run scripts.");
        }

        // A few minutes at least, so the token can serve the next runs too; never longer than the run needs plus that.
        var expires = now + (lifetime > s_minimumLifetime ? lifetime : s_minimumLifetime) + s_reuse;
        var token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = TokenIssuer.Issuer,
            Audience = TokenIssuer.Issuer,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = expires.UtcDateTime,
            SigningCredentials = new SigningCredentials(issuer.Key, SecurityAlgorithms.HmacSha256),
            Claims = new Dictionary<string, object>
            {
                [JwtRegisteredClaimNames.Sub] = user.Id.ToString(),
                [TokenIssuer.NameClaim] = user.UserName,
                [TokenIssuer.RoleClaim] = Roles.Name(user.Role),
                ["purpose"] = "script",
            },
        });
        _grants[userName] = new Grant(token, user.Role, now, expires);
        return (token, user.Role);
    }

    private sealed record Grant(string Token, Role Role, DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt);

    private Uri Resolve()
    {
        if (options.ApiUrl is { Length: > 0 } configured)
        {
            return new Uri(configured.EndsWith('/') ? configured : configured + "/");
        }

        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var chosen = addresses.OrderBy(a => a.StartsWith("http://", StringComparison.OrdinalIgnoreCase) ? 0 : 1).FirstOrDefault()
            ?? throw new InvalidOperationException("The host is not listening yet, so scripts have no API to call.");
        var uri = new Uri(chosen.Replace("://+", "://localhost", StringComparison.Ordinal).Replace("://*", "://localhost", StringComparison.Ordinal));
        var host = uri.Host is "0.0.0.0" or "localhost" or "[::]" or "::" ? "127.0.0.1" : uri.Host == "[::1]" ? "[::1]" : uri.Host;
        return new UriBuilder(uri.Scheme, host, uri.Port, "/").Uri;
    }
}
