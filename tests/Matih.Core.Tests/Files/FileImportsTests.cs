using System.Text;
using Matih.Core.Files;
using Matih.Core.Warehouse;
using Matih.Sdk.Data;

namespace Matih.Core.Tests.Files;

public sealed class FileImportsTests : IDisposable
{
    private static readonly DeclaredColumn[] s_surveyColumns =
    [
        new("customer_id", "INT"), new("survey_date", "DATE"), new("nps_score", "INT"), new("satisfaction_rating", "INT"), new("comments", "TEXT"),
    ];

    private static readonly TableRef s_destination = TableRef.Parse("novamart.surveys.customer_nps");

    private readonly TestStores _stores = new();
    private readonly string _folder;
    private readonly DuckDbWarehouse _warehouse;
    private readonly FileImports _imports;

    public FileImportsTests()
    {
        _folder = _stores.Folder;
        _warehouse = _stores.Warehouse;
        _imports = new FileImports(_warehouse, _stores.Datasets, _stores.Lineage);
    }

    public void Dispose() => _stores.Dispose();

    [Fact]
    public async Task A_good_survey_file_previews_ten_rows_and_imports_every_row_with_the_declared_types()
    {
        var file = Write("customer_surveys_2025.csv", Survey(48));

        var preview = await _imports.PreviewAsync(file, "customer_surveys_2025.csv", s_surveyColumns, default);
        var result = await _imports.ImportAsync(file, "customer_surveys_2025.csv", s_destination, s_surveyColumns, BadRowPolicy.Fail, default);

        Assert.Equal(10, preview.Rows.Count);
        Assert.Equal([ColumnType.Int32, ColumnType.Date, ColumnType.Int32, ColumnType.Int32, ColumnType.String], preview.Columns.Select(c => c.Type));
        Assert.Empty(preview.BadRows);
        Assert.True(result.Imported, result.Error);
        Assert.Equal(48, result.RowsImported);
        var schema = await _warehouse.GetSchemaAsync(s_destination, default);
        Assert.Equal(ColumnType.Date, schema!.Find("survey_date")!.Type);
    }

    [Fact]
    public async Task A_bad_date_refuses_the_whole_file_naming_the_line_column_and_value()
    {
        var file = Write("s.csv", Survey(5).Replace("2025-01-03", "2025-02-30", StringComparison.Ordinal));

        var result = await _imports.ImportAsync(file, "s.csv", s_destination, s_surveyColumns, BadRowPolicy.Fail, default);

        Assert.False(result.Imported);
        var bad = Assert.Single(result.BadRows);
        Assert.Equal(4, bad.Line);
        Assert.Equal("survey_date", bad.Column);
        Assert.Equal("2025-02-30", bad.Value);
        Assert.StartsWith("1 row of s.csv do not fit the schema; nothing was imported.", result.Error, StringComparison.Ordinal);
        Assert.Null(await _warehouse.GetSchemaAsync(s_destination, default));
    }

    [Fact]
    public async Task A_bad_row_among_the_first_rows_still_gives_a_preview_and_is_listed()
    {
        var file = Write("s.csv", Survey(12).Replace("2025-01-02", "2025-02-30", StringComparison.Ordinal));

        var preview = await _imports.PreviewAsync(file, "s.csv", s_surveyColumns, default);

        Assert.Equal(10, preview.Rows.Count);
        Assert.Equal(3, Assert.Single(preview.BadRows).Line);
    }

