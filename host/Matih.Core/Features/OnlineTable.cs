using System.Collections;
using System.Data.Common;
using System.Globalization;
using Matih.Core.Warehouse;

namespace Matih.Core.Features;

/// <summary>
/// The online store of one feature group version: the latest row per entity, held in memory as typed column
/// arrays with a hash index from entity key to row, so a lookup is a dictionary probe and no boxing of the
/// stored values until they are read. Immutable once built; a sync builds a new one and swaps it in.
/// </summary>
internal sealed class OnlineTable
{
    // Low-cardinality text (segment, channel) is stored once per distinct value; beyond this many, stop trying.
    private const int MaxInternedValues = 65_536;

    private readonly OnlineColumn[] _columns;
    private readonly Dictionary<string, int> _ordinals;
    private readonly Dictionary<long, int>? _longKeys;
    private readonly Dictionary<string, int>? _textKeys;

    private OnlineTable(int version, string[] names, OnlineColumn[] columns, Dictionary<long, int>? longKeys, Dictionary<string, int>? textKeys, int count)
    {
        Version = version;
        Names = names;
        _columns = columns;
        _longKeys = longKeys;
        _textKeys = textKeys;
        Count = count;
        _ordinals = new Dictionary<string, int>(names.Length, StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < names.Length; i++)
        {
            _ordinals.TryAdd(names[i], i);
        }
    }

    /// <summary>The version it serves.</summary>
    public int Version { get; }

    /// <summary>Column names, in table order.</summary>
    public string[] Names { get; }

    /// <summary>Entities held.</summary>
    public int Count { get; }

    /// <summary>The features of the entity whose key reads as <paramref name="key"/>, or null.</summary>
    public FeatureValues? Find(string key)
    {
        int row;
        if (_longKeys is not null)
        {
            if (!long.TryParse(key, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) || !_longKeys.TryGetValue(number, out row))
            {
                return null;
            }
        }
        else if (!_textKeys!.TryGetValue(key, out row))
        {
            return null;
        }

        return new FeatureValues(this, row);
    }

    internal object? Value(int column, int row) => _columns[column].Get(row);

    internal bool TryOrdinal(string name, out int ordinal) => _ordinals.TryGetValue(name, out ordinal);

    /// <summary>
    /// Reads every row of <paramref name="reader"/> (one row per entity, keys not null) into a new table.
    /// <paramref name="capacity"/> is a hint (the entity count recorded at sync).
    /// </summary>
    public static OnlineTable Load(DbDataReader reader, int version, string keyColumn, int capacity)
    {
        var names = new string[reader.FieldCount];
        var columns = new OnlineColumn[reader.FieldCount];
        var keyOrdinal = -1;
        for (var i = 0; i < names.Length; i++)
        {
            names[i] = reader.GetName(i);
            columns[i] = OnlineColumn.For(reader, i);
            if (keyOrdinal < 0 && string.Equals(names[i], keyColumn, StringComparison.OrdinalIgnoreCase))
            {
                keyOrdinal = i;
            }
        }

        if (keyOrdinal < 0)
        {
            throw new InvalidOperationException($"The online store query returned no column '{keyColumn}'.");
        }

        var keyType = reader.GetFieldType(keyOrdinal);
        var integral = keyType == typeof(long) || keyType == typeof(int) || keyType == typeof(short) || keyType == typeof(sbyte)
            || keyType == typeof(byte) || keyType == typeof(ushort) || keyType == typeof(uint);
        capacity = Math.Max(16, capacity);
        var longKeys = integral ? new Dictionary<long, int>(capacity) : null;
        var textKeys = integral ? null : new Dictionary<string, int>(capacity, StringComparer.Ordinal);
        foreach (var column in columns)
        {
            column.Reserve(capacity);
        }

        var row = 0;
        while (reader.Read())
        {
            if (reader.IsDBNull(keyOrdinal))
            {
                continue;
            }

            // The query returns one row per key; a key repeated after text conversion keeps its first row.
            var added = integral
                ? longKeys!.TryAdd(Convert.ToInt64(reader.GetValue(keyOrdinal), CultureInfo.InvariantCulture), row)
                : textKeys!.TryAdd(KeyText(reader.GetValue(keyOrdinal)), row);
            if (!added)
            {
                continue;
            }

            for (var i = 0; i < columns.Length; i++)
            {
                columns[i].Read(reader, i, row);
            }

            row++;
        }

        foreach (var column in columns)
        {
            column.Trim(row);
        }

        return new OnlineTable(version, names, columns, longKeys, textKeys, row);
    }

