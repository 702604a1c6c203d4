using System.Net.Sockets;
using System.Security.Authentication;
using Matih.Plugins.SourcePostgres.Configuration;
using Npgsql;

namespace Matih.Plugins.SourcePostgres.Checks;

/// <summary>Turns connection failures into sentences a user can act on.</summary>
internal static class ConnectionErrors
{
    /// <summary>What went wrong connecting with <paramref name="config"/>, and what to check; null when <paramref name="error"/> is not a connection failure.</summary>
    public static string? Explain(Exception error, PostgresConfig config)
    {
        var where = $"{config.Host}:{config.Port}";
        if (error is PostgresException pg)
        {
            return pg.SqlState switch
            {
                PostgresErrorCodes.InvalidPassword =>
                    $"password: the password for user '{config.Username}' was rejected by {where} (SQLSTATE 28P01). Check the password, or the secret it is read from.",
                PostgresErrorCodes.InvalidAuthorizationSpecification when pg.MessageText.Contains("pg_hba.conf", StringComparison.Ordinal) =>
                    $"The server at {where} does not accept connections from this machine for user '{config.Username}' and database '{config.Database}': {pg.MessageText}. Ask the database administrator to add a pg_hba.conf entry{(config.SslMode is "disable" ? ", or set ssl_mode to require if the entry needs SSL" : string.Empty)}.",
                PostgresErrorCodes.InvalidAuthorizationSpecification =>
                    $"username: the server at {where} refused user '{config.Username}': {pg.MessageText}.",
                PostgresErrorCodes.InvalidCatalogName =>
                    $"database: database '{config.Database}' does not exist on {where}. Check the name (it is case-sensitive).",
                PostgresErrorCodes.TooManyConnections or PostgresErrorCodes.CannotConnectNow =>
                    $"The server at {where} is not accepting connections right now: {pg.MessageText}.",
                _ => null,
            };
        }

        for (var inner = error; inner is not null; inner = inner.InnerException)
        {
            switch (inner)
            {
                case SocketException { SocketErrorCode: SocketError.ConnectionRefused }:
                    return $"host: could not reach {where}: the connection was refused. Is PostgreSQL running there and listening on port {config.Port}?";
                case SocketException { SocketErrorCode: SocketError.HostNotFound or SocketError.TryAgain or SocketError.NoData }:
                    return $"host: the host name '{config.Host}' could not be resolved. Check the spelling, or use an IP address.";
                case SocketException { SocketErrorCode: SocketError.NetworkUnreachable or SocketError.HostUnreachable }:
                    return $"host: {where} is unreachable from this machine ({inner.Message}). Check the network path or firewall.";
                case SocketException socket:
                    return $"host: could not connect to {where}: {socket.Message}.";
                case TimeoutException:
                    return $"host: timed out connecting to {where}. Check that the host and port are right and that a firewall lets the connection through.";
                case AuthenticationException auth:
                    return $"ssl_mode: the TLS handshake with {where} failed ({auth.Message}). With ssl_mode {config.SslMode} the server's certificate must be trusted by this machine{(config.SslMode == "verify-full" ? " and name the host" : string.Empty)}; use require to encrypt without checking it.";
            }
        }

        if (error is NpgsqlException npgsql && npgsql.Message.Contains("SSL", StringComparison.OrdinalIgnoreCase))
        {
            return $"ssl_mode: the server at {where} does not accept SSL connections, but ssl_mode is {config.SslMode}. Enable SSL on the server, or set ssl_mode to prefer or disable. ({npgsql.Message})";
        }

        return null;
    }
}
