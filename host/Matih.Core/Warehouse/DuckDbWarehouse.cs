using System.Data.Common;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using DuckDB.NET.Data;
using Matih.Sdk.Data;
using Matih.Sdk.Platform;

namespace Matih.Core.Warehouse;

/// <summary>
/// The embedded warehouse: one DuckDB instance per host with one database file per catalog attached under the
/// catalog's name, so <c>postgresql.novamart.customers</c> resolves. Every caller gets its own connection to the
/// shared instance (DuckDB connections are not meant to be shared between threads). With
/// <see cref="WarehouseSharing.Shared"/> the files are attached only while this host works (see the lease).
/// </summary>
public sealed partial class DuckDbWarehouse : IWarehouse, IDisposable
{
    private readonly WarehouseOptions _options;
    private readonly DuckDBConnection _root;
    private readonly Lock _attachLock = new();
    private volatile string[] _catalogs = [];

    /// <summary>Opens the warehouse and attaches every catalog file in the folder plus the configured catalogs.</summary>
    public DuckDbWarehouse(WarehouseOptions options)
    {
        _options = options;
        Directory.CreateDirectory(options.Directory);
        var spill = Path.Combine(options.Directory, "tmp");
        Directory.CreateDirectory(spill);

        _root = new DuckDBConnection("Data Source=:memory:");
        _root.Open();
        _root.Execute($"SET temp_directory = '{Escape(spill)}'");
        if (options.MemoryLimit is { } limit)
        {
            _root.Execute($"SET memory_limit = '{Escape(limit)}'");
        }

        if (options.Threads is { } threads)
        {
            _root.Execute($"SET threads = {threads}");
        }

        if (options.Sharing == WarehouseSharing.Shared)
        {
            // Nothing is attached until the first operation takes the lease; other hosts may hold the files now.
            _idleTimer = new Timer(_ => ReleaseWhenIdle());
            _catalogs = [.. CatalogNames().Select(Checked)];
            return;
        }

        foreach (var name in CatalogNames())
        {
            EnsureCatalog(name);
        }
    }

    /// <summary>The catalog unqualified table names resolve to.</summary>
    public const string DefaultCatalog = "analytics";

    /// <inheritdoc />
    public IReadOnlyList<string> Catalogs => _catalogs;

    /// <summary>The folder the catalog files live in.</summary>
    public string Folder => _options.Directory;

    /// <summary>Attaches catalog <paramref name="name"/>, creating its file when new. Idempotent.</summary>
    /// <exception cref="ArgumentException">The name is not a plain lower-case identifier.</exception>
    public void EnsureCatalog(string name)
    {
        Checked(name);
        if (_catalogs.Contains(name, StringComparer.Ordinal))
        {
            return;
        }

        if (_options.Sharing == WarehouseSharing.Shared)
        {
            EnsureSharedCatalog(name);
            return;
        }

        lock (_attachLock)
        {
            if (_catalogs.Contains(name, StringComparer.Ordinal))
            {
                return;
            }

            var file = Path.Combine(_options.Directory, name + ".duckdb");
            _root.Execute($"ATTACH IF NOT EXISTS '{Escape(file)}' AS {TableRef.Quote(name)}");
            _catalogs = [.. _catalogs, name];
        }
    }

    /// <summary>A new connection to the shared instance, open. The caller disposes it.</summary>
    /// <exception cref="WarehouseBusyException">Shared: other hosts kept the files longer than the lease wait.</exception>
    public DuckDBConnection OpenConnection()
    {
        var shared = _options.Sharing == WarehouseSharing.Shared;
        if (shared)
        {
            AcquireLease();
        }

        DuckDBConnection? connection = null;
        try
        {
            connection = _root.Duplicate();
            if (shared)
            {
                // The lease lasts as long as the connection: disposing it (every caller does) lets go.
                var released = 0;
                connection.Disposed += (_, _) =>
                {
                    if (Interlocked.Exchange(ref released, 1) == 0)
                    {
                        ReleaseLease();
                    }
                };
            }

            if (connection.State != System.Data.ConnectionState.Open)
            {
                connection.Open();
            }

            // Unqualified names land in analytics.main, a persisted catalog, not in the throwaway in-memory database.
            if (_catalogs.Contains(DefaultCatalog, StringComparer.Ordinal))
            {
                connection.Execute($"USE {DefaultCatalog}");
            }

            return connection;
        }
        catch
        {
            if (connection is not null)
            {
                connection.Dispose();
            }
            else if (shared)
            {
                ReleaseLease();
            }

            throw;
        }
    }

    /// <inheritdoc />
    public async Task<QueryResult> QueryAsync(string sql, CancellationToken cancellationToken)
    {
        using var connection = OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var registration = cancellationToken.Register(() => TryCancel(command));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var columns = Columns(reader);
        var rows = new List<object?[]>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var row = new object?[columns.Count];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = ReadValue(reader, i);
            }

