namespace Matih.Host.Components.Pipelines;

/// <summary>
/// Undo and redo over whole snapshots of the designer's state: simple to get right, and a pipeline is small. Edits
/// that share a coalescing key in a row (typing into one field) make one step.
/// </summary>
/// <typeparam name="T">An immutable snapshot.</typeparam>
public sealed class UndoHistory<T>
    where T : class
{
    private readonly Stack<T> _undo = new();
    private readonly Stack<T> _redo = new();
    private readonly int _limit;
    private string? _lastKey;

    /// <summary>A history keeping at most <paramref name="limit"/> steps.</summary>
    public UndoHistory(int limit = 200)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        _limit = limit;
    }

    /// <summary>True when there is a step to undo.</summary>
    public bool CanUndo => _undo.Count > 0;

    /// <summary>True when there is an undone step to redo.</summary>
    public bool CanRedo => _redo.Count > 0;

    /// <summary>
    /// Records the state <paramref name="before"/> a change. A change with the same <paramref name="coalesceKey"/> as the
    /// one just recorded joins its step. Any new change clears what could be redone.
    /// </summary>
    public void Record(T before, string? coalesceKey = null)
    {
        _redo.Clear();
        if (coalesceKey is not null && coalesceKey == _lastKey && _undo.Count > 0)
        {
            return;
        }

        _lastKey = coalesceKey;
        _undo.Push(before);
        if (_undo.Count > _limit)
        {
            // Drop the oldest step.
            var kept = _undo.Take(_limit).Reverse().ToArray();
            _undo.Clear();
            foreach (var step in kept)
            {
                _undo.Push(step);
            }
        }
    }

    /// <summary>The state to go back to from <paramref name="current"/>, or null when there is none.</summary>
    public T? Undo(T current)
    {
        _lastKey = null;
        if (!_undo.TryPop(out var previous))
        {
            return null;
        }

        _redo.Push(current);
        return previous;
    }

    /// <summary>The state undone last, to return to from <paramref name="current"/>, or null.</summary>
    public T? Redo(T current)
    {
        _lastKey = null;
        if (!_redo.TryPop(out var next))
        {
            return null;
        }

        _undo.Push(current);
        return next;
    }

    /// <summary>Ends coalescing: the next change is a step of its own even with the same key.</summary>
    public void Seal() => _lastKey = null;

    /// <summary>Forgets everything (a different pipeline was loaded).</summary>
    public void Clear()
    {
        _undo.Clear();
        _redo.Clear();
        _lastKey = null;
    }
}
