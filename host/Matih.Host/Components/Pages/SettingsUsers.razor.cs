using Matih.Core.Audit;
using Matih.Core.Users;
using Matih.Host.Api;
using Matih.Host.Auth;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;

namespace Matih.Host.Components.Pages;

/// <summary>Settings &gt; Users: admins create users, assign roles, disable them and reset passwords; every change is audited.</summary>
public partial class SettingsUsers
{
    private static readonly List<BreadcrumbItem> Crumbs = [new("Settings", "/settings"), new("Users", null, disabled: true)];

    private static readonly string PasswordRulesText =
        $"Passwords need {PasswordRules.MinimumLength} to {PasswordRules.MaximumLength} characters, at least 4 different ones, and cannot contain the user name.";

    private readonly Dictionary<string, string> _errors = [];
    private IReadOnlyList<UserAccount> _users = [];
    private string _actor = "";
    private Guid? _actorId;
    private string? _newName;
    private string? _newPassword;
    private Role _newRole = Role.Viewer;
    private Guid? _resetting;
    private string? _resetPassword;
    private string? _message;
    private Severity _messageSeverity = Severity.Success;

    [Inject]
    private UserDirectory Directory { get; set; } = default!;

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
        _actor = UserEndpoints.Actor(user);
        _actorId = Guid.TryParse(user.FindFirst("sub")?.Value, out var id) ? id : null;
        await ReloadAsync();
    }

    private string? ErrorFor(string field) => _errors.GetValueOrDefault(field);

    private async Task ReloadAsync() => _users = await Directory.ListAsync(CancellationToken.None);

    private async Task CreateAsync()
    {
        _errors.Clear();
        var name = _newName?.Trim() ?? "";
        if (UserDirectory.UserNameProblem(name) is { } badName)
        {
            _errors["username"] = badName;
        }

        if (string.IsNullOrEmpty(_newPassword))
        {
            _errors["password"] = "password is required.";
        }
        else if (PasswordRules.Problems(_newPassword, name) is { Count: > 0 } weak)
        {
            _errors["password"] = string.Join(" ", weak);
        }

        if (_errors.Count > 0)
        {
            return;
        }

        try
        {
            var user = await Directory.CreateAsync(name, _newPassword!, _newRole, CancellationToken.None);
            await Audit.RecordAsync(_actor, "user.created", user.UserName, $"role {Roles.Name(user.Role)}");
            Say($"Created {user.UserName} ({Roles.Name(user.Role)}).");
            (_newName, _newPassword, _newRole) = (null, null, Role.Viewer);
            await ReloadAsync();
        }
        catch (ArgumentException e)
        {
            _errors[e.ParamName == "password" ? "password" : "username"] = e.Message.Split(" (Parameter", 2)[0];
        }
    }

    private async Task SetRoleAsync(UserAccount user, Role role)
    {
        if (role == user.Role)
        {
            return;
        }

        await ChangeAsync(async () =>
        {
            await Directory.SetRoleAsync(user.Id, role, CancellationToken.None);
            await Audit.RecordAsync(_actor, "user.role_changed", user.UserName, $"{Roles.Name(user.Role)} -> {Roles.Name(role)}");
            return $"{user.UserName} is now {Roles.Name(role)}.";
        });
    }

    private async Task ToggleDisabledAsync(UserAccount user)
    {
        if (!user.Disabled && user.Id == _actorId)
        {
            Say("You cannot disable yourself.", Severity.Warning);
            return;
        }

        await ChangeAsync(async () =>
        {
            await Directory.SetDisabledAsync(user.Id, !user.Disabled, CancellationToken.None);
            await Audit.RecordAsync(_actor, user.Disabled ? "user.enabled" : "user.disabled", user.UserName);
            return user.Disabled ? $"{user.UserName} may sign in again." : $"{user.UserName} is disabled: they cannot sign in and their tokens no longer work.";
        });
    }

    private void StartReset(UserAccount user)
    {
        _errors.Remove("reset");
        (_resetting, _resetPassword) = (user.Id, null);
    }

    private async Task ResetPasswordAsync(UserAccount user)
    {
        _errors.Remove("reset");
        if (PasswordRules.Problems(_resetPassword ?? "", user.UserName) is { Count: > 0 } weak)
        {
            _errors["reset"] = string.Join(" ", weak);
            return;
        }

        await ChangeAsync(async () =>
        {
            await Directory.ResetPasswordAsync(user.Id, _resetPassword!, CancellationToken.None);
            await Audit.RecordAsync(_actor, "user.password_reset", user.UserName);
            (_resetting, _resetPassword) = (null, null);
            return $"Set a new password for {user.UserName}.";
        });
    }

    private async Task ChangeAsync(Func<Task<string>> change)
    {
        try
        {
            Say(await change());
        }
        catch (ArgumentException e)
        {
            Say(e.Message.Split(" (Parameter", 2)[0], Severity.Warning);
        }

        await ReloadAsync();
    }

    private void Say(string message, Severity severity = Severity.Success) => (_message, _messageSeverity) = (message, severity);

    private string StateName(UserAccount user) =>
        user.Disabled ? "disabled" : user.LockedUntil > Clock.GetUtcNow() ? "locked" : "active";

    private Color StateColor(UserAccount user) => StateName(user) switch
    {
        "disabled" => Color.Error,
        "locked" => Color.Warning,
        _ => Color.Success,
    };
}
