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
            long now = Environment.TickCount64;
            if (p.Action == ConsoleAction.Save && _lastSave is { } last && now - _lastSaveAt < MinSaveIntervalMs)
            {
                // Consoles asking again and again (a script, many technicians) get the save just made: a synced state
                // write costs the loop a step's time or more, so at most one a second.
                outcome = last with { Message = last.Message + " (a save made less than a second ago; not repeated)" };
            }
            else
            {
                try
                {
                    outcome = run(p.Action, p.From);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    outcome = new CommandOutcome(false, e.Message);
                }

                if (p.Action == ConsoleAction.Save)
                {
                    (_lastSave, _lastSaveAt) = (outcome, now);
                }
                else
                {
                    _lastSave = null; // after a reset, a save writes the new state
                }
            }

            p.Result.TrySetResult(outcome);
        }
    }

    /// <summary>The shortest time between two state saves asked for by consoles.</summary>
    internal const long MinSaveIntervalMs = 1000;

    private CommandOutcome? _lastSave;
    private long _lastSaveAt;

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
