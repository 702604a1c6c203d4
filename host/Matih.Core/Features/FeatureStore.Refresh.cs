using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Matih.Core.Features;

/// <summary>
/// Online stores follow versions published elsewhere: in server mode a pipeline on another host may sync a group,
/// and this host's in-memory online store must then move to the new version like the publishing host's did.
/// </summary>
public sealed partial class FeatureStore
{
    /// <summary>
    /// Reloads the online store of every loaded group whose stored latest version differs from the loaded one; the
    /// old version keeps answering until the new one is in memory. Returns the groups reloaded.
    /// </summary>
    public async Task<IReadOnlyList<string>> RefreshOnlineAsync(CancellationToken ct)
    {
        var loaded = _online
            .Where(e => e.Value.IsValueCreated && e.Value.Value.IsCompletedSuccessfully && e.Value.Value.Result is not null)
            .ToDictionary(e => e.Key, e => (Lazy: e.Value, Version: e.Value.Value.Result!.Version), StringComparer.Ordinal);
        if (loaded.Count == 0)
        {
            return [];
        }

        Dictionary<string, int> stored;
        await using (var db = await _contexts.CreateDbContextAsync(ct).ConfigureAwait(false))
        {
            var names = loaded.Keys.ToList();
            stored = await db.Set<FeatureGroupRecord>().AsNoTracking().Where(g => names.Contains(g.Name))
                .ToDictionaryAsync(g => g.Name, g => g.LatestVersion, StringComparer.Ordinal, ct).ConfigureAwait(false);
        }

        var reloaded = new List<string>();
        foreach (var (group, (lazy, version)) in loaded)
        {
            if (!stored.TryGetValue(group, out var latest) || latest == version)
            {
                continue;
            }

            // A sync on this host holds the group's gate and swaps the store itself; do not load it twice.
            var gate = _syncLocks.GetOrAdd(group, _ => new SemaphoreSlim(1, 1));
            if (!await gate.WaitAsync(0, ct).ConfigureAwait(false))
            {
                continue;
            }

            try
            {
                var table = await Task.Run(() => LoadLatestOnline(group), ct).ConfigureAwait(false);
                if (table is not null && _online.TryUpdate(group, new Lazy<Task<OnlineTable?>>(Task.FromResult<OnlineTable?>(table)), lazy))
                {
                    reloaded.Add(group);
                }
            }
            finally
            {
                gate.Release();
            }
        }

        return reloaded;
    }
}

/// <summary>Runs <see cref="FeatureStore.RefreshOnlineAsync"/> every few seconds (<c>Matih:Features:RefreshSeconds</c>, default 2).</summary>
public sealed class FeatureStoreRefresher(FeatureStore store, ILogger<FeatureStoreRefresher> log, TimeSpan? interval = null) : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(interval ?? TimeSpan.FromSeconds(2));
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    foreach (var group in await store.RefreshOnlineAsync(stoppingToken).ConfigureAwait(false))
                    {
                        log.LogInformation("Feature group {Group}: online store moved to the version published by another host", group);
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // The metadata store or the warehouse is briefly unavailable; the next tick tries again.
                    log.LogWarning(e, "Could not refresh the online feature stores");
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutdown.
        }
    }
}
