using Hangfire;
using Matih.Core.Metadata;
using Matih.Core.Warehouse;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Matih.Host.Startup;

/// <summary>The warehouse answers a query and has its catalogs attached.</summary>
public sealed class WarehouseHealthCheck(DuckDbWarehouse warehouse) : IHealthCheck
{
    /// <inheritdoc />
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await warehouse.QueryAsync("SELECT 1", cancellationToken);
            var sharing = warehouse.Sharing == WarehouseSharing.Shared ? " (shared: hosts on this folder take turns)" : "";
            return HealthCheckResult.Healthy($"DuckDB with catalogs {string.Join(", ", warehouse.Catalogs)}{sharing}",
                new Dictionary<string, object> { ["catalogs"] = warehouse.Catalogs, ["directory"] = warehouse.Folder, ["sharing"] = warehouse.Sharing.ToString().ToLowerInvariant() });
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy($"DuckDB does not answer: {e.Message}");
        }
    }
}

/// <summary>The metadata store is reachable.</summary>
public sealed class MetadataHealthCheck(IDbContextFactory<MetadataDbContext> contexts) : IHealthCheck
{
    /// <inheritdoc />
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var provider = db.Database.ProviderName?.Split('.').Last() ?? "unknown";
        return await db.Database.CanConnectAsync(cancellationToken)
            ? HealthCheckResult.Healthy($"{provider} metadata store", new Dictionary<string, object> { ["provider"] = provider })
            : HealthCheckResult.Unhealthy($"The {provider} metadata store cannot be reached.");
    }
}

/// <summary>Hangfire's storage answers and at least one job server is running.</summary>
public sealed class JobsHealthCheck(JobStorage storage) : IHealthCheck
{
    /// <inheritdoc />
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var stats = storage.GetMonitoringApi().GetStatistics();
        var data = new Dictionary<string, object>
        {
            ["storage"] = storage.GetType().Name,
            ["servers"] = stats.Servers,
            ["enqueued"] = stats.Enqueued,
            ["failed"] = stats.Failed,
        };
        return Task.FromResult(stats.Servers > 0
            ? HealthCheckResult.Healthy($"Hangfire ({storage.GetType().Name}), {stats.Servers} server(s)", data)
            : HealthCheckResult.Degraded("Hangfire has no running job server yet.", data: data));
    }
}
