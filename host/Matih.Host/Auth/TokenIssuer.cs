using System.Security.Cryptography;
using Matih.Core.Users;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Matih.Host.Auth;

/// <summary>Issues and validates the bearer tokens of the API and serving endpoints.</summary>
public sealed class TokenIssuer
{
    /// <summary>Issuer and audience written into every token.</summary>
    public const string Issuer = "matih";

    /// <summary>The claim holding the user name.</summary>
    public const string NameClaim = "name";

    /// <summary>The claim holding the role.</summary>
    public const string RoleClaim = "role";

    /// <summary>How long a token from <c>POST /api/auth/token</c> lives.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(8);

    private readonly SigningCredentials _credentials;
    private readonly TimeProvider _clock;

    /// <summary>Creates the issuer with the host's signing key.</summary>
    public TokenIssuer(SymmetricSecurityKey key, TimeProvider clock)
    {
        Key = key;
        _credentials = new SigningCredentials(key, SecurityAlgorithms.HmacSha256);
        _clock = clock;
    }

    /// <summary>The signing key, for validation.</summary>
    public SymmetricSecurityKey Key { get; }

    /// <summary>A signed token for <paramref name="user"/>.</summary>
    public string Issue(UserAccount user)
    {
        var now = _clock.GetUtcNow().UtcDateTime;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Issuer,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + Lifetime,
            SigningCredentials = _credentials,
            Claims = new Dictionary<string, object>
            {
                [JwtRegisteredClaimNames.Sub] = user.Id.ToString(),
                [NameClaim] = user.UserName,
                [RoleClaim] = Roles.Name(user.Role),
            },
        });
    }

    /// <summary>
    /// The host's signing key, kept in <c>keys/jwt-signing.key</c> under the data directory (owner-only permissions)
    /// so tokens survive a restart and every host sharing the directory accepts them.
    /// </summary>
    public static SymmetricSecurityKey LoadOrCreateKey(string dataDirectory)
    {
        var folder = Path.Combine(dataDirectory, "keys");
        Directory.CreateDirectory(folder);
        var file = Path.Combine(folder, "jwt-signing.key");
        try
        {
            // Hosts starting at once on a fresh directory must end up with one key: creating the file is exclusive,
            // so one host writes it and the others read the winner's once it is whole.
            using var stream = new FileStream(file, FileMode.CreateNew, FileAccess.Write);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            stream.Write(RandomNumberGenerator.GetBytes(KeyBytes));
        }
        catch (IOException) when (File.Exists(file))
        {
            for (var wait = 0; wait < 100 && new FileInfo(file).Length < KeyBytes; wait++)
            {
                Thread.Sleep(50);
            }
        }

        var key = File.ReadAllBytes(file);
        return key.Length >= KeyBytes
            ? new SymmetricSecurityKey(key)
            : throw new InvalidOperationException($"The signing key {file} is {key.Length} bytes, not {KeyBytes}: delete it to have a new one made (signed-in users sign in again).");
    }

    private const int KeyBytes = 64;
}
