using Matih.Plugins.SourcePostgres.Checks;
using Matih.Plugins.SourcePostgres.Configuration;
using Npgsql;

namespace Matih.Plugins.SourcePostgres;

/// <summary>Opens connections to the source, turning connection failures into <see cref="SourceUnavailableException"/> with a sentence.</summary>
internal static class SourceConnection
{
    /// <summary>Opens an ordinary session.</summary>
    /// <param name="config">Where to connect.</param>
    /// <param name="commandTimeoutSeconds">0 for no limit (COPY of large tables).</param>
    /// <param name="cancellationToken">Cancels the attempt.</param>
    /// <exception cref="SourceUnavailableException">The server could not be reached or refused the login.</exception>
    public static async Task<NpgsqlConnection> OpenAsync(PostgresConfig config, int commandTimeoutSeconds, CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(config.ConnectionString(commandTimeoutSeconds));
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            if (ConnectionErrors.Explain(e, config) is { } explained)
            {
                throw new SourceUnavailableException(explained, e);
            }

            if (e is NpgsqlException)
            {
                throw new SourceUnavailableException($"Could not connect to {config.Location}: {e.Message}", e);
            }

            throw;
        }
    }
}

/// <summary>The source could not be reached or refused the login; the message says why in words.</summary>
internal sealed class SourceUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public SourceUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
