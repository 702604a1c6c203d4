using Matih.Sdk.Training;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Matih.Plugins.MlNet.Data;

/// <summary>
/// A <see cref="FeatureTable"/> seen as an ML.NET <see cref="IDataView"/> without copying it into row objects:
/// <c>Label</c> (when the table has labels), <c>Numeric</c> (float vector) and <c>Categorical</c> (text vector of
/// index-prefixed values), each present only when the layout has such features.
/// </summary>
internal sealed class FeatureTableDataView : IDataView
{
    private readonly bool[]? _label;
    private readonly float[][] _numeric;
    private readonly string?[][] _categorical;
    private readonly int _rows;
    private readonly CancellationToken _cancellationToken;

    public FeatureTableDataView(FeatureTable table, FeatureLayout layout, bool includeLabel, CancellationToken cancellationToken = default)
    {
        _cancellationToken = cancellationToken;
        ArgumentNullException.ThrowIfNull(table);
        _rows = table.RowCount;
        _numeric = layout.Numeric.Select(name => Column(table.Numeric, name, "numeric", _rows)).ToArray();
        _categorical = layout.Categorical.Select(name => Column(table.Categorical, name, "categorical", _rows)).ToArray();
        if (includeLabel)
        {
            _label = table.Label ?? throw new ArgumentException("label: the training rows have no label.");
        }

        Schema = SchemaOf(layout, includeLabel);
    }

    public bool CanShuffle => false;

    public DataViewSchema Schema { get; }

    /// <summary>The schema a model's input has: the label only when training.</summary>
    public static DataViewSchema SchemaOf(FeatureLayout layout, bool includeLabel)
    {
        var builder = new DataViewSchema.Builder();
        if (includeLabel)
        {
            builder.AddColumn(FeatureLayout.LabelColumn, BooleanDataViewType.Instance);
        }

        if (layout.Numeric.Count > 0)
        {
            builder.AddColumn(FeatureLayout.NumericColumn, new VectorDataViewType(NumberDataViewType.Single, layout.Numeric.Count));
        }

        if (layout.Categorical.Count > 0)
        {
            builder.AddColumn(FeatureLayout.CategoricalColumn, new VectorDataViewType(TextDataViewType.Instance, layout.Categorical.Count));
        }

        return builder.ToSchema();
    }

    public long? GetRowCount() => _rows;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) =>
        new Cursor(this, columnsNeeded);

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [new Cursor(this, columnsNeeded)];

    private static T[] Column<T>(IReadOnlyDictionary<string, T[]> columns, string name, string kind, int rows)
    {
        if (!columns.TryGetValue(name, out var values))
        {
            throw new ArgumentException($"features.{name}: the model needs this {kind} feature, but the rows do not have it.");
        }

        if (values.Length != rows)
        {
            throw new ArgumentException($"features.{name}: has {values.Length} values but the table has {rows} rows.");
        }

        return values;
    }

    private sealed class Cursor : DataViewRowCursor
    {
        private readonly FeatureTableDataView _view;
        private readonly bool[] _active;
        private readonly Dictionary<string, ReadOnlyMemory<char>>[] _prefixed;
        private long _position = -1;

        public Cursor(FeatureTableDataView view, IEnumerable<DataViewSchema.Column> columnsNeeded)
        {
            _view = view;
            _active = new bool[view.Schema.Count];
            foreach (var column in columnsNeeded)
            {
                _active[column.Index] = true;
            }

            // One prefixed string per distinct category and cursor, not one per row.
            _prefixed = view._categorical.Select(_ => new Dictionary<string, ReadOnlyMemory<char>>(StringComparer.Ordinal)).ToArray();
        }

        public override DataViewSchema Schema => _view.Schema;

        public override long Position => _position;

        public override long Batch => 0;

        public override bool MoveNext()
        {
            if (_position + 1 >= _view._rows)
            {
                _position = _view._rows;
                return false;
            }

            // Checked every 4,096 rows: cheap, and a long pass over millions of rows still stops within milliseconds.
            if ((++_position & 4095) == 0)
            {
                _view._cancellationToken.ThrowIfCancellationRequested();
            }

            return true;
        }

        public override bool IsColumnActive(DataViewSchema.Column column) => _active[column.Index];

        public override ValueGetter<DataViewRowId> GetIdGetter() =>
            (ref DataViewRowId value) => value = new DataViewRowId((ulong)_position, 0);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            Delegate getter = column.Name switch
            {
                FeatureLayout.LabelColumn => (ValueGetter<bool>)((ref bool value) => value = _view._label![_position]),
                FeatureLayout.NumericColumn => (ValueGetter<VBuffer<float>>)GetNumeric,
                FeatureLayout.CategoricalColumn => (ValueGetter<VBuffer<ReadOnlyMemory<char>>>)GetCategorical,
                _ => throw new ArgumentOutOfRangeException(nameof(column), column.Name, "not a column of this view"),
            };
            return getter as ValueGetter<TValue>
                ?? throw new InvalidOperationException($"column {column.Name} is {column.Type}, not {typeof(TValue).Name}.");
        }

        private void GetNumeric(ref VBuffer<float> value)
        {
            var columns = _view._numeric;
            var editor = VBufferEditor.Create(ref value, columns.Length);
            for (var j = 0; j < columns.Length; j++)
            {
                editor.Values[j] = columns[j][_position];
            }

            value = editor.Commit();
        }

        private void GetCategorical(ref VBuffer<ReadOnlyMemory<char>> value)
        {
            var columns = _view._categorical;
            var editor = VBufferEditor.Create(ref value, columns.Length);
            for (var j = 0; j < columns.Length; j++)
            {
                var raw = columns[j][_position];
                if (string.IsNullOrEmpty(raw))
                {
                    editor.Values[j] = ReadOnlyMemory<char>.Empty;
                    continue;
                }

                if (!_prefixed[j].TryGetValue(raw, out var prefixed))
                {
                    prefixed = FeatureLayout.Prefix(j, raw).AsMemory();
                    _prefixed[j][raw] = prefixed;
                }

                editor.Values[j] = prefixed;
            }

            value = editor.Commit();
        }
    }
}
