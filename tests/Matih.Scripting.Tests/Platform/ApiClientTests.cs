using System.Net;
using System.Text;

namespace Matih.Scripting.Tests.Platform;

/// <summary>The globals against a real loopback HTTP listener that answers like the host's API.</summary>
public sealed class ApiClientTests : IDisposable
{
    private readonly LoopbackListener _loopback = new();
    private readonly List<(string Method, string Path, string? Authorization, string Body)> _requests = [];

    public void Dispose() => _loopback.Dispose();

    [Fact]
    public async Task SqlAsync_posts_the_statement_as_the_user_and_returns_a_table()
    {
        var platform = new MatihPlatform(_loopback.Address, "token-of-priya", user: "priya");
        var answering = AnswerAsync(200, """
            {"columns":[{"name":"segment","type":"VARCHAR"},{"name":"customers","type":"BIGINT"}],
             "rows":[["Gold",120],["Silver",340]],"rowCount":2,"elapsedMs":7,"truncated":false,"written":[]}
            """);

        var table = await platform.SqlAsync("SELECT segment, count(*) FROM postgresql.novamart.customers GROUP BY 1");
        await answering;

        var request = Assert.Single(_requests);
        Assert.Equal(("POST", "/api/sql", "Bearer token-of-priya"), (request.Method, request.Path, request.Authorization));
        Assert.Contains("\"sql\":\"SELECT segment", request.Body, StringComparison.Ordinal);
        Assert.Equal(["segment", "customers"], table.Columns.Select(c => c.Name));
        Assert.Equal(340L, table[1, "customers"]);
        Assert.Equal(7, table.ElapsedMs);
    }

    [Fact]
    public async Task A_problem_answer_throws_with_its_title_detail_and_field_problems()
    {
        var platform = new MatihPlatform(_loopback.Address, "t");
        var answering = AnswerAsync(400, """
            {"title":"The pipeline document has 1 problem.","status":400,"errors":{"tasks[0].type":["Unknown task type 'sql_exec'."]}}
            """);

        var e = await Assert.ThrowsAsync<MatihApiException>(() => platform.Pipelines.CreateAsync("{\"pipeline_id\":\"p\"}"));
        await answering;

        Assert.Equal(400, e.Status);
        Assert.Contains("POST /api/pipelines failed (400 Bad Request): The pipeline document has 1 problem.", e.Message, StringComparison.Ordinal);
        Assert.Contains("tasks[0].type: Unknown task type 'sql_exec'.", e.Message, StringComparison.Ordinal);
        Assert.Equal("{\"pipeline_id\":\"p\"}", _requests[0].Body);
    }

    [Fact]
    public async Task A_sql_error_names_the_line_and_column()
    {
        var platform = new MatihPlatform(_loopback.Address, "t");
        var answering = AnswerAsync(400, """{"title":"The SQL failed.","detail":"syntax error at or near \"AND\"","kind":"syntax","line":3,"column":7}""");

        var e = await Assert.ThrowsAsync<MatihApiException>(() => platform.SqlAsync("SELECT 1\nFROM t\nWHERE AND 1"));
        await answering;

        Assert.StartsWith("The SQL failed at line 3, column 7: syntax error", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Documents_given_as_objects_keep_their_member_names()
    {
        var platform = new MatihPlatform(_loopback.Address, "t");
        var answering = AnswerAsync(201, """{"suite_name":"s","dataset":"a.b.c","expectations":1,"created":true}""");

        var saved = await platform.Quality.SaveSuiteAsync(new { suite_name = "s", dataset = "a.b.c", expectations = new[] { new { type = "expect_x" } } });
        await answering;

        Assert.Equal(("s", true), (saved.SuiteName, saved.Created));
        Assert.Contains("\"suite_name\":\"s\"", _requests[0].Body, StringComparison.Ordinal);
    }

    private async Task AnswerAsync(int status, string body)
    {
        var context = await _loopback.Listener.GetContextAsync();
        using (var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8))
        {
            _requests.Add((context.Request.HttpMethod, context.Request.Url!.AbsolutePath, context.Request.Headers["Authorization"], await reader.ReadToEndAsync()));
        }

        context.Response.StatusCode = status;
        context.Response.ContentType = status >= 400 ? "application/problem+json" : "application/json";
        var bytes = Encoding.UTF8.GetBytes(body);
        await context.Response.OutputStream.WriteAsync(bytes);
        context.Response.Close();
    }
}
