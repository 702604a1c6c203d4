using Matih.Sdk.Data;

namespace Matih.Plugins.SourceFaker.Generation;

/// <summary>
/// Collects the rows of one chunk into batches of the configured capacity, taken from a pool. Also applies the
/// incremental cursor: rows at or before the saved cursor are counted but not written.
/// </summary>
internal sealed class ChunkWriter
{
    private readonly Func<RowBatch> _rent;
    private readonly CursorFilter _filter;
    private RowBatch? _current;

    public ChunkWriter(Func<RowBatch> rent, CursorFilter filter)
    {
        _rent = rent;
        _filter = filter;
    }

    /// <summary>The batch the last <see cref="AddRow"/> wrote to.</summary>
    public RowBatch Batch => _current!;

    /// <summary>Full batches and the last partial one, in row order.</summary>
    public List<RowBatch> Batches { get; } = [];

    public long Rows { get; private set; }

    /// <summary>The largest cursor value generated in this chunk, written or not.</summary>
    public long MaxCursorTicks { get; private set; } = long.MinValue;

    /// <summary>Whether a row with this cursor value is written; tracks the maximum either way.</summary>
    public bool Accept(long cursorTicks)
    {
        if (cursorTicks > MaxCursorTicks)
        {
            MaxCursorTicks = cursorTicks;
        }

        return _filter.Accepts(cursorTicks);
    }

    /// <summary>Appends a row and returns its index in <see cref="Batch"/>, which changes when a batch fills up.</summary>
    public int AddRow()
    {
        if (_current is null || _current.IsFull)
        {
            _current = _rent();
            Batches.Add(_current);
        }

        Rows++;
        return _current.AddRow();
    }
}

/// <summary>Which cursor values an incremental read still has to deliver.</summary>
/// <param name="AfterTicks">The saved cursor, or <see cref="long.MinValue"/> for everything.</param>
/// <param name="Inclusive">Dates are compared inclusively: a later row may share the saved day (upserts dedupe it).</param>
internal readonly record struct CursorFilter(long AfterTicks, bool Inclusive)
{
    public static CursorFilter All => new(long.MinValue, false);

    public bool Accepts(long ticks) => Inclusive ? ticks >= AfterTicks : ticks > AfterTicks;
}
