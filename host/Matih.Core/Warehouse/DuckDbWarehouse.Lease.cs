using System.Diagnostics;
using DuckDB.NET.Data;
using Matih.Sdk.Data;

namespace Matih.Core.Warehouse;

/// <summary>
/// The lease of a shared warehouse. DuckDB lets one process at a time write a database file, so hosts on one data
/// directory take turns: the first operation of a burst attaches every catalog file (all or none, retrying while
/// another host holds them), the files stay attached while this host works, and they are let go after a short idle
/// time, or after a fair share when another host is waiting (it leaves a fresh marker file in the folder).
/// </summary>
public sealed partial class DuckDbWarehouse
{
    // A waiting host touches its marker this often; markers older than the freshness window are leftovers of a crash.
    private static readonly TimeSpan s_markerTouch = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan s_markerFresh = TimeSpan.FromSeconds(2);

    // After letting go for a waiting host, this host stays off the files long enough for the waiter's next try.
    private static readonly TimeSpan s_yieldPause = TimeSpan.FromMilliseconds(100);

    private readonly object _leaseGate = new();
    private readonly string _marker = $".matih-waiting-{Environment.ProcessId}-{Guid.NewGuid():N}";
    private readonly Timer? _idleTimer;
    private int _active;
    private bool _attached;
    private bool _yielding;
    private bool _disposed;
    private long _heldSince;
    private long _pausedUntil;
    private long _othersCheckedAt;
    private bool _othersWaiting;

    /// <summary>Whether this host holds the catalog files now (always, when the warehouse is not shared).</summary>
    public bool HoldsFiles => _options.Sharing == WarehouseSharing.Exclusive || Volatile.Read(ref _attached);

    /// <summary>Exclusive or shared with other hosts on the same folder.</summary>
    public WarehouseSharing Sharing => _options.Sharing;

