using Matih.Core.Audit;
using Matih.Core.Secrets;
using Matih.Host.Api;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;

namespace Matih.Host.Components.Pages;

/// <summary>Settings &gt; Secrets: admins set and delete the secrets <c>${NAME}</c> references resolve to; values are never shown.</summary>
public partial class SettingsSecrets
{
    private static readonly List<BreadcrumbItem> Crumbs = [new("Settings", "/settings"), new("Secrets", null, disabled: true)];

    private IReadOnlyList<SecretInfo> _secrets = [];
    private string _actor = "";
    private string? _name;
    private string? _value;
    private string? _nameError;
    private string? _valueError;
    private string? _message;
    private Severity _messageSeverity = Severity.Success;

    [Inject]
    private ISecretStore Store { get; set; } = default!;

    [Inject]
    private AuditLog Audit { get; set; } = default!;

    [CascadingParameter]
    private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    /// <inheritdoc />
    protected override async Task OnInitializedAsync()
    {
        _actor = UserEndpoints.Actor((await AuthenticationState).User);
        _secrets = Store.List();
    }

    private async Task SetAsync()
    {
        var name = _name?.Trim() ?? "";
        _nameError = SecretStore.IsValidName(name) ? null : "A secret name starts with a letter or underscore and has only letters, digits and underscores.";
        _valueError = string.IsNullOrEmpty(_value) ? "value is required." : null;
        if (_nameError is not null || _valueError is not null)
        {
            return;
        }

        var existed = _secrets.Any(s => s.Source == "file" && s.Name == name);
        await Store.SetAsync(name, _value!, CancellationToken.None);
        await Audit.RecordAsync(_actor, existed ? "secret.updated" : "secret.created", name);
        (_message, _messageSeverity) = ($"Saved ${{{name}}}.", Severity.Success);
        (_name, _value) = (null, null);
        _secrets = Store.List();
    }

    private async Task DeleteAsync(string name)
    {
        if (await Store.DeleteAsync(name, CancellationToken.None))
        {
            await Audit.RecordAsync(_actor, "secret.deleted", name);
            (_message, _messageSeverity) = ($"Deleted ${{{name}}}; references to it now resolve from the environment.", Severity.Success);
        }

        _secrets = Store.List();
    }
}
