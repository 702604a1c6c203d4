using Matih.Host.Components.Pipelines;

namespace Matih.Host.Tests.Pipelines;

public sealed class UndoHistoryTests
{
    [Fact]
    public void Undo_goes_back_step_by_step_and_redo_forward_again()
    {
        var history = new UndoHistory<string>();
        history.Record("a");
        history.Record("b");

        Assert.Equal("b", history.Undo("c"));
        Assert.Equal("a", history.Undo("b"));
        Assert.Null(history.Undo("a"));
        Assert.Equal("b", history.Redo("a"));
        Assert.Equal("c", history.Redo("b"));
        Assert.False(history.CanRedo);
    }

    [Fact]
    public void Typing_into_one_field_is_one_step()
    {
        var history = new UndoHistory<string>();
        history.Record("", "name");
        history.Record("D", "name");
        history.Record("Da", "name");
        history.Record("Daily", "schedule");

        Assert.Equal("Daily", history.Undo("Daily 0 4"));
        Assert.Equal("", history.Undo("Daily"));
        Assert.False(history.CanUndo);
    }

    [Fact]
    public void A_new_change_after_undo_clears_redo()
    {
        var history = new UndoHistory<string>();
        history.Record("a");
        history.Undo("b");
        history.Record("a2");

        Assert.False(history.CanRedo);
    }

    [Fact]
    public void The_oldest_steps_are_dropped_past_the_limit()
    {
        var history = new UndoHistory<string>(limit: 2);
        history.Record("1");
        history.Record("2");
        history.Record("3");

        Assert.Equal("3", history.Undo("4"));
        Assert.Equal("2", history.Undo("3"));
        Assert.Null(history.Undo("2"));
    }
}
