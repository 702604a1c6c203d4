using DuckDB.NET.Data;
using Matih.Sdk.Data;

namespace Matih.Core.Warehouse;

/// <summary>Writes <see cref="RowBatch"/>es through DuckDB's appender, reading typed vectors without boxing.</summary>
public static class BatchAppender
{
    /// <summary>Appends every row of <paramref name="batch"/>; columns must be in the table's order.</summary>
    public static void Append(DuckDBAppender appender, RowBatch batch)
    {
        var columns = new ColumnVector[batch.Columns.Count];
        for (var c = 0; c < columns.Length; c++)
        {
            columns[c] = batch.Column(c);
        }

        for (var r = 0; r < batch.Count; r++)
        {
            var row = appender.CreateRow();
            for (var c = 0; c < columns.Length; c++)
            {
                var column = columns[c];
                if (column.IsNull(r))
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
                    _ => throw new InvalidOperationException($"Column '{column.Schema.Name}' has an unsupported storage type."),
                };
            }

            row.EndRow();
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
