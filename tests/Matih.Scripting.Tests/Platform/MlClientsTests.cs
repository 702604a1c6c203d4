using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Matih.Scripting.Tests.Platform;

/// <summary>The A/B test and batch prediction globals the journey script uses, against a real loopback HTTP listener.</summary>
public sealed class MlClientsTests : IDisposable
{
    private readonly LoopbackListener _loopback = new();
    private readonly List<(string Method, string Path, string Body)> _requests = [];

    public void Dispose() => _loopback.Dispose();

    [Fact]
    public async Task PromoteAsync_names_the_winner_the_way_the_host_reads_it()
    {
        var platform = new MatihPlatform(_loopback.Address, "t");
        var answering = AnswerAsync(_ => (200, """{"name":"ab","state":"promoted"}"""), 2);

        var promoted = await platform.AbTests.PromoteAsync("churn-model-comparison-v1-v2", "treatment");
        await platform.AbTests.PromoteAsync("other");
        await answering;

        Assert.Equal("promoted", (string?)promoted?["state"]);
        Assert.Equal(("POST", "/api/abtests/churn-model-comparison-v1-v2/promote"), (_requests[0].Method, _requests[0].Path));
        Assert.Equal("treatment", (string?)JsonNode.Parse(_requests[0].Body)?["winner"]);
        Assert.Null(JsonNode.Parse(_requests[1].Body)?["winner"]);
    }

    [Fact]
    public async Task DefineMetricAsync_posts_the_metric_with_its_direction()
    {
        var platform = new MatihPlatform(_loopback.Address, "t");
        var answering = AnswerAsync(_ => (200, """{"name":"false_positive_rate","kind":"proportion"}"""), 1);

        await platform.AbTests.DefineMetricAsync("false_positive_rate", "proportion", "SELECT 1 AS unit_id, true AS value", higherIsBetter: false);
        await answering;

        var body = JsonNode.Parse(_requests[0].Body)!;
        Assert.Equal("/api/abtests/metrics", _requests[0].Path);
        Assert.Equal(("false_positive_rate", "proportion", false), ((string?)body["name"], (string?)body["kind"], (bool?)body["higherIsBetter"]));
    }

    [Fact]
    public async Task Monitors_ListAsync_reads_every_page_of_the_list_into_one_array()
    {
        var platform = new MatihPlatform(_loopback.Address, "t");
        var pages = new Queue<string>([
            """{"items":[{"name":"a"},{"name":"b"}],"total":3,"page":1,"pageSize":2,"sort":"name","order":"asc"}""",
            """{"items":[{"name":"c"}],"total":3,"page":2,"pageSize":2,"sort":"name","order":"asc"}""",
        ]);
        var answering = AnswerAsync(_ => (200, pages.Dequeue()), 2);

        var monitors = await platform.Monitors.ListAsync();
        await answering;

        Assert.Equal(["a", "b", "c"], monitors!.AsArray().Select(m => (string?)m!["name"]));
        Assert.All(_requests, r => Assert.Equal(("GET", "/api/monitors"), (r.Method, r.Path)));
    }

    [Fact]
    public async Task PredictBatchAsync_sends_batches_of_the_given_size_and_returns_one_answer_per_instance_in_order()
    {
        var platform = new MatihPlatform(_loopback.Address, "t");
        // Each batch is answered with the customer ids it held, as the serving endpoint does.
        var answering = AnswerAsync(body =>
        {
            var ids = JsonNode.Parse(body)!["instances"]!.AsArray().Select(i => (int)i!["customer_id"]!);
            return (200, new JsonObject { ["predictions"] = new JsonArray(ids.Select(id => (JsonNode)new JsonObject { ["customer_id"] = id, ["churn_probability"] = 0.5 }).ToArray()) }.ToJsonString());
        }, 3);

        var answers = await platform.Deployments.PredictBatchAsync("churn-predictor-v1", Enumerable.Range(1, 5).Select(id => (object)new { customer_id = id, segment = "Gold" }), batchSize: 2);
        await answering;

        Assert.Equal([1, 2, 3, 4, 5], answers.Select(a => (int)a!["customer_id"]!));
        Assert.Equal(3, _requests.Count);
        Assert.All(_requests, r => Assert.Equal("/serve/churn-predictor-v1/predict", r.Path));
        Assert.Equal("Gold", (string?)JsonNode.Parse(_requests[2].Body)!["instances"]![0]!["segment"]);
    }

    [Fact]
    public async Task PredictBatchAsync_refuses_an_answer_that_does_not_hold_a_prediction_per_instance()
    {
        var platform = new MatihPlatform(_loopback.Address, "t");
        var answering = AnswerAsync(_ => (200, """{"predictions":[]}"""), 1);

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => platform.Deployments.PredictBatchAsync("d", [new { customer_id = 1 }]));
        await answering;

        Assert.Contains("holds no 1 predictions", e.Message, StringComparison.Ordinal);
    }

    private async Task AnswerAsync(Func<string, (int Status, string Body)> answer, int requests)
    {
        for (var i = 0; i < requests; i++)
        {
            var context = await _loopback.Listener.GetContextAsync();
            string body;
            using (var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8))
            {
                body = await reader.ReadToEndAsync();
            }

            _requests.Add((context.Request.HttpMethod, context.Request.Url!.AbsolutePath, body));
            var (status, text) = answer(body);
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json";
            await context.Response.OutputStream.WriteAsync(Encoding.UTF8.GetBytes(text));
            context.Response.Close();
        }
    }
}