    private void AcquireLease()
    {
        lock (_leaseGate)
        {
            while (true)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                var now = Stopwatch.GetTimestamp();
                if (_yielding)
                {
                    Monitor.Wait(_leaseGate);
                    continue;
                }

                if (now < _pausedUntil)
                {
                    Monitor.Wait(_leaseGate, Positive(Stopwatch.GetElapsedTime(now, _pausedUntil)));
                    continue;
                }

                if (!_attached)
                {
                    AttachAll();
                    break;
                }

                if (Stopwatch.GetElapsedTime(_heldSince) > _options.FairShare && OthersWaiting())
                {
                    YieldToOthers();
                    continue;
                }

                break;
            }

            _active++;
        }
    }

    private void ReleaseLease()
    {
        lock (_leaseGate)
        {
            _active--;
            if (_active > 0)
            {
                return;
            }

            Monitor.PulseAll(_leaseGate);
            if (!_attached || _disposed)
            {
                return;
            }

            if (Stopwatch.GetElapsedTime(_heldSince) > _options.FairShare && OthersWaiting())
            {
                DetachAll();
                _pausedUntil = Stopwatch.GetTimestamp() + (long)(s_yieldPause.TotalSeconds * Stopwatch.Frequency);
                return;
            }

            _idleTimer?.Change(_options.IdleRelease, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>
    /// Lets go for a waiting host: new operations here wait while the running ones finish. An operation that opens a
    /// second connection while holding one would wait for itself, so the drain gives up after a fair share and
    /// this host carries on (trying again after the next fair share).
    /// </summary>
    private void YieldToOthers()
    {
        _yielding = true;
        try
        {
            var giveUp = Stopwatch.GetTimestamp() + (long)(_options.FairShare.TotalSeconds * Stopwatch.Frequency);
            while (_active > 0 && Stopwatch.GetTimestamp() < giveUp)
            {
                Monitor.Wait(_leaseGate, Positive(Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), giveUp)));
            }

            if (_active > 0)
            {
                _heldSince = Stopwatch.GetTimestamp();
                return;
            }

            DetachAll();
            _pausedUntil = Stopwatch.GetTimestamp() + (long)(s_yieldPause.TotalSeconds * Stopwatch.Frequency);
        }
        finally
        {
            _yielding = false;
            Monitor.PulseAll(_leaseGate);
        }
    }

    private void ReleaseWhenIdle()
    {
        lock (_leaseGate)
        {
            if (_active == 0 && _attached && !_disposed)
            {
                DetachAll();
            }
        }
    }

    /// <summary>Attaches every catalog, all or none, waiting up to the lease wait while another host holds them.</summary>
    private void AttachAll()
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(_options.LeaseWait.TotalSeconds * Stopwatch.Frequency);
        long markerTouched = 0;
        var random = new Random();
        try
        {
            while (true)
            {
                var names = CatalogNames().Concat(_catalogs).Distinct(StringComparer.Ordinal).ToArray();
                var attached = new List<string>(names.Length);
                try
                {
                    foreach (var name in names)
                    {
                        _root.Execute($"ATTACH IF NOT EXISTS '{Escape(Path.Combine(_options.Directory, name + ".duckdb"))}' AS {TableRef.Quote(name)}");
                        attached.Add(name);
                    }

                    _catalogs = names;
                    _attached = true;
                    _heldSince = Stopwatch.GetTimestamp();
                    _othersCheckedAt = 0;
                    return;
                }
                catch (DuckDBException e) when (e.Message.Contains("lock", StringComparison.OrdinalIgnoreCase))
                {
                    // Holding some files while waiting for the rest would deadlock two hosts: let go of all.
                    Detach(attached);
                    if (Stopwatch.GetTimestamp() > deadline)
                    {
                        throw new WarehouseBusyException(
                            $"The shared warehouse in {_options.Directory} stayed busy on another host for {_options.LeaseWait.TotalSeconds:0} s " +
                            $"({FirstLine(e.Message)}). Try again; a long query or import on the other host holds it until it ends.", e);
                    }
                }

                if (Stopwatch.GetElapsedTime(markerTouched) > s_markerTouch)
                {
                    TouchMarker();
                    markerTouched = Stopwatch.GetTimestamp();
                }

                Thread.Sleep(10 + random.Next(20));
            }
        }
        finally
        {
            if (markerTouched != 0)
            {
                TryDelete(Path.Combine(_options.Directory, _marker));
            }
        }
    }

    private void DetachAll()
    {
        Detach(_catalogs);
        _attached = false;
        _idleTimer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    private void Detach(IEnumerable<string> names)
    {
        foreach (var name in names)
        {
            try
            {
                _root.Execute($"CHECKPOINT {TableRef.Quote(name)}");
            }
            catch (DuckDBException)
            {
                // Not attached (a partial attach), or nothing to write; DETACH below still closes the file.
            }

            try
            {
                _root.Execute($"DETACH DATABASE IF EXISTS {TableRef.Quote(name)}");
            }
            catch (DuckDBException)
            {
                // Already gone.
            }
        }
    }

    private void EnsureSharedCatalog(string name)
    {
        lock (_leaseGate)
        {
            if (_attached)
            {
                _root.Execute($"ATTACH IF NOT EXISTS '{Escape(Path.Combine(_options.Directory, name + ".duckdb"))}' AS {TableRef.Quote(name)}");
            }

            _catalogs = [.. _catalogs, name];
        }
    }

    private void CheckpointShared()
    {
        lock (_leaseGate)
        {
            if (!_attached)
            {
                return;
            }

            foreach (var catalog in _catalogs)
            {
                _root.Execute($"CHECKPOINT {TableRef.Quote(catalog)}");
            }
        }
    }

    private void DisposeShared()
    {
        lock (_leaseGate)
        {
            _disposed = true;
            if (_attached)
            {
                DetachAll();
            }

            Monitor.PulseAll(_leaseGate);
        }

        _idleTimer?.Dispose();
    }

    /// <summary>Whether another host left a fresh marker; looked up at most every 50 ms.</summary>
    private bool OthersWaiting()
    {
        if (Stopwatch.GetElapsedTime(_othersCheckedAt) < TimeSpan.FromMilliseconds(50))
        {
            return _othersWaiting;
        }

        var fresh = DateTime.UtcNow - s_markerFresh;
        _othersWaiting = Directory.EnumerateFiles(_options.Directory, ".matih-waiting-*")
            .Any(f => !f.EndsWith(_marker, StringComparison.Ordinal) && File.GetLastWriteTimeUtc(f) > fresh);
        _othersCheckedAt = Stopwatch.GetTimestamp();
        return _othersWaiting;
    }

    private void TouchMarker()
    {
        var path = Path.Combine(_options.Directory, _marker);
        try
        {
            File.WriteAllBytes(path, []);
            File.SetLastWriteTimeUtc(path, DateTime.UtcNow);
        }
        catch (IOException)
        {
            // The marker only speeds up the turn; waiting goes on without it.
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // A leftover marker goes stale in two seconds.
        }
    }

    private static TimeSpan Positive(TimeSpan wait) => wait < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : wait;

    private static string FirstLine(string text) => text.Split('\n')[0].Trim();
}

/// <summary>A shared warehouse stayed busy on another host for longer than the lease wait.</summary>
public sealed class WarehouseBusyException(string message, Exception inner) : InvalidOperationException(message, inner);
