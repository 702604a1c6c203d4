using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Matih.Scripting.Tests.Platform;

/// <summary>Globals that promise every item of a paged list route read all its pages, against a real loopback HTTP listener.</summary>
public sealed class PagedListClientsTests : IDisposable
{
    private readonly LoopbackListener _loopback = new();
    private readonly List<(string Path, string Query)> _requests = [];

    public void Dispose() => _loopback.Dispose();

    [Fact]
    public async Task Models_VersionsAsync_reads_every_page_into_one_array_as_the_journey_script_expects()
    {
        var platform = new MatihPlatform(_loopback.Address, "t");
        var answering = AnswerAsync(TwoPages("version", "1.2.0", "1.1.0", "1.0.0"));

        var versions = await platform.Models.VersionsAsync("customer-churn-predictor");
        await answering;

        Assert.Equal(["1.2.0", "1.1.0", "1.0.0"], (versions as JsonArray ?? []).Select(v => (string?)v!["version"]));
        Assert.All(_requests, r => Assert.Equal("/api/models/customer-churn-predictor/versions", r.Path));
        Assert.Equal(["?page=1&pageSize=500", "?page=2&pageSize=500"], _requests.Select(r => r.Query));
    }

    [Fact]
    public async Task Deployments_ListAsync_reads_every_page_into_one_array()
    {
        var platform = new MatihPlatform(_loopback.Address, "t");
        var answering = AnswerAsync(TwoPages("name", "a", "b", "c"));

        var deployments = await platform.Deployments.ListAsync();
        await answering;

        Assert.Equal(["a", "b", "c"], deployments!.AsArray().Select(d => (string?)d!["name"]));
        Assert.All(_requests, r => Assert.Equal("/api/deployments", r.Path));
    }

    [Fact]
    public async Task Connections_ListRunsAsync_asks_for_one_page_of_the_size_given()
    {
        var platform = new MatihPlatform(_loopback.Address, "t");
        var answering = AnswerAsync(new Queue<string>(["""{"items":[],"total":0,"page":1,"pageSize":5,"sort":"queued_at","order":"desc"}"""]));

        var runs = await platform.Connections.ListRunsAsync("novamart", take: 5);
        await answering;

        Assert.Empty(runs);
        Assert.Equal(("/api/connections/novamart/runs", "?pageSize=5"), _requests[0]);
    }

    private static Queue<string> TwoPages(string field, string first, string second, string third) => new([
        $$"""{"items":[{"{{field}}":"{{first}}"},{"{{field}}":"{{second}}"}],"total":3,"page":1,"pageSize":2,"sort":"x","order":"asc"}""",
        $$"""{"items":[{"{{field}}":"{{third}}"}],"total":3,"page":2,"pageSize":2,"sort":"x","order":"asc"}""",
    ]);

    private async Task AnswerAsync(Queue<string> pages)
    {
        while (pages.Count > 0)
        {
            var context = await _loopback.Listener.GetContextAsync();
            _requests.Add((context.Request.Url!.AbsolutePath, context.Request.Url.Query));
            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/json";
            await context.Response.OutputStream.WriteAsync(Encoding.UTF8.GetBytes(pages.Dequeue()));
            context.Response.Close();
        }
    }
}
