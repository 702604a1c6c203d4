using Matih.Core.Metadata;
using Matih.Core.Users;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

namespace Matih.Core.Tests.Users;

public sealed class ApiTokensTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("matih-tokens-").FullName;
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero));
    private readonly DbContextOptions<MetadataDbContext> _options;
    private readonly UserDirectory _users;
    private readonly ApiTokens _tokens;

    public ApiTokensTests()
    {
        _options = SqliteTuning.Use(new DbContextOptionsBuilder<MetadataDbContext>(), $"Data Source={Path.Combine(_folder, "m.db")};Pooling=false").Options;
        using (var db = new MetadataDbContext(_options))
        {
            MetadataSchema.EnsureAsync(db, default).GetAwaiter().GetResult();
        }

        _users = new UserDirectory(new Factory(_options), _clock);
        _tokens = new ApiTokens(new Factory(_options), _clock);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task A_token_acts_as_its_owner_with_its_role_and_only_its_hash_is_stored()
    {
        var priya = await _users.CreateAsync("priya", "correct-password", Role.Analyst, default);

        var issued = await _tokens.CreateAsync(priya, "nightly CI", Role.Viewer, null, default);

        Assert.StartsWith(ApiTokens.SecretPrefix, issued.Secret, StringComparison.Ordinal);
        var identity = await _tokens.ValidateAsync(issued.Secret, default);
        Assert.Equal(new ApiTokenIdentity(issued.Token.Id, priya.Id, "priya", Role.Viewer), identity);
        await using var db = new MetadataDbContext(_options);
        var stored = await db.Set<ApiToken>().SingleAsync();
        Assert.DoesNotContain(issued.Secret, stored.SecretHash + stored.Prefix + stored.Name, StringComparison.Ordinal);
        Assert.Null(await _tokens.ValidateAsync(issued.Secret + "x", default));
    }

    [Fact]
    public async Task A_token_cannot_have_a_role_above_its_owner()
    {
        var priya = await _users.CreateAsync("priya", "correct-password", Role.Analyst, default);

        var error = await Assert.ThrowsAsync<ArgumentException>(() => _tokens.CreateAsync(priya, "too much", Role.Admin, null, default));

        Assert.Equal("role", error.ParamName);
    }

    [Fact]
    public async Task A_demoted_owner_caps_what_their_older_tokens_may_do()
    {
        var priya = await _users.CreateAsync("priya", "correct-password", Role.Analyst, default);
        var issued = await _tokens.CreateAsync(priya, "ci", Role.Analyst, null, default);

        await _users.SetRoleAsync(priya.Id, Role.Viewer, default);

        Assert.Equal(Role.Viewer, (await _tokens.ValidateAsync(issued.Secret, default))!.Role);
    }

    [Fact]
    public async Task Revoked_expired_and_disabled_owners_tokens_are_refused_at_once()
    {
        var priya = await _users.CreateAsync("priya", "correct-password", Role.Analyst, default);
        var revoked = await _tokens.CreateAsync(priya, "revoked", Role.Viewer, null, default);
        var expiring = await _tokens.CreateAsync(priya, "expiring", Role.Viewer, _clock.GetUtcNow().AddDays(1), default);
        var other = await _users.CreateAsync("sam", "other-password", Role.Viewer, default);

        Assert.Null(await _tokens.RevokeAsync(revoked.Token.Id, other.Id, default));
        Assert.NotNull(await _tokens.RevokeAsync(revoked.Token.Id, priya.Id, default));
        Assert.Null(await _tokens.ValidateAsync(revoked.Secret, default));

        Assert.NotNull(await _tokens.ValidateAsync(expiring.Secret, default));
        _clock.Advance(TimeSpan.FromDays(1));
        Assert.Null(await _tokens.ValidateAsync(expiring.Secret, default));

        var kept = await _tokens.CreateAsync(priya, "kept", Role.Viewer, null, default);
        await _users.SetDisabledAsync(priya.Id, true, default);
        Assert.Null(await _tokens.ValidateAsync(kept.Secret, default));
    }

    private sealed class Factory(DbContextOptions<MetadataDbContext> options) : IDbContextFactory<MetadataDbContext>
    {
        public MetadataDbContext CreateDbContext() => new(options);
    }
}
