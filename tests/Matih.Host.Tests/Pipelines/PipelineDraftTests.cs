using System.Text.Json.Nodes;
using Matih.Host.Components.Pipelines;
using Matih.Testing;

namespace Matih.Host.Tests.Pipelines;

public sealed class PipelineDraftTests
{
    private static string Seed => File.ReadAllText(Path.Combine(MatihHost.RepositoryRoot, "scripts", "seed", "churn-feature-refresh.json"));

    private static PipelineDraft Load(string json) => PipelineDraft.Parse(json, out var problem) ?? throw new InvalidOperationException(problem);

    [Fact]
    public void The_seed_document_loaded_and_written_unchanged_has_the_same_keys_and_values()
    {
        var draft = Load(Seed);

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(Seed), JsonNode.Parse(draft.ToJson())), draft.ToJson());
        Assert.Equal(["extract_features", "quality_gate", "load_feature_store"], draft.Tasks.Select(t => t.TaskId));
        Assert.Equal(["quality_gate"], draft.Tasks[2].DependsOn);
    }

    [Fact]
    public void Numbers_and_unknown_entries_are_written_back_as_they_were()
    {
        const string json = """
            {"pipeline_id": "p", "name": "P", "extra": {"kept": [1, 2.50, true]},
             "tasks": [{"task_id": "a", "type": "t", "config": {"n": 1.0, "big": 12345678901234567890, "nested": {"x": null}}, "timeout": "5m", "mystery": 7}]}
            """;
        var written = JsonNode.Parse(Load(json).ToJson())!;

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(json), written), written.ToJsonString());
        Assert.Equal("1.0", written["tasks"]![0]!["config"]!["n"]!.ToJsonString());
    }

    [Fact]
    public void Renaming_a_task_renames_it_in_every_depends_on()
    {
        var draft = Load(Seed);
        draft.Tasks[0].TaskId = "extract";

        var written = JsonNode.Parse(draft.ToJson())!;
        Assert.Equal("extract", written["tasks"]![0]!["task_id"]!.GetValue<string>());
        Assert.Equal("extract", written["tasks"]![1]!["depends_on"]![0]!.GetValue<string>());
    }

    [Fact]
    public void A_new_edge_is_written_as_depends_on_after_the_type()
    {
        var draft = PipelineDraft.New();
        var first = draft.AddTask("sql_execute");
        var second = draft.AddTask("sql_execute");

        Assert.Null(draft.Connect(first, second));

        var task = (JsonObject)JsonNode.Parse(draft.ToJson())!["tasks"]![1]!;
        Assert.Equal(["task_id", "type", "depends_on", "config"], task.Select(p => p.Key));
        Assert.Equal("sql_execute_1", task["depends_on"]![0]!.GetValue<string>());
        Assert.Equal("sql_execute_2", task["task_id"]!.GetValue<string>());
    }

    [Fact]
    public void Edges_that_would_loop_or_repeat_are_refused_with_the_reason()
    {
        var draft = Load(Seed);
        var (extract, gate, load) = (draft.Tasks[0], draft.Tasks[1], draft.Tasks[2]);

        Assert.Contains("cycle", draft.Connect(load, extract));
        Assert.Contains("already depends on", draft.Connect(extract, gate));
        Assert.Contains("itself", draft.Connect(gate, gate));
        Assert.Equal(["extract_features"], gate.DependsOn);
    }

    [Fact]
    public void Removing_a_task_removes_the_edges_to_it()
    {
        var draft = Load(Seed);
        draft.RemoveTask(draft.Tasks[1]);

        var tasks = JsonNode.Parse(draft.ToJson())!["tasks"]!.AsArray();
        Assert.Equal(2, tasks.Count);
        Assert.Empty(tasks[1]!["depends_on"]!.AsArray());
    }

    [Fact]
    public void Pasted_tasks_get_new_ids_and_keep_the_edges_among_themselves_only()
    {
        var draft = Load(Seed);
        var copies = draft.Tasks.Skip(1).Select(t => t.ToJson()).ToArray();

        var pasted = draft.Paste(copies);

        Assert.Equal(["quality_gate_copy", "load_feature_store_copy"], pasted.Select(t => t.TaskId));
        Assert.Empty(pasted[0].DependsOn);
        Assert.Equal(["quality_gate_copy"], pasted[1].DependsOn);
        Assert.Equal(["quality_gate_copy_2", "load_feature_store_copy_2"], draft.Paste(copies).Select(t => t.TaskId));
        Assert.True(JsonNode.DeepEquals(copies[1]["config"], pasted[1].Config));
    }

    [Fact]
    public void A_dependency_on_a_missing_task_is_kept_for_validation_to_report()
    {
        var draft = Load("""{"pipeline_id": "p", "name": "P", "tasks": [{"task_id": "a", "type": "t", "depends_on": ["ghost"]}]}""");

        Assert.Equal(["ghost"], draft.Tasks[0].DependsOn);
        Assert.Equal("ghost", JsonNode.Parse(draft.ToJson())!["tasks"]![0]!["depends_on"]![0]!.GetValue<string>());
    }

    [Fact]
    public void Pipeline_fields_and_notifications_are_set_and_cleared()
    {
        var draft = PipelineDraft.New();
        draft.PipelineId = "daily";
        draft.Name = "Daily";
        draft.Schedule = "0 4 * * *";
        draft.SetNotification("on_failure", "slack", "#data-alerts");
        var document = JsonNode.Parse(draft.ToJson())!.AsObject();

        Assert.Equal(["pipeline_id", "name", "schedule", "tasks", "notifications"], document.Select(p => p.Key));
        Assert.Equal("#data-alerts", document["notifications"]!["on_failure"]!["target"]!.GetValue<string>());

        draft.Schedule = " ";
        draft.SetNotification("on_failure", null, "");
        document = JsonNode.Parse(draft.ToJson())!.AsObject();
        Assert.False(document.ContainsKey("schedule"));
        Assert.False(document.ContainsKey("notifications"));
    }

    [Fact]
    public void Retry_policy_entries_are_set_and_an_empty_policy_disappears()
    {
        var draft = Load(Seed);
        var extract = draft.Tasks[0];

        extract.SetRetry("max_attempts", 5);
        Assert.Equal(5, extract.Retry("max_attempts")!.GetValue<int>());
        foreach (var name in new[] { "max_attempts", "backoff_coefficient", "initial_interval" })
        {
            extract.SetRetry(name, null);
        }

        Assert.False(JsonNode.Parse(draft.ToJson())!["tasks"]![0]!.AsObject().ContainsKey("retry_policy"));
    }

    [Fact]
    public void A_problem_path_points_at_its_task()
    {
        var draft = Load(Seed);

        Assert.Same(draft.Tasks[1], draft.TaskAt("$.tasks[1].config.suite"));
        Assert.Same(draft.Tasks[2], draft.TaskAt("$.tasks[2]"));
        Assert.Null(draft.TaskAt("$.schedule"));
        Assert.Null(draft.TaskAt("$.tasks[7].type"));
    }

    [Fact]
    public void Text_that_is_not_a_pipeline_object_is_refused_with_the_reason()
    {
        Assert.Null(PipelineDraft.Parse("[1, 2]", out var notObject));
        Assert.Contains("JSON object", notObject);
        Assert.Null(PipelineDraft.Parse("{\"tasks\": ", out var broken));
        Assert.StartsWith("Not valid JSON", broken);
    }
}
