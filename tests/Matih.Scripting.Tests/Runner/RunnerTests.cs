using Matih.Scripting.Protocol;

namespace Matih.Scripting.Tests.Runner;

/// <summary>One warm runner shared by a test class.</summary>
public sealed class RunnerFixture : IAsyncLifetime
{
    public RunnerClient Runner { get; private set; } = null!;

    public async Task InitializeAsync() => Runner = await RunnerClient.StartAsync();

    public async Task DisposeAsync() => await Runner.DisposeAsync();
}

public sealed class RunnerTests(RunnerFixture fixture) : IClassFixture<RunnerFixture>
{
    private RunnerClient Runner => fixture.Runner;

    [Fact]
    public async Task A_script_returns_its_last_expression_and_its_console_output()
    {
        var outcome = await Runner.RunAsync("Console.WriteLine(\"hello from the script\");\nvar answer = 6 * 7;\nanswer");

        Assert.Equal("succeeded", outcome.State);
        Assert.Equal("number", outcome.Result!.Kind);
        Assert.Equal("42", outcome.Result.Text);
        Assert.Equal("hello from the script\n", Runner.OutputOf(Runner.LastId));
    }

    [Fact]
    public async Task A_script_ending_in_a_statement_has_no_result()
    {
        var outcome = await Runner.RunAsync("var x = 1;");

        Assert.Equal("succeeded", outcome.State);
        Assert.Null(outcome.Result);
    }

    [Fact]
    public async Task A_compile_error_names_its_line_and_column_without_running()
    {
        var outcome = await Runner.RunAsync("Console.WriteLine(\"never\");\nvar x = 1;\nvar y = undefinedName + x;", "compile.csx");

        Assert.Equal("failed", outcome.State);
        Assert.Equal("compile_error", outcome.Failure);
        var error = Assert.Single(outcome.Diagnostics, d => d.Severity == "error");
        Assert.Equal((3, 9, "CS0103"), (error.Line, error.Column, error.Id));
        Assert.Contains("line 3, column 9", outcome.Message, StringComparison.Ordinal);
        Assert.Equal("", Runner.OutputOf(Runner.LastId));
    }

    [Fact]
    public async Task A_runtime_exception_names_the_script_line_it_came_from()
    {
        var outcome = await Runner.RunAsync("var list = new List<int>();\nvar n = 3;\nthrow new InvalidOperationException($\"no {n}\");", "throws.csx");

        Assert.Equal("failed", outcome.State);
        Assert.Equal("exception", outcome.Failure);
        Assert.Equal("System.InvalidOperationException", outcome.Error!.Type);
        Assert.Equal(3, outcome.Error.Line);
        Assert.Contains("InvalidOperationException at line 3: no 3", outcome.Message, StringComparison.Ordinal);
        Assert.Contains(outcome.Diagnostics, d => d.Id == "runtime" && d.Line == 3);
    }

    [Fact]
    public async Task Running_the_same_code_again_uses_the_compiled_script_from_the_cache()
    {
        const string code = "var cachedValue = Enumerable.Range(1, 10).Sum();\ncachedValue";

        var first = await Runner.RunAsync(code, "cache.csx");
        var second = await Runner.RunAsync(code, "cache.csx");

        Assert.False(first.Cached);
        Assert.True(second.Cached);
        Assert.Equal(0, second.CompileMs);
        Assert.Equal("55", second.Result!.Text);
    }

    [Fact]
    public async Task Repl_submissions_keep_variables_and_functions_between_them()
    {
        var first = await Runner.RunAsync("var kept = 40;\nint Twice(int n) => n * 2;", kind: "submit");
        var second = await Runner.RunAsync("kept += 1;", kind: "submit");
        var third = await Runner.RunAsync("Twice(kept)", kind: "submit");

        Assert.Equal("succeeded", first.State);
        Assert.Equal("succeeded", second.State);
        Assert.Equal("82", third.Result!.Text);
    }

