namespace Matih.Core.Users;

/// <summary>What a user may do. Each role includes the ones before it.</summary>
public enum Role
{
    /// <summary>Reads data, runs SELECT queries, sees pipelines, models and reports.</summary>
    Viewer,
    /// <summary>Also creates tables in the analytics catalog, pipelines, experiments, deployments.</summary>
    Analyst,
    /// <summary>Also manages users and plugins and runs scripts in the console.</summary>
    Admin,
}

/// <summary>A user of the workbench and the API.</summary>
public sealed class UserAccount
{
    /// <summary>Surrogate key.</summary>
    public Guid Id { get; set; } = Guid.NewGuid();

    /// <summary>Sign-in name, unique.</summary>
    public required string UserName { get; set; }

    /// <summary>ASP.NET Core Identity's PBKDF2 hash; never the password.</summary>
    public required string PasswordHash { get; set; }

    /// <summary>What the user may do.</summary>
    public Role Role { get; set; }

    /// <summary>A disabled user cannot sign in.</summary>
    public bool Disabled { get; set; }

    /// <summary>Failed sign-ins since the last success.</summary>
    public int FailedSignIns { get; set; }

    /// <summary>Until when sign-in is refused after too many failures.</summary>
    public DateTimeOffset? LockedUntil { get; set; }

    /// <summary>When the account was made.</summary>
    public DateTimeOffset CreatedAt { get; set; } = DateTimeOffset.UtcNow;
}
