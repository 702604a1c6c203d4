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
    public async Task Five_wrong_passwords_lock_the_account_for_fifteen_minutes()
    {
        await _users.CreateAsync("priya", "correct-password", Role.Analyst, default);
        for (var i = 0; i < UserDirectory.MaxFailedSignIns; i++)
        {
            Assert.Equal("Unknown user name or wrong password.", (await _users.SignInAsync("priya", "wrong", default)).Error);
        }

        var locked = await _users.SignInAsync("priya", "correct-password", default);
        Assert.False(locked.Succeeded);
        Assert.StartsWith("Too many failed sign-ins", locked.Error, StringComparison.Ordinal);

        _clock.Advance(TimeSpan.FromMinutes(14));
        Assert.False((await _users.SignInAsync("priya", "correct-password", default)).Succeeded);
        _clock.Advance(TimeSpan.FromMinutes(1) - TimeSpan.FromSeconds(1));

        _clock.Advance(TimeSpan.FromSeconds(2));
        Assert.True((await _users.SignInAsync("priya", "correct-password", default)).Succeeded);
    }

    [Fact]
    public async Task Weak_passwords_and_taken_names_are_refused()
    {
        await _users.CreateAsync("priya", "correct-password", Role.Viewer, default);

        Assert.Contains("at least 10 characters", (await Assert.ThrowsAsync<ArgumentException>(() => _users.CreateAsync("sam", "short", Role.Viewer, default))).Message, StringComparison.Ordinal);
        Assert.Contains("already exists", (await Assert.ThrowsAsync<ArgumentException>(() => _users.CreateAsync("priya", "another-password", Role.Viewer, default))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Password_rules_name_every_problem()
    {
        Assert.Contains("Passwords need at least 10 characters.", PasswordRules.Problems("short"));
        Assert.Contains("Passwords cannot contain the user name.", PasswordRules.Problems("priya-password", "priya"));
        Assert.Contains("Passwords need at least 4 different characters.", PasswordRules.Problems("aaaaaaaaaaaa"));
        Assert.Contains("Passwords may have at most 128 characters.", PasswordRules.Problems(new string('x', 100) + "abcdefghijklmnopqrstuvwxyz0123456789"));
        Assert.Empty(PasswordRules.Problems("correct-horse-battery", "priya"));
        Assert.Contains("user name", (await Assert.ThrowsAsync<ArgumentException>(() => _users.CreateAsync("sam", "sam-is-great-123", Role.Viewer, default))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_disabled_user_cannot_sign_in_until_enabled_again()
    {
        var priya = await _users.CreateAsync("priya", "correct-password", Role.Analyst, default);

        await _users.SetDisabledAsync(priya.Id, true, default);
        var refused = await _users.SignInAsync("priya", "correct-password", default);
        Assert.Equal("This account is disabled; ask an administrator.", refused.Error);
        Assert.False(await _users.IsActiveAsync(priya.Id, default));

        await _users.SetDisabledAsync(priya.Id, false, default);
        Assert.True((await _users.SignInAsync("priya", "correct-password", default)).Succeeded);
    }

    [Fact]
    public async Task Resetting_a_password_replaces_it_and_lifts_a_lockout()
    {
        var priya = await _users.CreateAsync("priya", "correct-password", Role.Viewer, default);
        for (var i = 0; i < UserDirectory.MaxFailedSignIns; i++)
        {
            await _users.SignInAsync("priya", "wrong", default);
        }

        await _users.ResetPasswordAsync(priya.Id, "brand-new-secret", default);

        Assert.False((await _users.SignInAsync("priya", "correct-password", default)).Succeeded);
        Assert.True((await _users.SignInAsync("priya", "brand-new-secret", default)).Succeeded);
        await Assert.ThrowsAsync<ArgumentException>(() => _users.ResetPasswordAsync(priya.Id, "short", default));
    }

    [Fact]
    public async Task The_last_admin_cannot_be_disabled_or_demoted()
    {
        await _users.EnsureAdminAsync("chosen-password-1", default);
        var admin = (await _users.ListAsync(default)).Single();

        Assert.Contains("last enabled admin", (await Assert.ThrowsAsync<ArgumentException>(() => _users.SetDisabledAsync(admin.Id, true, default))).Message, StringComparison.Ordinal);
        Assert.Contains("last enabled admin", (await Assert.ThrowsAsync<ArgumentException>(() => _users.SetRoleAsync(admin.Id, Role.Viewer, default))).Message, StringComparison.Ordinal);

        var second = await _users.CreateAsync("root2", "another-password", Role.Admin, default);
        Assert.Equal(Role.Viewer, (await _users.SetRoleAsync(admin.Id, Role.Viewer, default))!.Role);
        Assert.Null(await _users.SetRoleAsync(Guid.NewGuid(), Role.Viewer, default));
        Assert.True(await _users.IsActiveAsync(second.Id, default));
    }

    private sealed class Factory(DbContextOptions<MetadataDbContext> options) : IDbContextFactory<MetadataDbContext>
    {
        public MetadataDbContext CreateDbContext() => new(options);
    }
}