            rows.Add(row);
        }

        return new QueryResult(columns, rows);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<RowBatch> QueryBatchesAsync(string sql, int batchSize, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var connection = OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var registration = cancellationToken.Register(() => TryCancel(command));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var columns = Columns(reader);
        var batch = new RowBatch(columns, batchSize);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var row = batch.AddRow();
            for (var i = 0; i < columns.Count; i++)
            {
                batch.Column(i).SetValue(row, ReadValue(reader, i));
            }

            if (batch.IsFull)
            {
                yield return batch;
                batch = new RowBatch(columns, batchSize);
            }
        }

        if (batch.Count > 0)
        {
            yield return batch;
        }
    }

    /// <inheritdoc />
    public async Task<long> ExecuteAsync(string sql, CancellationToken cancellationToken)
    {
        using var connection = OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var registration = cancellationToken.Register(() => TryCancel(command));
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<TableSchema?> GetSchemaAsync(TableRef table, CancellationToken cancellationToken)
    {
        using var connection = OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT column_name, data_type, is_nullable = 'YES'
            FROM information_schema.columns
            WHERE table_catalog = $catalog AND table_schema = $schema AND table_name = $table
            ORDER BY ordinal_position
            """;
        command.Parameters.Add(new DuckDBParameter("catalog", table.Catalog));
        command.Parameters.Add(new DuckDBParameter("schema", table.Schema));
        command.Parameters.Add(new DuckDBParameter("table", table.Table));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var columns = new List<ColumnSchema>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            columns.Add(DuckDbTypes.FromSql(reader.GetString(0), reader.GetString(1), reader.GetBoolean(2)));
        }

        return columns.Count == 0 ? null : new TableSchema(columns);
    }

    /// <summary>Writes every catalog's pending changes to its file (called on shutdown).</summary>
    public void Checkpoint()
    {
        if (_options.Sharing == WarehouseSharing.Shared)
        {
            CheckpointShared();
            return;
        }

        foreach (var catalog in _catalogs)
        {
            _root.Execute($"CHECKPOINT {TableRef.Quote(catalog)}");
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_options.Sharing == WarehouseSharing.Shared)
        {
            DisposeShared();
            _root.Dispose();
            return;
        }

        try
        {
            Checkpoint();
        }
        catch (DuckDBException)
        {
            // A checkpoint can fail while another connection still writes; the WAL keeps the data safe.
        }

        _root.Dispose();
    }

    /// <summary>A value from a DuckDB reader as a plain .NET value (huge integers narrowed when they fit).</summary>
    public static object? ReadValue(DbDataReader reader, int ordinal)
    {
        if (reader.IsDBNull(ordinal))
        {
            return null;
        }

        try
        {
            return reader.GetValue(ordinal) switch
            {
                System.Numerics.BigInteger big when big >= long.MinValue && big <= long.MaxValue => (long)big,
                System.Numerics.BigInteger big => (double)big,
                var value => value,
            };
        }
        catch (OverflowException)
        {
            // DECIMAL(38,x) sums can exceed System.Decimal; a double keeps the magnitude.
            return reader.GetDouble(ordinal);
        }
    }

    private static List<ColumnSchema> Columns(DbDataReader reader)
    {
        var columns = new List<ColumnSchema>(reader.FieldCount);
        for (var i = 0; i < reader.FieldCount; i++)
        {
            var sqlType = reader.GetDataTypeName(i);
            var fromSql = DuckDbTypes.FromSql(reader.GetName(i), sqlType, true);
            columns.Add(fromSql.Type == ColumnType.String && !sqlType.Equals("VARCHAR", StringComparison.OrdinalIgnoreCase)
                ? fromSql with { Type = DuckDbTypes.FromClr(reader.GetFieldType(i)) }
                : fromSql);
        }

        return columns;
    }

    private static void TryCancel(DbCommand command)
    {
        try
        {
            command.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The query finished first.
        }
    }

    private IEnumerable<string> CatalogNames() => _options.Catalogs
        .Concat(Directory.GetFiles(_options.Directory, "*.duckdb").Select(Path.GetFileNameWithoutExtension).OfType<string>())
        .Distinct(StringComparer.Ordinal);

    private static string Checked(string name) => CatalogName().IsMatch(name)
        ? name
        : throw new ArgumentException($"Catalog name '{name}' must be lower-case letters, digits and underscores, starting with a letter.", nameof(name));

    private static string Escape(string text) => text.Replace("'", "''", StringComparison.Ordinal);

    [GeneratedRegex("^[a-z][a-z0-9_]*$")]
    private static partial Regex CatalogName();
}
