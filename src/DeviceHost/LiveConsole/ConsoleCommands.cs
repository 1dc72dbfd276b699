using System.Collections.Concurrent;

namespace EdgeRnn.DeviceHost.LiveConsole;

/// <summary>What a console may ask the running loop to do.</summary>
internal enum ConsoleAction
{
    /// <summary>Save the state file now.</summary>
    Save,

    /// <summary>Forget the model's and scorer's state (they warm up again).</summary>
    Reset,
}

/// <summary>
/// Commands from consoles to the loop: the status server enqueues, the loop thread runs them between steps
/// (<see cref="RunPending"/>) and never waits for a console; the server awaits each command's result with a timeout.
/// </summary>
internal sealed class ConsoleCommands
{
    /// <summary>Commands waiting at most; more are refused, so a console cannot pile work on the loop.</summary>
    public const int MaxPending = 8;

    private readonly ConcurrentQueue<Pending> _queue = new();
    private int _count;

    /// <summary>Queues <paramref name="action"/>; null when too many are waiting.</summary>
    public Task<CommandOutcome>? Enqueue(ConsoleAction action, string from)
    {
        if (Interlocked.Increment(ref _count) > MaxPending)
        {
            Interlocked.Decrement(ref _count);
            return null;
        }

        var pending = new Pending(action, from, new TaskCompletionSource<CommandOutcome>(TaskCreationOptions.RunContinuationsAsynchronously));
        _queue.Enqueue(pending);
        return pending.Result.Task;
    }

    /// <summary>Runs what is waiting (called by the loop thread between steps; nothing to do is one volatile read).</summary>
    public void RunPending(Func<ConsoleAction, string, CommandOutcome> run)
    {
        if (Volatile.Read(ref _count) == 0)
        {
            return;
        }

        while (_queue.TryDequeue(out Pending? p))
        {
            Interlocked.Decrement(ref _count);
            CommandOutcome outcome;
            try
            {
                outcome = run(p.Action, p.From);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                outcome = new CommandOutcome(false, e.Message);
            }

            p.Result.TrySetResult(outcome);
        }
    }

    /// <summary>Answers whatever is still waiting (the loop has ended).</summary>
    public void CancelPending()
    {
        while (_queue.TryDequeue(out Pending? p))
        {
            Interlocked.Decrement(ref _count);
            p.Result.TrySetResult(new CommandOutcome(false, "the loop has stopped"));
        }
    }

    private sealed record Pending(ConsoleAction Action, string From, TaskCompletionSource<CommandOutcome> Result);
}

/// <summary>What a command did.</summary>
internal readonly record struct CommandOutcome(bool Ok, string Message);
