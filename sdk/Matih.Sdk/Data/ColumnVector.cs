namespace Matih.Sdk.Data;

/// <summary>One column of a <see cref="RowBatch"/>: values in a typed array plus a null mask.</summary>
public abstract class ColumnVector
{
    private bool[] _nulls;

    private protected ColumnVector(ColumnSchema schema, int capacity)
    {
        Schema = schema;
        _nulls = new bool[capacity];
    }

    /// <summary>The column this vector holds.</summary>
    public ColumnSchema Schema { get; }

    /// <summary>True when the value at <paramref name="row"/> is NULL.</summary>
    public bool IsNull(int row) => _nulls[row];

    /// <summary>Marks the value at <paramref name="row"/> NULL.</summary>
    public void SetNull(int row) => _nulls[row] = true;

    /// <summary>The value at <paramref name="row"/>, boxed; null for NULL. Prefer the typed vector on hot paths.</summary>
    public abstract object? GetValue(int row);

    /// <summary>Sets the value at <paramref name="row"/> from a boxed value; null means NULL.</summary>
    /// <exception cref="InvalidCastException">The value cannot be converted to the column's storage type.</exception>
    public abstract void SetValue(int row, object? value);

    internal void ClearNull(int row) => _nulls[row] = false;

    internal virtual void Resize(int capacity) => Array.Resize(ref _nulls, capacity);

    internal virtual void Clear(int count) => Array.Clear(_nulls, 0, count);

    internal static ColumnVector Create(ColumnSchema schema, int capacity) => schema.Type switch
    {
        ColumnType.Boolean => new ColumnVector<bool>(schema, capacity),
        ColumnType.Int32 => new ColumnVector<int>(schema, capacity),
        ColumnType.Int64 => new ColumnVector<long>(schema, capacity),
        ColumnType.Double => new ColumnVector<double>(schema, capacity),
        ColumnType.Decimal => new ColumnVector<decimal>(schema, capacity),
        ColumnType.String or ColumnType.Json => new ColumnVector<string>(schema, capacity),
        ColumnType.Date => new ColumnVector<DateOnly>(schema, capacity),
        ColumnType.Timestamp or ColumnType.TimestampTz => new ColumnVector<DateTime>(schema, capacity),
        ColumnType.Uuid => new ColumnVector<Guid>(schema, capacity),
        ColumnType.Binary => new ColumnVector<byte[]>(schema, capacity),
        _ => throw new ArgumentOutOfRangeException(nameof(schema), schema.Type, "Unknown column type."),
    };
}

/// <summary>A column whose values are stored as <typeparamref name="T"/>.</summary>
public sealed class ColumnVector<T> : ColumnVector
{
    private T[] _values;

    internal ColumnVector(ColumnSchema schema, int capacity)
        : base(schema, capacity)
    {
        _values = new T[capacity];
    }

    /// <summary>The values; entries at NULL rows are meaningless. Valid up to <see cref="RowBatch.Count"/>.</summary>
    public T[] Values => _values;

    /// <summary>Sets a non-null value.</summary>
    public void Set(int row, T value)
    {
        _values[row] = value;
        ClearNull(row);
    }

    /// <inheritdoc />
    public override object? GetValue(int row) => IsNull(row) ? null : _values[row];

    /// <inheritdoc />
    public override void SetValue(int row, object? value)
    {
        if (value is null || value is DBNull)
        {
            SetNull(row);
            return;
        }

        Set(row, value is T typed ? typed : Convert<T>(value));
    }

    internal override void Resize(int capacity)
    {
        base.Resize(capacity);
        Array.Resize(ref _values, capacity);
    }

    internal override void Clear(int count)
    {
        base.Clear(count);
        Array.Clear(_values, 0, count);
    }

    private static TOut Convert<TOut>(object value)
    {
        object converted = typeof(TOut) switch
        {
            var t when t == typeof(DateOnly) && value is DateTime dt => DateOnly.FromDateTime(dt),
            var t when t == typeof(DateTime) && value is DateOnly d => d.ToDateTime(TimeOnly.MinValue),
            var t when t == typeof(DateTime) && value is DateTimeOffset dto => dto.UtcDateTime,
            var t when t == typeof(Guid) && value is string s => Guid.Parse(s),
            var t when t == typeof(string) => System.Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)!,
            _ => System.Convert.ChangeType(value, typeof(TOut), System.Globalization.CultureInfo.InvariantCulture),
        };
        return (TOut)converted;
    }
}
