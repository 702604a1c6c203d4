using DuckDB.NET.Data;
using Matih.Sdk.Data;

namespace Matih.Core.Warehouse;

/// <summary>Writes <see cref="RowBatch"/>es through DuckDB's appender, reading typed vectors without boxing.</summary>
public static class BatchAppender
{
    /// <summary>Appends every row of <paramref name="batch"/>; columns must be in the table's order.</summary>
    public static void Append(DuckDBAppender appender, RowBatch batch)
    {
        var columns = new ColumnVector?[batch.Columns.Count];
        for (var c = 0; c < columns.Length; c++)
        {
            columns[c] = batch.Column(c);
        }

        for (var r = 0; r < batch.Count; r++)
        {
            var row = appender.CreateRow();
            AppendValues(row, columns, r);
            row.EndRow();
        }
    }

    /// <summary>
    /// Appends <paramref name="batch"/> as change rows: the columns of <paramref name="schema"/> matched by name
    /// (absent ones NULL, as in a delete that carries only the key), then the operation and a sequence number.
    /// </summary>
    public static void AppendChanges(DuckDBAppender appender, TableSchema schema, RowBatch batch, byte operation, long firstSequence)
    {
        var columns = new ColumnVector?[schema.Columns.Count];
        for (var c = 0; c < columns.Length; c++)
        {
            var index = batch.IndexOf(schema.Columns[c].Name);
            columns[c] = index < 0 ? null : batch.Column(index);
        }

        for (var r = 0; r < batch.Count; r++)
        {
            var row = appender.CreateRow();
            AppendValues(row, columns, r);
            row.AppendValue((int)operation);
            row.AppendValue(firstSequence + r);
            row.EndRow();
        }
    }

    private static void AppendValues(IDuckDBAppenderRow row, ColumnVector?[] columns, int r)
    {
        foreach (var column in columns)
        {
            if (column is null || column.IsNull(r))
            {
                row.AppendNullValue();
                continue;
            }

            _ = column switch
            {
                ColumnVector<long> v => row.AppendValue(v.Values[r]),
                ColumnVector<int> v => row.AppendValue(v.Values[r]),
                ColumnVector<double> v => row.AppendValue(v.Values[r]),
                ColumnVector<string> v => row.AppendValue(v.Values[r]),
                ColumnVector<decimal> v => row.AppendValue(v.Values[r]),
                ColumnVector<DateOnly> v => row.AppendValue(v.Values[r]),
                ColumnVector<DateTime> v => row.AppendValue(v.Values[r]),
                ColumnVector<bool> v => row.AppendValue(v.Values[r]),
                ColumnVector<Guid> v => row.AppendValue(v.Values[r]),
                _ => throw new InvalidOperationException($"Column '{column.Schema.Name}' is {column.Schema.Type}, which the warehouse appender does not take yet."),
            };
        }
    }

    /// <summary>The CREATE TABLE statement for <paramref name="table"/> with <paramref name="schema"/>.</summary>
    public static string CreateTableSql(TableRef table, TableSchema schema, bool orReplace = false)
    {
        var columns = schema.Columns.Select(c => $"{TableRef.Quote(c.Name)} {DuckDbTypes.ToSql(c)}{(c.Nullable ? "" : " NOT NULL")}");
        // No PRIMARY KEY constraint: DuckDB's key index slows bulk appends; keys are kept in metadata instead.
        return $"CREATE {(orReplace ? "OR REPLACE " : "")}TABLE {table.ToSql()} ({string.Join(", ", columns)})";
    }
}
