using Matih.Core.Metadata;
using Matih.Core.Users;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

namespace Matih.Core.Tests.Users;

public sealed class UserDirectoryTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("matih-users-").FullName;
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero));
    private readonly UserDirectory _users;

    public UserDirectoryTests()
    {
        var options = new DbContextOptionsBuilder<MetadataDbContext>().UseSqlite($"Data Source={Path.Combine(_folder, "m.db")};Pooling=false").Options;
        using (var db = new MetadataDbContext(options))
        {
            db.Database.EnsureCreated();
        }

        _users = new UserDirectory(new Factory(options), _clock);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task The_first_start_creates_admin_with_a_generated_password_once()
    {
        var password = await _users.EnsureAdminAsync(null, default);

        Assert.NotNull(password);
        Assert.True(password.Length >= 16);
        Assert.True((await _users.SignInAsync("admin", password, default)).Succeeded);
        Assert.Null(await _users.EnsureAdminAsync(null, default));
    }

    [Fact]
    public async Task A_configured_admin_password_is_used_and_not_echoed()
    {
        Assert.Null(await _users.EnsureAdminAsync("chosen-password-1", default));
        Assert.True((await _users.SignInAsync("admin", "chosen-password-1", default)).Succeeded);
    }

    [Fact]
    public async Task Five_wrong_passwords_lock_the_account_for_five_minutes()
    {
        await _users.CreateAsync("priya", "correct-password", Role.Analyst, default);
        for (var i = 0; i < UserDirectory.MaxFailedSignIns; i++)
        {
            Assert.Equal("Unknown user name or wrong password.", (await _users.SignInAsync("priya", "wrong", default)).Error);
        }

        var locked = await _users.SignInAsync("priya", "correct-password", default);
        Assert.False(locked.Succeeded);
        Assert.StartsWith("Too many failed sign-ins", locked.Error, StringComparison.Ordinal);

        _clock.Advance(UserDirectory.LockoutDuration + TimeSpan.FromSeconds(1));
        Assert.True((await _users.SignInAsync("priya", "correct-password", default)).Succeeded);
    }

    [Fact]
    public async Task Weak_passwords_and_taken_names_are_refused()
    {
        await _users.CreateAsync("priya", "correct-password", Role.Viewer, default);

        Assert.Contains("at least 10 characters", (await Assert.ThrowsAsync<ArgumentException>(() => _users.CreateAsync("sam", "short", Role.Viewer, default))).Message, StringComparison.Ordinal);
        Assert.Contains("already exists", (await Assert.ThrowsAsync<ArgumentException>(() => _users.CreateAsync("priya", "another-password", Role.Viewer, default))).Message, StringComparison.Ordinal);
    }

    private sealed class Factory(DbContextOptions<MetadataDbContext> options) : IDbContextFactory<MetadataDbContext>
    {
        public MetadataDbContext CreateDbContext() => new(options);
    }
}
