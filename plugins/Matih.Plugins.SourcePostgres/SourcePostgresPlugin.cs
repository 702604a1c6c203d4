using Matih.Sdk.Connectors;
using Matih.Sdk.Plugins;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Matih.Plugins.SourcePostgres;

/// <summary>
/// Entry point of the source-postgres plugin: registers the PostgreSQL connector (also as the source of CDC slot
/// diagnostics). Setting (optional): <c>lag_warning_bytes</c>.
/// </summary>
public sealed class SourcePostgresPlugin : IMatihPlugin
{
    /// <inheritdoc />
    public PluginManifest Manifest { get; } = new(
        PostgresConnector.ConnectorId,
        "PostgreSQL",
        "1.0.0",
        PluginKind.Connector,
        "Reads PostgreSQL tables: full refresh by binary COPY, incremental by cursor, or CDC by logical replication (pgoutput).");

    /// <inheritdoc />
    public void Register(IServiceCollection services, IConfiguration settings)
    {
        services.AddSingleton(PostgresPluginSettings.FromConfiguration(settings));
        services.AddSingleton<PostgresConnector>();
        services.AddSingleton<IConnector>(provider => provider.GetRequiredService<PostgresConnector>());
        services.AddSingleton<IConnectorDiagnostics>(provider => provider.GetRequiredService<PostgresConnector>());
    }
}
