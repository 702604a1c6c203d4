using System.Globalization;
using Matih.Core.Audit;
using Matih.Core.Users;
using Matih.Host.Auth;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;

namespace Matih.Host.Components.Pages;

/// <summary>Settings &gt; API tokens: the signed-in user makes, lists and revokes their personal API tokens.</summary>
public partial class SettingsTokens
{
    private static readonly List<BreadcrumbItem> Crumbs = [new("Settings", "/settings"), new("API tokens", null, disabled: true)];

    private IReadOnlyList<ApiToken> _tokens = [];
    private UserAccount? _owner;
    private Role _ownerRole = Role.Viewer;
    private string? _name;
    private string? _nameError;
    private Role _role = Role.Viewer;
    private int? _days;
    private string? _secret;
    private string? _secretName;

    [Inject]
    private ApiTokens Tokens { get; set; } = default!;

    [Inject]
    private UserDirectory Users { get; set; } = default!;

    [Inject]
    private AuditLog Audit { get; set; } = default!;

    [Inject]
    private TimeProvider Clock { get; set; } = default!;

    [CascadingParameter]
    private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    /// <inheritdoc />
    protected override async Task OnInitializedAsync()
    {
        var user = (await AuthenticationState).User;
        if (Guid.TryParse(user.FindFirst("sub")?.Value, out var id))
        {
            _owner = await Users.FindAsync(id, CancellationToken.None);
        }

        _ownerRole = _owner?.Role ?? Role.Viewer;
        _role = _ownerRole;
        await ReloadAsync();
    }

    private async Task ReloadAsync() => _tokens = _owner is null ? [] : await Tokens.ListAsync(_owner.Id, CancellationToken.None);

    private async Task CreateAsync()
    {
        _nameError = null;
        _secret = null;
        if (_owner is null)
        {
            _nameError = "Your account was not found; sign in again.";
            return;
        }

        try
        {
            var expires = _days is { } days ? Clock.GetUtcNow().AddDays(days) : (DateTimeOffset?)null;
            var issued = await Tokens.CreateAsync(_owner, _name ?? "", _role, expires, CancellationToken.None);
            await Audit.RecordAsync(_owner.UserName, "token.created", $"{issued.Token.Name} ({issued.Token.Prefix}…)", $"role {Roles.Name(_role)}");
            (_secret, _secretName, _name, _days) = (issued.Secret, issued.Token.Name, null, null);
            await ReloadAsync();
        }
        catch (ArgumentException e)
        {
            _nameError = e.Message.Split(" (Parameter", 2)[0];
        }
    }

    private async Task RevokeAsync(ApiToken token)
    {
        if (await Tokens.RevokeAsync(token.Id, _owner?.Id, CancellationToken.None) is { } revoked)
        {
            await Audit.RecordAsync(_owner!.UserName, "token.revoked", $"{revoked.Name} ({revoked.Prefix}…)", $"owner {revoked.UserName}");
        }

        _secret = null;
        await ReloadAsync();
    }

    private string State(ApiToken token) =>
        token.RevokedAt is not null ? "revoked" : token.ExpiresAt <= Clock.GetUtcNow() ? "expired" : "active";

    private static string Format(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
}
