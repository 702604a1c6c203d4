using Matih.Plugins.SourcePostgres.Configuration;
using Matih.Plugins.SourcePostgres.Discovery;
using Matih.Sdk.Data;
using Npgsql;

namespace Matih.Plugins.SourcePostgres.Cdc;

/// <summary>
/// Reads rows by primary key from the source with the same SELECT list as a snapshot. CDC uses it for the values a
/// change does not carry: TOASTed columns an update left unchanged (PostgreSQL sends only "unchanged" for them
/// unless the table has REPLICA IDENTITY FULL) and types only the SELECT list can format (<c>::text</c>).
/// </summary>
/// <remarks>A re-read row is the row as it is now, at least as new as the change; later changes to it follow in the
/// stream, so the warehouse converges on the source by the end of the sync.</remarks>
internal sealed class RowRereader(PostgresConfig config) : IAsyncDisposable
{
    private const int KeysPerQuery = 1000;

    private NpgsqlConnection? _connection;

    /// <summary>The current rows of <paramref name="table"/> with these key values (rows deleted since are absent).</summary>
    public async Task<RowBatch> ReadAsync(SourceTable table, IReadOnlyList<object?[]> keys, CancellationToken cancellationToken)
    {
        _connection ??= await SourceConnection.OpenAsync(config, commandTimeoutSeconds: 0, cancellationToken).ConfigureAwait(false);
        var columns = table.Columns.Select(c => c.Schema).ToList();
        var found = new RowBatch(columns, Math.Max(1, keys.Count));
        var keyList = "(" + string.Join(", ", table.PrimaryKey.Select(Sql.Quote)) + ")";
        foreach (var chunk in keys.Chunk(KeysPerQuery))
        {
            await using var command = new NpgsqlCommand { Connection = _connection };
            var tuples = new List<string>(chunk.Length);
            foreach (var key in chunk)
            {
                var placeholders = new List<string>(key.Length);
                foreach (var value in key)
                {
                    command.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });
                    placeholders.Add("$" + command.Parameters.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
                }

                tuples.Add("(" + string.Join(", ", placeholders) + ")");
            }

            command.CommandText = $"SELECT {table.SelectList} FROM {table.QualifiedName} WHERE {keyList} IN ({string.Join(", ", tuples)})";
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var row = found.AddRow();
                for (var i = 0; i < table.Columns.Count; i++)
                {
                    ReplicationValues.Read(reader, i, table.Columns[i].Kind, found.Column(i), row);
                }
            }
        }

        return found;
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync().ConfigureAwait(false);
        }
    }
}
