using Matih.Host.Components.Pipelines;

namespace Matih.Host.Tests.Pipelines;

public sealed class PipelineLayoutTests
{
    private static PipelineDraft Diamond()
    {
        // a -> b, a -> c, b -> d, c -> d, and e on its own.
        var draft = PipelineDraft.New();
        var (a, b, c, d, e) = (draft.AddTask("t", "a"), draft.AddTask("t", "b"), draft.AddTask("t", "c"), draft.AddTask("t", "d"), draft.AddTask("t", "e"));
        draft.Connect(a, b);
        draft.Connect(a, c);
        draft.Connect(b, d);
        draft.Connect(c, d);
        _ = e;
        return draft;
    }

    [Fact]
    public void Tasks_are_layered_left_to_right_by_dependency_depth()
    {
        var draft = Diamond();
        var positions = PipelineLayout.Arrange(draft);
        double X(string id) => positions[draft.FindByTaskId(id)!].X;

        Assert.Equal(X("a"), X("e"));
        Assert.True(X("a") < X("b"));
        Assert.Equal(X("b"), X("c"));
        Assert.True(X("c") < X("d"));
        Assert.Equal(PipelineLayout.Margin + (2 * PipelineLayout.LayerSpacing), X("d"));
    }

    [Fact]
    public void Tasks_of_one_layer_are_stacked_without_overlapping()
    {
        var draft = Diamond();
        var positions = PipelineLayout.Arrange(draft);

        Assert.Equal(positions.Count, positions.Values.Distinct().Count());
        Assert.Equal(PipelineLayout.RowSpacing, Math.Abs(positions[draft.FindByTaskId("b")!].Y - positions[draft.FindByTaskId("c")!].Y));
    }

    [Fact]
    public void Positions_are_stored_by_task_id_and_read_back()
    {
        var text = PipelineLayout.Format([KeyValuePair.Create("extract_features", new NodePosition(40.4, 160))]);

        Assert.Equal("""{"nodes":{"extract_features":{"x":40,"y":160}}}""", text);
        Assert.Equal(new NodePosition(40, 160), PipelineLayout.Parse(text)["extract_features"]);
        Assert.Empty(PipelineLayout.Parse("not json"));
        Assert.Empty(PipelineLayout.Parse(null));
    }
}
