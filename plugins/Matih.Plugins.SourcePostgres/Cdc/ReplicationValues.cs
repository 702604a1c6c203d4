using System.Runtime.CompilerServices;
using Matih.Plugins.SourcePostgres.Discovery;
using Matih.Sdk.Data;
using Npgsql;
using Npgsql.Replication.PgOutput;

namespace Matih.Plugins.SourcePostgres.Cdc;

/// <summary>Decodes pgoutput values (binary) and re-read query values into typed vectors.</summary>
internal static class ReplicationValues
{
    /// <summary>Decodes a non-null, present value of a column read as <paramref name="kind"/>.</summary>
    public static async ValueTask DecodeAsync(ReplicationValue value, ValueKind kind, ColumnVector vector, int row, CancellationToken cancellationToken)
    {
        switch (kind)
        {
            case ValueKind.Boolean:
                As<bool>(vector).Set(row, await value.Get<bool>(cancellationToken).ConfigureAwait(false));
                break;
            case ValueKind.Int16:
                As<int>(vector).Set(row, await value.Get<short>(cancellationToken).ConfigureAwait(false));
                break;
            case ValueKind.Int32:
                As<int>(vector).Set(row, await value.Get<int>(cancellationToken).ConfigureAwait(false));
                break;
            case ValueKind.Int64:
                As<long>(vector).Set(row, await value.Get<long>(cancellationToken).ConfigureAwait(false));
                break;
            case ValueKind.Float4:
                As<double>(vector).Set(row, await value.Get<float>(cancellationToken).ConfigureAwait(false));
                break;
            case ValueKind.Float8:
                As<double>(vector).Set(row, await value.Get<double>(cancellationToken).ConfigureAwait(false));
                break;
            case ValueKind.Decimal:
                As<decimal>(vector).Set(row, await value.Get<decimal>(cancellationToken).ConfigureAwait(false));
                break;
            case ValueKind.Text:
                As<string>(vector).Set(row, await value.Get<string>(cancellationToken).ConfigureAwait(false));
                break;
            case ValueKind.Date:
                As<DateOnly>(vector).Set(row, await value.Get<DateOnly>(cancellationToken).ConfigureAwait(false));
                break;
            case ValueKind.Timestamp:
            case ValueKind.TimestampTz:
                As<DateTime>(vector).Set(row, await value.Get<DateTime>(cancellationToken).ConfigureAwait(false));
                break;
            case ValueKind.Uuid:
                As<Guid>(vector).Set(row, await value.Get<Guid>(cancellationToken).ConfigureAwait(false));
                break;
            case ValueKind.Bytea:
                As<byte[]>(vector).Set(row, await value.Get<byte[]>(cancellationToken).ConfigureAwait(false));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown value kind.");
        }
    }

    /// <summary>Reads column <paramref name="ordinal"/> of a query selecting <see cref="SourceTable.SelectList"/>.</summary>
    public static void Read(NpgsqlDataReader reader, int ordinal, ValueKind kind, ColumnVector vector, int row)
    {
        if (reader.IsDBNull(ordinal))
        {
            vector.SetNull(row);
            return;
        }

        switch (kind)
        {
            case ValueKind.Boolean:
                As<bool>(vector).Set(row, reader.GetBoolean(ordinal));
                break;
            case ValueKind.Int16:
                As<int>(vector).Set(row, reader.GetInt16(ordinal));
                break;
            case ValueKind.Int32:
                As<int>(vector).Set(row, reader.GetInt32(ordinal));
                break;
            case ValueKind.Int64:
                As<long>(vector).Set(row, reader.GetInt64(ordinal));
                break;
            case ValueKind.Float4:
                As<double>(vector).Set(row, reader.GetFloat(ordinal));
                break;
            case ValueKind.Float8:
                As<double>(vector).Set(row, reader.GetDouble(ordinal));
                break;
            case ValueKind.Decimal:
                As<decimal>(vector).Set(row, reader.GetDecimal(ordinal));
                break;
            case ValueKind.Text:
                As<string>(vector).Set(row, reader.GetString(ordinal));
                break;
            case ValueKind.Date:
                As<DateOnly>(vector).Set(row, reader.GetFieldValue<DateOnly>(ordinal));
                break;
            case ValueKind.Timestamp:
            case ValueKind.TimestampTz:
                As<DateTime>(vector).Set(row, reader.GetDateTime(ordinal));
                break;
            case ValueKind.Uuid:
                As<Guid>(vector).Set(row, reader.GetGuid(ordinal));
                break;
            case ValueKind.Bytea:
                As<byte[]>(vector).Set(row, reader.GetFieldValue<byte[]>(ordinal));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown value kind.");
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ColumnVector<T> As<T>(ColumnVector vector) => Unsafe.As<ColumnVector<T>>(vector);
}