    [Fact]
    public async Task A_failed_repl_submission_keeps_the_earlier_state()
    {
        await Runner.RunAsync("var survivor = \"still here\";", kind: "submit");
        var broken = await Runner.RunAsync("survivor.NoSuchMember()", kind: "submit");
        var after = await Runner.RunAsync("survivor", kind: "submit");

        Assert.Equal("compile_error", broken.Failure);
        Assert.Equal("still here", after.Result!.Text);
    }

    [Fact]
    public async Task Completion_after_a_dot_lists_the_platforms_members_with_their_documentation()
    {
        var reply = await Runner.RequestAsync(new RunnerRequest { Kind = "complete", Code = "var hits = await Catalog.Se", Position = 27 });

        var item = Assert.Single(reply.Completion!.Items);
        Assert.Equal("SearchAsync", item.Label);
        Assert.Equal("method", item.Kind);
        Assert.Contains("Task<CatalogPage> SearchAsync(string? query", item.Detail, StringComparison.Ordinal);
        Assert.Contains("Searches tables", item.Documentation, StringComparison.Ordinal);
        Assert.Equal(25, reply.Completion.ReplaceFrom);
    }

    [Fact]
    public async Task Completion_without_a_dot_offers_the_globals_and_the_scripts_own_names()
    {
        var code = "var churnRate = 0.183;\nch";
        var reply = await Runner.RequestAsync(new RunnerRequest { Kind = "complete", Code = code, Position = code.Length });

        Assert.Contains(reply.Completion!.Items, i => i.Label == "churnRate" && i.Kind == "local");

        var globals = await Runner.RequestAsync(new RunnerRequest { Kind = "complete", Code = "Pi", Position = 2 });
        Assert.Contains(globals.Completion!.Items, i => i.Label == "Pipelines" && i.Kind == "property");
    }

    [Fact]
    public async Task Signature_help_shows_the_overload_and_the_argument_being_typed()
    {
        var code = "await SqlAsync(\"SELECT 1\", ";
        var reply = await Runner.RequestAsync(new RunnerRequest { Kind = "complete", Code = code, Position = code.Length });

        var help = reply.Completion!.Signatures!;
        Assert.Equal(1, help.ActiveParameter);
        var signature = help.Signatures[help.ActiveSignature];
        Assert.Equal("Task<Table> SqlAsync(string sql, [int? maxRows = null])", signature.Label);
        Assert.Contains("The most rows to return", signature.Parameters[1].Documentation, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Completion_in_a_repl_knows_the_earlier_submissions_variables()
    {
        await Runner.RunAsync("var earlierTable = new List<string> { \"a\" };", kind: "submit");

        var reply = await Runner.RequestAsync(new RunnerRequest { Kind = "complete", Code = "earlierTable.Cou", Position = 16 });

        Assert.Contains(reply.Completion!.Items, i => i.Label == "Count");
    }

    [Fact]
    public async Task Display_sends_values_as_they_are_shown()
    {
        var outcome = await Runner.RunAsync("Display(new[] { 3.0, 1.0, 2.0 }, \"trend\");\nDisplay(\"done\");");

        var displays = Runner.EventsOf(Runner.LastId).Where(e => e.Kind == "display").Select(e => e.Value!).ToArray();
        Assert.Equal("succeeded", outcome.State);
        Assert.Equal(["series", "text"], displays.Select(d => d.Kind));
        Assert.Equal("trend", displays[0].Title);
    }

    [Fact]
    public async Task A_script_that_awaits_is_cancelled_when_asked()
    {
        var runId = Runner.LastId + 1;
        var running = Runner.RequestAsync(new RunnerRequest { Kind = "run", Code = "Console.WriteLine(\"waiting\");\nawait SleepAsync(TimeSpan.FromMinutes(5));", Name = "sleep.csx" });
        await Task.Delay(1000);

        await Runner.SendAsync(new RunnerRequest { Id = runId, Kind = "cancel" });

        var reply = await running.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("cancelled", reply.Outcome!.State);
    }
}
