using System.Runtime.CompilerServices;
using Matih.Plugins.SourcePostgres.Discovery;
using Matih.Sdk.Data;
using Npgsql;
using NpgsqlTypes;

namespace Matih.Plugins.SourcePostgres.Copying;

/// <summary>
/// Reads one column of a binary COPY row straight into a typed vector: no boxing, one virtual call per value.
/// Binary COPY carries no type information, so each copier names the PostgreSQL type it reads.
/// </summary>
internal abstract class ColumnCopier
{
    /// <summary>Reads the current column of the current row into <paramref name="vector"/> at <paramref name="row"/>.</summary>
    public abstract void Read(NpgsqlBinaryExporter exporter, ColumnVector vector, int row);

    /// <summary>The copier for values of <paramref name="kind"/>.</summary>
    public static ColumnCopier For(ValueKind kind) => kind switch
    {
        ValueKind.Boolean => new Value<bool>(NpgsqlDbType.Boolean),
        ValueKind.Int16 => new Int16ToInt32(),
        ValueKind.Int32 => new Value<int>(NpgsqlDbType.Integer),
        ValueKind.Int64 => new Value<long>(NpgsqlDbType.Bigint),
        ValueKind.Float4 => new Float4ToDouble(),
        ValueKind.Float8 => new Value<double>(NpgsqlDbType.Double),
        ValueKind.Decimal => new Value<decimal>(NpgsqlDbType.Numeric),
        ValueKind.Text => new Direct<string>(NpgsqlDbType.Text),
        ValueKind.Date => new Value<DateOnly>(NpgsqlDbType.Date),
        ValueKind.Timestamp => new Value<DateTime>(NpgsqlDbType.Timestamp),
        ValueKind.TimestampTz => new Value<DateTime>(NpgsqlDbType.TimestampTz),
        ValueKind.Uuid => new Value<Guid>(NpgsqlDbType.Uuid),
        ValueKind.Bytea => new Direct<byte[]>(NpgsqlDbType.Bytea),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown value kind."),
    };

    private sealed class Direct<T>(NpgsqlDbType type) : ColumnCopier
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public override void Read(NpgsqlBinaryExporter exporter, ColumnVector vector, int row)
        {
            // The batch was built from the same column list, so the vector's type is known; skip the checked cast.
            var typed = Unsafe.As<ColumnVector<T>>(vector);
            if (exporter.IsNull)
            {
                exporter.Skip();
                typed.SetNull(row);
            }
            else
            {
                typed.Set(row, exporter.Read<T>(type));
            }
        }
    }

    /// <summary>Value types read as <c>T?</c>: one call per value, NULL included.</summary>
    private sealed class Value<T>(NpgsqlDbType type) : ColumnCopier
        where T : struct
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public override void Read(NpgsqlBinaryExporter exporter, ColumnVector vector, int row)
        {
            var typed = Unsafe.As<ColumnVector<T>>(vector);
            if (exporter.Read<T?>(type) is { } value)
            {
                typed.Set(row, value);
            }
            else
            {
                typed.SetNull(row);
            }
        }
    }

    private sealed class Int16ToInt32 : ColumnCopier
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public override void Read(NpgsqlBinaryExporter exporter, ColumnVector vector, int row)
        {
            var typed = Unsafe.As<ColumnVector<int>>(vector);
            if (exporter.IsNull)
            {
                exporter.Skip();
                typed.SetNull(row);
            }
            else
            {
                typed.Set(row, exporter.Read<short>(NpgsqlDbType.Smallint));
            }
        }
    }

    private sealed class Float4ToDouble : ColumnCopier
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public override void Read(NpgsqlBinaryExporter exporter, ColumnVector vector, int row)
        {
            var typed = Unsafe.As<ColumnVector<double>>(vector);
            if (exporter.IsNull)
            {
                exporter.Skip();
                typed.SetNull(row);
            }
            else
            {
                typed.Set(row, exporter.Read<float>(NpgsqlDbType.Real));
            }
        }
    }
}