    /// <summary>How a non-integer key value is written in a lookup (<c>2025-01-31</c>, a UUID, text as is).</summary>
    public static string KeyText(object value) => value switch
    {
        string text => text,
        DateOnly date => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTime time => time.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture),
        bool flag => flag ? "true" : "false",
        double number => number.ToString("R", CultureInfo.InvariantCulture),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <summary>One column's values for every entity.</summary>
    private abstract class OnlineColumn
    {
        public abstract object? Get(int row);

        public abstract void Read(DbDataReader reader, int ordinal, int row);

        public abstract void Reserve(int capacity);

        public abstract void Trim(int count);

        public static OnlineColumn For(DbDataReader reader, int ordinal)
        {
            var type = reader.GetFieldType(ordinal);
            return type switch
            {
                _ when type == typeof(bool) => new Typed<bool>(),
                _ when type == typeof(int) => new Typed<int>(),
                _ when type == typeof(long) => new Typed<long>(),
                _ when type == typeof(double) => new Typed<double>(),
                _ when type == typeof(float) => new Typed<float>(),
                _ when type == typeof(short) => new Typed<short>(),
                _ when type == typeof(DateOnly) => new Typed<DateOnly>(),
                _ when type == typeof(DateTime) => new Typed<DateTime>(),
                _ when type == typeof(Guid) => new Typed<Guid>(),
                _ when type == typeof(TimeSpan) => new Typed<TimeSpan>(),
                _ when type == typeof(decimal) => new Decimals(),
                _ when type == typeof(string) => new Text(),
                _ => new Boxed(),
            };
        }
    }

    /// <summary>A column of a value type with a null mask allocated on the first NULL.</summary>
    private class Typed<T> : OnlineColumn
        where T : struct
    {
        private T[] _values = [];
        private BitArray? _nulls;

        public override object? Get(int row) => _nulls is not null && _nulls[row] ? null : _values[row];

        public override void Read(DbDataReader reader, int ordinal, int row)
        {
            Grow(row);
            if (reader.IsDBNull(ordinal))
            {
                _nulls ??= new BitArray(_values.Length);
                if (_nulls.Length < _values.Length)
                {
                    _nulls.Length = _values.Length;
                }

                _nulls[row] = true;
                return;
            }

            _values[row] = ReadValue(reader, ordinal);
        }

        protected virtual T ReadValue(DbDataReader reader, int ordinal) => reader.GetFieldValue<T>(ordinal);

        public override void Reserve(int capacity) => _values = new T[capacity];

        public override void Trim(int count)
        {
            if (_values.Length != count)
            {
                Array.Resize(ref _values, count);
            }

            if (_nulls is not null)
            {
                _nulls.Length = count;
            }
        }

        private void Grow(int row)
        {
            if (row >= _values.Length)
            {
                Array.Resize(ref _values, Math.Max(16, _values.Length * 2));
                if (_nulls is not null)
                {
                    _nulls.Length = _values.Length;
                }
            }
        }
    }

    /// <summary>
    /// DECIMAL values; the rare one beyond System.Decimal's range (SUM gives DECIMAL(38,x)) is kept as a double,
    /// as the warehouse reads it.
    /// </summary>
    private sealed class Decimals : Typed<decimal>
    {
        private Dictionary<int, double>? _wide;
        private int _row;

        public override object? Get(int row) => _wide is not null && _wide.TryGetValue(row, out var wide) ? wide : base.Get(row);

        public override void Read(DbDataReader reader, int ordinal, int row)
        {
            _row = row;
            base.Read(reader, ordinal, row);
        }

