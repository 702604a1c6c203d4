using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Matih.BrowserTests.Pages;

[Collection(WorkbenchCollection.Name)]
public sealed partial class FileImportTests(Workbench workbench) : IDisposable
{
    private const string SurveyColumns = "customer_id (INT), survey_date (DATE), nps_score (INT), satisfaction_rating (INT), comments (TEXT)";

    private readonly string _folder = Directory.CreateTempSubdirectory("matih-file-import-").FullName;

    [Fact]
    public async Task A_survey_csv_is_previewed_and_imported()
    {
        var file = Write("customer_surveys_2025.csv", Survey(12));
        var page = await workbench.SignedInPageAsync();
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Workbench" }).GetByRole(AriaRole.Link, new() { Name = "File Import", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("File Import");
        await Expect(page.GetByLabel("Declared columns (optional)")).ToHaveAttributeAsync("placeholder", SurveyColumns);

        await page.Locator("input[type=file]").First.SetInputFilesAsync(file);

        await Expect(page.GetByTestId("uploaded-file")).ToContainTextAsync("customer_surveys_2025.csv");
        var preview = page.GetByTestId("preview");
        await Expect(preview.Locator("tr.preview-row")).ToHaveCountAsync(10);
        await Expect(preview.Locator("thead")).ToContainTextAsync("survey_date");

        // Declared columns give the headers their types.
        await page.GetByLabel("Declared columns (optional)").FillAsync(SurveyColumns);
        await page.GetByRole(AriaRole.Button, new() { Name = "Preview" }).ClickAsync();
        await Expect(preview.Locator("thead th").Filter(new() { HasText = "survey_date" })).ToContainTextAsync("DATE");
        await Expect(preview.Locator("tr.preview-row")).ToHaveCountAsync(10);
        await Expect(preview.Locator("tr.preview-row").First).ToContainTextAsync("2025-01-01");
        await Expect(page.GetByTestId("preview-bad-rows")).ToHaveCountAsync(0);

        await page.GetByLabel("Destination table").FillAsync("novamart.surveys.customer_nps");
        await page.GetByRole(AriaRole.Button, new() { Name = "Import" }).ClickAsync();

        var result = page.GetByTestId("import-result");
        await Expect(result.GetByTestId("rows-imported")).ToHaveTextAsync("12");
        await Expect(result.GetByTestId("rows-rejected")).ToHaveTextAsync("0");
        await Expect(result.GetByTestId("query-link")).ToHaveTextAsync("SELECT * FROM novamart.surveys.customer_nps LIMIT 100");
        await Expect(page.GetByText("customer_surveys_2025.csv was imported and its uploaded copy deleted")).ToBeVisibleAsync();
        using var api = await workbench.Host.SignedInAsync();
        Assert.Equal(12, await CountAsync(api, "SELECT count(*) FROM novamart.surveys.customer_nps"));
        await ScreenshotAsync(page, "file-import");
        await page.CloseAsync();
    }

    [Fact]
    public async Task A_bad_row_in_the_csv_is_shown_with_its_line_and_nothing_is_imported()
    {
        // Line 5 of the file (the header is line 1) has a score that is not a number.
        var file = Write("surveys_with_a_bad_row.csv", Survey(12).Replace("1004,2025-01-04,4,", "1004,2025-01-04,four,", StringComparison.Ordinal));
        var page = await workbench.SignedInPageAsync();
        await page.GotoAsync("/file-import");
        await Workbench.WaitUntilInteractiveAsync(page);
        await page.GetByLabel("Declared columns (optional)").FillAsync(SurveyColumns);

        await page.Locator("input[type=file]").First.SetInputFilesAsync(file);

        // The preview names the bad line: in its list of bad rows, or in DuckDB's reason when the row is among the first read.
        await Expect(page.GetByTestId("preview-card")).ToContainTextAsync(LineFive());
        await Expect(page.GetByTestId("preview").Locator("tr.preview-row")).ToHaveCountAsync(10);

        await page.GetByLabel("Destination table").FillAsync("novamart.surveys.customer_nps_refused");
        await page.GetByRole(AriaRole.Button, new() { Name = "Import" }).ClickAsync();

        var result = page.GetByTestId("import-result");
        await Expect(result.GetByTestId("import-refused")).ToContainTextAsync("nothing was imported");
        var bad = result.GetByTestId("bad-rows").Locator("tr.bad-row");
        await Expect(bad).ToHaveCountAsync(1);
        await Expect(bad.Locator(".bad-line")).ToHaveTextAsync("5");
        await Expect(bad).ToContainTextAsync("nps_score");
        await Expect(bad.Locator(".bad-value")).ToHaveTextAsync("four");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Import" })).ToBeEnabledAsync();
        await ScreenshotAsync(page, "file-import-refused");
        using var api = await workbench.Host.SignedInAsync();
        var response = await api.PostAsJsonAsync("api/sql", new { sql = "SELECT count(*) FROM novamart.surveys.customer_nps_refused" });
        Assert.False(response.IsSuccessStatusCode, "The refused import created its table.");
        await page.CloseAsync();
    }

