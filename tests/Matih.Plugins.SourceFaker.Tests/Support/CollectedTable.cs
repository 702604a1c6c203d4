using System.Security.Cryptography;
using System.Text;
using Matih.Sdk.Data;

namespace Matih.Plugins.SourceFaker.Tests.Support;

/// <summary>One stream's rows, copied out of the batches column by column without boxing.</summary>
internal sealed class CollectedTable
{
    private readonly CollectedColumn[] _columns;

    public CollectedTable(TableSchema schema)
    {
        Schema = schema;
        _columns = schema.Columns.Select(CollectedColumn.Create).ToArray();
    }

    public TableSchema Schema { get; }

    public long RowCount { get; private set; }

    public int Count => (int)RowCount;

    /// <summary>The typed values of <paramref name="name"/>; entries at NULL rows are default.</summary>
    public CollectedColumn<T> Column<T>(string name)
    {
        var index = Schema.Columns.ToList().FindIndex(c => c.Name == name);
        Assert.True(index >= 0, $"no column '{name}'");
        return (CollectedColumn<T>)_columns[index];
    }

    public void Append(RowBatch batch)
    {
        Assert.Equal(Schema.Columns.Select(c => c.Name), batch.Columns.Select(c => c.Name));
        for (var i = 0; i < _columns.Length; i++)
        {
            _columns[i].Append(batch.Column(i), batch.Count);
        }

        RowCount += batch.Count;
    }

    public void HashInto(IncrementalHash hash)
    {
        foreach (var column in _columns)
        {
            column.HashInto(hash);
        }
    }
}

internal abstract class CollectedColumn
{
    public List<bool> Nulls { get; } = [];

    public bool IsNull(int row) => Nulls[row];

    public abstract void Append(ColumnVector vector, int count);

    public abstract void HashInto(IncrementalHash hash);

    public static CollectedColumn Create(ColumnSchema schema) => schema.Type switch
    {
        ColumnType.Boolean => new CollectedColumn<bool>(),
        ColumnType.Int32 => new CollectedColumn<int>(),
        ColumnType.Int64 => new CollectedColumn<long>(),
        ColumnType.Decimal => new CollectedColumn<decimal>(),
        ColumnType.String => new CollectedColumn<string>(),
        ColumnType.Date => new CollectedColumn<DateOnly>(),
        ColumnType.Timestamp => new CollectedColumn<DateTime>(),
        _ => throw new NotSupportedException(schema.Type.ToString()),
    };
}

internal sealed class CollectedColumn<T> : CollectedColumn
{
    public List<T> Values { get; } = [];

    public T this[int row] => Values[row];

    /// <summary>The value, or null for NULL (for value types, use with a nullable T at the call site).</summary>
    public T? ValueOrDefault(int row) => IsNull(row) ? default : Values[row];

    public override void Append(ColumnVector vector, int count)
    {
        var typed = (ColumnVector<T>)vector;
        for (var row = 0; row < count; row++)
        {
            var isNull = typed.IsNull(row);
            Nulls.Add(isNull);
            Values.Add(isNull ? default! : typed.Values[row]);
        }
    }

    public override void HashInto(IncrementalHash hash)
    {
        var builder = new StringBuilder();
        for (var row = 0; row < Values.Count; row++)
        {
            builder.Append(Nulls[row] ? "\u0000" : Format(Values[row])).Append('\u001f');
            if (builder.Length > 1 << 16)
            {
                hash.AppendData(Encoding.UTF8.GetBytes(builder.ToString()));
                builder.Clear();
            }
        }

        hash.AppendData(Encoding.UTF8.GetBytes(builder.ToString()));
    }

    private static string Format(T value) => value switch
    {
        DateTime t => t.Ticks.ToString(System.Globalization.CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => value?.ToString() ?? string.Empty,
    };
}
