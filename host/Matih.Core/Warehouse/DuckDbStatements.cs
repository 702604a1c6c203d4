using DuckDB.NET.Data;

namespace Matih.Core.Warehouse;

/// <summary>One-line statements on an open DuckDB connection, for the engine's own SQL.</summary>
public static class DuckDbStatements
{
    /// <summary>Runs a statement.</summary>
    public static void Execute(this DuckDBConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>Runs a query and returns its first value.</summary>
    public static object? Scalar(this DuckDBConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}