        protected override decimal ReadValue(DbDataReader reader, int ordinal)
        {
            try
            {
                return reader.GetDecimal(ordinal);
            }
            catch (OverflowException)
            {
                // The reader's own double conversion goes through System.Decimal too: scale the raw value here.
                var raw = reader.GetFieldValue<DuckDB.NET.Native.DuckDBDecimal>(ordinal);
                var whole = System.Numerics.BigInteger.DivRem(raw.Value.ToBigInteger(), System.Numerics.BigInteger.Pow(10, raw.Scale), out var fraction);
                // Parsing rounds to the nearest double; the BigInteger cast truncates.
                (_wide ??= [])[_row] = double.Parse(whole.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture) + ((double)fraction / Math.Pow(10, raw.Scale));
                return 0;
            }
        }
    }

    /// <summary>Text, with repeated values stored once.</summary>
    private sealed class Text : OnlineColumn
    {
        private string?[] _values = [];
        private Dictionary<string, string>? _pool = new(StringComparer.Ordinal);

        public override object? Get(int row) => _values[row];

        public override void Read(DbDataReader reader, int ordinal, int row)
        {
            if (row >= _values.Length)
            {
                Array.Resize(ref _values, Math.Max(16, _values.Length * 2));
            }

            if (reader.IsDBNull(ordinal))
            {
                return;
            }

            var value = reader.GetString(ordinal);
            if (_pool is not null)
            {
                if (_pool.TryGetValue(value, out var shared))
                {
                    value = shared;
                }
                else if (_pool.Count < MaxInternedValues)
                {
                    _pool.Add(value, value);
                }
                else
                {
                    _pool = null;
                }
            }

            _values[row] = value;
        }

        public override void Reserve(int capacity) => _values = new string?[capacity];

        public override void Trim(int count)
        {
            Array.Resize(ref _values, count);
            _pool = null;
        }
    }

    /// <summary>Anything else (lists, structs, huge integers, blobs), boxed as the warehouse reads it.</summary>
    private sealed class Boxed : OnlineColumn
    {
        private object?[] _values = [];

        public override object? Get(int row) => _values[row];

        public override void Read(DbDataReader reader, int ordinal, int row)
        {
            if (row >= _values.Length)
            {
                Array.Resize(ref _values, Math.Max(16, _values.Length * 2));
            }

            _values[row] = DuckDbWarehouse.ReadValue(reader, ordinal);
        }

        public override void Reserve(int capacity) => _values = new object?[capacity];

        public override void Trim(int count) => Array.Resize(ref _values, count);
    }
}

/// <summary>
/// One entity's features from the online store, read-only and without copying: column name (case-insensitive)
/// to value, in the table's column order.
/// </summary>
public sealed class FeatureValues : IReadOnlyDictionary<string, object?>
{
    private readonly OnlineTable _table;
    private readonly int _row;

    internal FeatureValues(OnlineTable table, int row)
    {
        _table = table;
        _row = row;
    }

    /// <summary>The feature group version the values come from.</summary>
    public int Version => _table.Version;

    /// <inheritdoc />
    public int Count => _table.Names.Length;

    /// <inheritdoc />
    public IEnumerable<string> Keys => _table.Names;

    /// <inheritdoc />
    public IEnumerable<object?> Values => Enumerable.Range(0, Count).Select(i => _table.Value(i, _row));

    /// <inheritdoc />
    public object? this[string key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"No feature '{key}'.");

    /// <inheritdoc />
    public bool ContainsKey(string key) => _table.TryOrdinal(key, out _);

    /// <inheritdoc />
    public bool TryGetValue(string key, out object? value)
    {
        if (_table.TryOrdinal(key, out var ordinal))
        {
            value = _table.Value(ordinal, _row);
            return true;
        }

        value = null;
        return false;
    }

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        for (var i = 0; i < _table.Names.Length; i++)
        {
            yield return new KeyValuePair<string, object?>(_table.Names[i], _table.Value(i, _row));
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