    [Fact]
    public async Task Keeping_rejects_imports_the_good_rows_and_names_the_rejects_table()
    {
        var file = Write("surveys_keep_rejects.csv", Survey(12).Replace("1007,2025-01-07,", "1007,2025-02-30,", StringComparison.Ordinal));
        var page = await workbench.SignedInPageAsync();
        await page.GotoAsync("/file-import");
        await Workbench.WaitUntilInteractiveAsync(page);
        await page.GetByLabel("Declared columns (optional)").FillAsync(SurveyColumns);
        await page.Locator("input[type=file]").First.SetInputFilesAsync(file);
        await Expect(page.GetByTestId("preview").Locator("tr.preview-row")).ToHaveCountAsync(10);

        await page.GetByLabel("Destination table").FillAsync("novamart.surveys.customer_nps_partial");
        await page.GetByRole(AriaRole.Radio, new() { Name = "Keep good rows, keep rejects in a table" }).CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Import" }).ClickAsync();

        var result = page.GetByTestId("import-result");
        await Expect(result.GetByTestId("rows-imported")).ToHaveTextAsync("11");
        await Expect(result.GetByTestId("rows-rejected")).ToHaveTextAsync("1");
        await Expect(result).ToContainTextAsync("novamart.surveys.customer_nps_partial_rejects");
        var bad = result.GetByTestId("bad-rows").Locator("tr.bad-row");
        await Expect(bad.Locator(".bad-line")).ToHaveTextAsync("8");
        await Expect(bad.Locator(".bad-value")).ToHaveTextAsync("2025-02-30");
        using var api = await workbench.Host.SignedInAsync();
        Assert.Equal(1, await CountAsync(api, "SELECT count(*) FROM novamart.surveys.customer_nps_partial_rejects"));
        await page.CloseAsync();
    }

    /// <inheritdoc />
    public void Dispose() => Directory.Delete(_folder, recursive: true);

    // The seed's survey shape: customer 1001 onwards, one survey a day from 2025-01-01.
    private static string Survey(int rows)
    {
        var text = new StringBuilder("customer_id,survey_date,nps_score,satisfaction_rating,comments\n");
        for (var i = 1; i <= rows; i++)
        {
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"{1000 + i},2025-01-{i:00},{i % 11},{1 + i % 5},\"Comment {i}, with a comma\"\n");
        }

        return text.ToString();
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, text, new UTF8Encoding(false));
        return path;
    }

    // Full-page screenshots draw the fixed app bar where the page was scrolled to: scroll to the top first.
    private static async Task ScreenshotAsync(IPage page, string name)
    {
        await page.EvaluateAsync("() => window.scrollTo(0, 0)");
        await Workbench.ScreenshotAsync(page, name);
    }

    private static async Task<long> CountAsync(HttpClient api, string sql)
    {
        var response = await api.PostAsJsonAsync("api/sql", new { sql });
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return body.GetProperty("rows")[0][0].GetInt64();
    }

    [GeneratedRegex(@"\b[Ll]ine:?\s*5\b")]
    private static partial Regex LineFive();
}
