using Matih.Core.Pipelines;
using Matih.Sdk.Pipelines;

namespace Matih.Core.Tests.Pipelines;

public sealed class PipelineDefinitionTests
{
    private static readonly IReadOnlyDictionary<string, IPipelineTaskType> s_types = ProbeTask.SeedTypes();

    [Fact]
    public void The_seed_pipeline_document_is_accepted_as_written()
    {
        var (definition, problems) = PipelineDefinition.Parse(SeedPipeline.Json, s_types);

        Assert.Empty(problems);
        Assert.NotNull(definition);
        Assert.Equal(("churn-feature-refresh", "Daily Churn Feature Refresh", "0 4 * * *"), (definition.Id, definition.Name, definition.Schedule));
        Assert.Equal(["extract_features", "quality_gate", "load_feature_store"], definition.TopologicalOrder().Select(t => t.TaskId));
        var extract = definition.Task("extract_features");
        Assert.Equal(new RetryPolicy(3, 2, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(3000)), extract.Retry);
        Assert.Equal(new NotificationTarget("slack", "#data-alerts"), definition.OnFailure);
        Assert.Equal(new NotificationTarget("slack", "#data-pipelines"), definition.OnSuccess);
    }

    [Fact]
    public void Every_problem_is_listed_by_json_path_not_just_the_first()
    {
        const string json = """
        {
          "pipeline_id": "broken",
          "name": "Broken",
          "schedule": "0 4 * *",
          "tasks": [
            { "task_id": "a", "type": "sql_exec", "config": {} },
            { "task_id": "b", "type": "sql_execute", "depends_on": ["nowhere"], "config": { "sql": "SELECT 1" },
              "retry_policy": { "max_attempts": 3, "initial_interval": "thirty seconds" } },
            { "task_id": "c", "type": "data_quality_check", "depends_on": ["d"], "config": {} },
            { "task_id": "d", "type": "sql_execute", "depends_on": ["c"], "config": { "sql": "SELECT 1" }, "timout": "5m" }
          ]
        }
        """;

        var (definition, problems) = PipelineDefinition.Parse(json, s_types);

        Assert.Null(definition);
        var byPath = problems.ToLookup(p => p.Path, p => p.Message);
        Assert.Contains("cron", byPath["$.schedule"].Single(), StringComparison.OrdinalIgnoreCase);
        Assert.StartsWith("Unknown task type 'sql_exec'. Known types: data_quality_check, feature_store_sync, probe, sql_execute", byPath["$.tasks[0].type"].Single(), StringComparison.Ordinal);
        Assert.Contains("'nowhere', which is not a task of this pipeline", byPath["$.tasks[1].depends_on[0]"].Single(), StringComparison.Ordinal);
        Assert.Contains("'thirty seconds' is not a duration", byPath["$.tasks[1].retry_policy.initial_interval"].Single(), StringComparison.Ordinal);
        Assert.Contains("suite is required", byPath["$.tasks[2].config.suite"].Single(), StringComparison.Ordinal);
        Assert.Contains("Unknown property 'timout'", byPath["$.tasks[3].timout"].Single(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_cycle_is_reported_as_the_path_round_it()
    {
        const string json = """
        { "pipeline_id": "loop", "name": "Loop", "tasks": [
            { "task_id": "a", "type": "sql_execute", "depends_on": ["c"], "config": { "sql": "SELECT 1" } },
            { "task_id": "b", "type": "sql_execute", "depends_on": ["a"], "config": { "sql": "SELECT 1" } },
            { "task_id": "c", "type": "sql_execute", "depends_on": ["b"], "config": { "sql": "SELECT 1" } } ] }
        """;

        var (_, problems) = PipelineDefinition.Parse(json, s_types);

        var cycle = Assert.Single(problems);
        Assert.Equal("$.tasks[0].depends_on", cycle.Path);
        Assert.Contains("a -> c -> b -> a", cycle.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Duplicate_task_ids_self_dependencies_and_a_bad_maximum_interval_are_refused()
    {
        const string json = """
        { "pipeline_id": "dupes", "name": "Dupes", "tasks": [
            { "task_id": "a", "type": "sql_execute", "config": { "sql": "SELECT 1" } },
            { "task_id": "a", "type": "sql_execute", "depends_on": ["a"], "config": { "sql": "SELECT 1" },
              "retry_policy": { "initial_interval": "1m", "maximum_interval": "30s", "backoff_coefficient": 0.5 } } ] }
        """;

        var (_, problems) = PipelineDefinition.Parse(json, s_types);

        Assert.Contains(problems, p => p.Path == "$.tasks[1].task_id" && p.Message.Contains("used twice", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Path == "$.tasks[1].retry_policy.maximum_interval");
        Assert.Contains(problems, p => p.Path == "$.tasks[1].retry_policy.backoff_coefficient");
    }

    [Fact]
    public void Json_syntax_errors_and_wrong_config_types_name_the_place()
    {
        var (_, syntax) = PipelineDefinition.Parse("{ \"pipeline_id\": ", s_types);
        Assert.StartsWith("Not valid JSON", Assert.Single(syntax).Message, StringComparison.Ordinal);

        const string json = """
        { "pipeline_id": "Bad Id", "name": "x", "tasks": [
            { "task_id": "g", "type": "data_quality_check", "config": { "suite": "s", "fail_pipeline_on_error": "yes" } } ] }
        """;
        var (_, problems) = PipelineDefinition.Parse(json, s_types);
        Assert.Contains(problems, p => p.Path == "$.pipeline_id");
        Assert.Contains(problems, p => p.Path == "$.tasks[0].config.fail_pipeline_on_error" && p.Message.Contains("true or false", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("30s", 30_000)]
    [InlineData("500ms", 500)]
    [InlineData("1h30m", 5_400_000)]
    [InlineData("2d", 172_800_000)]
    [InlineData("PT45S", 45_000)]
    public void Durations_are_read_the_way_pipeline_documents_write_them(string text, long milliseconds) =>
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), Durations.Parse(text));

    [Theory]
    [InlineData("30")]
    [InlineData("s")]
    [InlineData("30 seconds")]
    [InlineData("30s5")]
    public void Text_that_is_not_a_duration_is_refused(string text) => Assert.Null(Durations.Parse(text));
}
