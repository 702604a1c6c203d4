using Matih.Core.Users;

namespace Matih.Core.Query;

/// <summary>Who runs a statement, for permissions and history.</summary>
/// <param name="UserName">The signed-in user.</param>
/// <param name="Role">Their role.</param>
public sealed record SqlCaller(string UserName, Role Role);
