using Matih.Sdk.Connectors;
using Matih.Sdk.Data;

namespace Matih.Core.Sync;

/// <summary>Where a stream lands and how.</summary>
/// <param name="Table">The destination table.</param>
/// <param name="Mode">Full refresh (replace) or incremental (upsert by key, deletes applied).</param>
/// <param name="PrimaryKey">Key columns; incremental streams without a key are appended.</param>
public sealed record StreamTarget(TableRef Table, SyncMode Mode, IReadOnlyList<string> PrimaryKey);