    [Fact]
    public async Task Keeping_rejects_imports_the_good_rows_and_keeps_the_bad_ones_in_a_rejects_table()
    {
        var file = Write("s.csv", Survey(6).Replace("2025-01-03", "2025-02-30", StringComparison.Ordinal) + "7,2025-01-09,9,4,too,many,fields\n");

        var result = await _imports.ImportAsync(file, "s.csv", s_destination, s_surveyColumns, BadRowPolicy.KeepRejects, default);

        Assert.True(result.Imported, result.Error);
        Assert.Equal(5, result.RowsImported);
        Assert.Equal(2, result.RowsRejected);
        Assert.Equal("novamart.surveys.customer_nps_rejects", result.RejectsTable);
        var rejects = await _warehouse.QueryAsync("SELECT line FROM novamart.surveys.customer_nps_rejects ORDER BY line", default);
        Assert.Equal([4L, 8L], rejects.Rows.Select(r => Convert.ToInt64(r[0], System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public async Task A_ragged_row_is_reported_with_its_line()
    {
        var file = Write("s.csv", Survey(3) + "9,2025-01-09\n");

        var result = await _imports.ImportAsync(file, "s.csv", s_destination, s_surveyColumns, BadRowPolicy.Fail, default);

        Assert.False(result.Imported);
        Assert.Equal(5, Assert.Single(result.BadRows).Line);
    }

    [Fact]
    public async Task An_empty_file_and_a_file_that_is_not_utf8_are_refused_in_words()
    {
        var empty = Write("empty.csv", "");
        var latin = Path.Combine(_folder, "latin.csv");
        await File.WriteAllBytesAsync(latin, Encoding.Latin1.GetBytes("customer_id,comments\n1,Caf\u00e9 tr\u00e8s bien\n"));

        Assert.Equal("The file is empty.", (await Assert.ThrowsAsync<FileImportException>(() => _imports.PreviewAsync(empty, "empty.csv", null, default))).Message);
        var error = await _imports.ImportAsync(latin, "latin.csv", s_destination, null, BadRowPolicy.Fail, default);
        Assert.False(error.Imported);
        Assert.Contains("not valid UTF-8", error.Error ?? string.Join(" ", error.BadRows.Select(b => b.Error)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_huge_text_field_is_imported_whole()
    {
        var huge = new string('x', 5_000_000);
        var file = Write("s.csv", $"customer_id,survey_date,nps_score,satisfaction_rating,comments\n1,2025-01-01,9,5,\"{huge}\"\n");

        var result = await _imports.ImportAsync(file, "s.csv", s_destination, s_surveyColumns, BadRowPolicy.Fail, default);

        Assert.True(result.Imported, result.Error);
        var length = await _warehouse.QueryAsync("SELECT length(comments) FROM novamart.surveys.customer_nps", default);
        Assert.Equal(5_000_000L, Convert.ToInt64(length.Rows[0][0], System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task A_parquet_file_is_imported_with_its_own_schema()
    {
        var parquet = Path.Combine(_folder, "surveys.parquet");
        await _warehouse.ExecuteAsync($"COPY (SELECT range AS customer_id, DATE '2025-01-01' + range::INT AS survey_date FROM range(100)) TO '{parquet}' (FORMAT parquet)", default);

        var result = await _imports.ImportAsync(parquet, "surveys.parquet", s_destination, null, BadRowPolicy.Fail, default);

        Assert.True(result.Imported, result.Error);
        Assert.Equal(100, result.RowsImported);
    }

    [Fact]
    public void Unknown_declared_types_are_named_by_index()
    {
        var problems = FileImports.CheckDeclared([new("a", "INT"), new("b", "MONEY")]);

        Assert.Equal(["columns[1].type 'MONEY' is not a type Matih knows; use INT, BIGINT, DOUBLE, DECIMAL(p,s), TEXT, DATE, TIMESTAMP, BOOLEAN."], problems);
    }

    [Fact]
    public void Declared_columns_are_read_as_the_seed_writes_them()
    {
        var columns = DeclaredColumns.Parse("customer_id (INT), survey_date (DATE), nps_score (INT), satisfaction_rating (INT), comments (TEXT), amount (DECIMAL(12,2))");

        Assert.Equal([.. s_surveyColumns, new DeclaredColumn("amount", "DECIMAL(12,2)")], columns);
        Assert.Equal([new DeclaredColumn("id", "BIGINT"), new DeclaredColumn("v", "DECIMAL(5, 1)")], DeclaredColumns.Parse("id BIGINT, v DECIMAL(5, 1)"));
        Assert.Equal([new DeclaredColumn("id", "INT")], DeclaredColumns.Parse("""[{"name": "id", "type": "INT"}]"""));
        Assert.Contains("entry 2 ('oops')", Assert.Throws<FormatException>(() => DeclaredColumns.Parse("id INT, oops")).Message, StringComparison.Ordinal);
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, text, new UTF8Encoding(false));
        return path;
    }

    private static string Survey(int rows)
    {
        var text = new StringBuilder("customer_id,survey_date,nps_score,satisfaction_rating,comments\n");
        for (var i = 1; i <= rows; i++)
        {
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"{i},{new DateOnly(2025, 1, 1).AddDays(i - 1):yyyy-MM-dd},{i % 11},{i % 5 + 1},\"comment {i}, with a comma\"\n");
        }

        return text.ToString();
    }
}
