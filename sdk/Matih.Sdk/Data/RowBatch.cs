namespace Matih.Sdk.Data;

/// <summary>
/// A batch of rows stored by column, the unit connectors hand to the warehouse. Typed vectors avoid boxing, so a
/// connector can deliver millions of rows per second; <see cref="AddRow(object?[])"/> is there for convenience.
/// </summary>
/// <example>
/// <code>
/// var batch = new RowBatch(schema.Columns, capacity: 8192);
/// var ids = batch.Column&lt;long&gt;(0);
/// var row = batch.AddRow();
/// ids.Set(row, 42);
/// batch.Column(1).SetNull(row);
/// </code>
/// </example>
public sealed class RowBatch
{
    private readonly ColumnVector[] _columns;

    /// <summary>Creates an empty batch for <paramref name="columns"/>.</summary>
    /// <param name="columns">The batch's columns, in order.</param>
    /// <param name="capacity">Rows the batch holds before <see cref="IsFull"/>; it still grows beyond it.</param>
    public RowBatch(IReadOnlyList<ColumnSchema> columns, int capacity = 8192)
    {
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Columns = columns;
        Capacity = capacity;
        _columns = columns.Select(c => ColumnVector.Create(c, capacity)).ToArray();
    }

    /// <summary>The batch's columns, in order.</summary>
    public IReadOnlyList<ColumnSchema> Columns { get; }

    /// <summary>Rows added so far.</summary>
    public int Count { get; private set; }

    /// <summary>Rows the batch was sized for.</summary>
    public int Capacity { get; private set; }

    /// <summary>True when <see cref="Count"/> has reached <see cref="Capacity"/>: time to hand it over.</summary>
    public bool IsFull => Count >= Capacity;

    /// <summary>The vector of column <paramref name="index"/>.</summary>
    public ColumnVector Column(int index) => _columns[index];

    /// <summary>The typed vector of column <paramref name="index"/>.</summary>
    /// <exception cref="InvalidCastException"><typeparamref name="T"/> is not the column's storage type.</exception>
    public ColumnVector<T> Column<T>(int index) => _columns[index] as ColumnVector<T>
        ?? throw new InvalidCastException(
            $"Column '{Columns[index].Name}' is {Columns[index].Type} stored as {Columns[index].Type.StorageType().Name}, not {typeof(T).Name}.");

    /// <summary>The index of the column named <paramref name="name"/> (case-insensitive), or -1.</summary>
    public int IndexOf(string name)
    {
        for (var i = 0; i < Columns.Count; i++)
        {
            if (string.Equals(Columns[i].Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Appends an empty row (all values default, not null) and returns its index.</summary>
    public int AddRow()
    {
        if (Count == Capacity)
        {
            Capacity *= 2;
            foreach (var column in _columns)
            {
                column.Resize(Capacity);
            }
        }

        return Count++;
    }

    /// <summary>Appends a row from boxed values, one per column; null means NULL.</summary>
    public int AddRow(params object?[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Length != _columns.Length)
        {
            throw new ArgumentException($"Expected {_columns.Length} values, got {values.Length}.", nameof(values));
        }

        var row = AddRow();
        for (var i = 0; i < values.Length; i++)
        {
            _columns[i].SetValue(row, values[i]);
        }

        return row;
    }

    /// <summary>The boxed value at (<paramref name="row"/>, <paramref name="column"/>); null for NULL.</summary>
    public object? GetValue(int row, int column) => _columns[column].GetValue(row);

    /// <summary>Empties the batch so it can be reused; keeps its capacity.</summary>
    public void Clear()
    {
        foreach (var column in _columns)
        {
            column.Clear(Count);
        }

        Count = 0;
    }
}
