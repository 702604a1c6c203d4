using System.Text.Json;
using Matih.Sdk.Connectors;
using Matih.Sdk.Data;
using Matih.Sdk.Testing;

namespace Matih.PluginKit.Tests.Connectors;

public sealed class RecordingSinkTests
{
    private static readonly ColumnSchema[] s_columns = [new ColumnSchema("id", ColumnType.Int64), new ColumnSchema("name", ColumnType.String)];

    [Fact]
    public async Task Rows_count_as_committed_only_at_a_checkpoint_and_reused_batches_are_copied()
    {
        var sink = new RecordingSink();
        await sink.BeginStreamAsync("people", new TableSchema(s_columns, ["id"]), default);
        var batch = new RowBatch(s_columns);
        batch.AddRow(1L, "ada");
        await sink.WriteAsync("people", batch, RecordOperation.Upsert, default);
        batch.Clear();
        batch.AddRow(2L, "grace");
        await sink.WriteAsync("people", batch, RecordOperation.Upsert, default);

        var before = sink.Rows("people");
        await sink.CheckpointAsync(new ConnectorState(new Dictionary<string, JsonElement> { ["people"] = TestJson.Parse("2") }, null), default);
        batch.Clear();
        batch.AddRow(3L, "katherine");
        await sink.WriteAsync("people", batch, RecordOperation.Upsert, default);

        Assert.Empty(before);
        Assert.Equal(["ada", "grace"], sink.Records("people").Select(r => (string)r["name"]!));
        Assert.Equal("katherine", Assert.Single(Assert.Single(sink.Uncommitted).Rows)[1]);
        Assert.Equal(2, sink.LastState!.Streams["people"].GetInt32());
    }

    [Fact]
    public async Task Writing_a_stream_before_declaring_its_schema_is_refused()
    {
        var sink = new RecordingSink();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => sink.WriteAsync("people", new RowBatch(s_columns), RecordOperation.Upsert, default));

        Assert.Equal("Stream 'people' was written before BeginStreamAsync declared its schema.", error.Message);
    }
}
