using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Matih.Testing;

namespace Matih.Host.Tests.Api;

public sealed class FilesTests(DemoHostFixture fixture) : IClassFixture<DemoHostFixture>
{
    private const string SeedColumns = "customer_id (INT), survey_date (DATE), nps_score (INT), satisfaction_rating (INT), comments (TEXT)";

    [Fact]
    public async Task The_survey_csv_previews_ten_rows_and_imports_into_the_seed_destination()
    {
        using var client = await fixture.Host.SignedInAsync();

        var preview = await client.PostAsync("api/files/preview", Form(Survey(25), ("columns", SeedColumns)));
        var import = await client.PostAsync("api/files/import", Form(Survey(25), ("columns", SeedColumns), ("destination", "novamart.surveys.customer_nps")));

        Assert.Equal(HttpStatusCode.OK, preview.StatusCode);
        var shown = await preview.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(10, shown.GetProperty("rows").GetArrayLength());
        Assert.Equal("survey_date", shown.GetProperty("columns")[1].GetProperty("name").GetString());
        Assert.Equal(HttpStatusCode.OK, import.StatusCode);
        Assert.Equal(25, (await import.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("rows_imported").GetInt64());
        var count = await client.PostAsJsonAsync("api/sql", new { sql = "SELECT count(*), min(survey_date) FROM novamart.surveys.customer_nps" });
        Assert.Equal(25, (await count.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("rows")[0][0].GetInt64());
    }

    [Fact]
    public async Task A_bad_row_is_answered_with_its_line_column_and_value_and_nothing_is_imported()
    {
        using var client = await fixture.Host.SignedInAsync();

        var import = await client.PostAsync("api/files/import",
            Form(Survey(5).Replace("2025-01-02", "2025-02-30", StringComparison.Ordinal), ("columns", SeedColumns), ("destination", "novamart.surveys.bad_nps")));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, import.StatusCode);
        var body = await import.Content.ReadFromJsonAsync<JsonElement>();
        var bad = body.GetProperty("bad_rows")[0];
        Assert.Equal(3, bad.GetProperty("line").GetInt64());
        Assert.Equal("survey_date", bad.GetProperty("column").GetString());
        Assert.Equal("2025-02-30", bad.GetProperty("value").GetString());
        var exists = await client.PostAsJsonAsync("api/sql", new { sql = "SELECT count(*) FROM information_schema.tables WHERE table_name = 'bad_nps'" });
        Assert.Equal(0, (await exists.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("rows")[0][0].GetInt64());
    }

    [Fact]
    public async Task An_import_without_a_destination_names_the_missing_field()
    {
        using var client = await fixture.Host.SignedInAsync();

        var import = await client.PostAsync("api/files/import", Form(Survey(2), ("on_error", "ignore")));

        Assert.Equal(HttpStatusCode.BadRequest, import.StatusCode);
        var errors = (await import.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.StartsWith("destination is required", errors.GetProperty("destination")[0].GetString(), StringComparison.Ordinal);
        Assert.StartsWith("'ignore' is not an option", errors.GetProperty("on_error")[0].GetString(), StringComparison.Ordinal);
    }

    private static MultipartFormDataContent Form(string csv, params (string Name, string Value)[] fields)
    {
        var form = new MultipartFormDataContent { { new ByteArrayContent(Encoding.UTF8.GetBytes(csv)), "file", "customer_surveys_2025.csv" } };
        foreach (var (name, value) in fields)
        {
            form.Add(new StringContent(value), name);
        }

        return form;
    }

    private static string Survey(int rows)
    {
        var text = new StringBuilder("customer_id,survey_date,nps_score,satisfaction_rating,comments\n");
        for (var i = 1; i <= rows; i++)
        {
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"{i},{new DateOnly(2025, 1, 1).AddDays(i - 1):yyyy-MM-dd},{i % 11},{i % 5 + 1},\"fine, thanks\"\n");
        }

        return text.ToString();
    }
}
