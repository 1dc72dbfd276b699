using System.Globalization;
using EdgeRnn.DeviceHost.IO;
using EdgeRnn.DeviceHost.Loop;
using EdgeRnn.DeviceHost.Outputs;

namespace EdgeRnn.DeviceHost.LiveConsole;

/// <summary>
/// What <c>run</c> adds for the live console: the loop publishes into a <see cref="SnapshotSource"/>, recent events
/// go to a <see cref="RecentEvents"/> output, the status socket serves both (<see cref="StatusServer"/>), and the loop
/// thread runs the consoles' commands between steps (<see cref="RunPending"/>). A socket that cannot be served is a
/// warning event: the console is for people, the loop goes on without it.
/// </summary>
internal sealed class ConsoleHost : IDisposable
{
    private readonly DeviceLoop _loop;
    private readonly ConsoleCommands _commands = new();
    private readonly Func<ConsoleAction, string, CommandOutcome> _run;
    private StatusServer? _server;

    private ConsoleHost(DeviceLoop loop)
    {
        _loop = loop;
        _run = Run; // once: a method group converted at every step would allocate a delegate per step
        var events = new RecentEvents();
        loop.AddSink(events);
        Source = new SnapshotSource(loop, events);
        loop.Live = Source.Live;
    }

    public SnapshotSource Source { get; }

    /// <summary>The status server, once serving.</summary>
    public StatusServer? Server => _server;

    /// <summary>Adds the console's output and readings buffer to <paramref name="loop"/> (before its outputs open).</summary>
    public static ConsoleHost Attach(DeviceLoop loop) => new(loop);

    /// <summary>Starts serving at <paramref name="path"/>; returns why not, or null.</summary>
    public string? Serve(string? path, TimeSpan? interval = null)
    {
        if (path is null)
        {
            return "no console socket: the profile has neither a state file nor an event log to put it beside (or run it under systemd with RuntimeDirectory=)";
        }

        try
        {
            _server = StatusServer.Start(path, Source, _commands, interval);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or PlatformNotSupportedException)
        {
            return $"no live console: {ErrorText.Describe(e)}";
        }
    }

    /// <summary>Runs the consoles' commands that are waiting (the loop thread, between steps; nothing waiting costs one read).</summary>
    public void RunPending() => _commands.RunPending(_run);

    private CommandOutcome Run(ConsoleAction action, string from)
    {
        switch (action)
        {
            case ConsoleAction.Save:
                if (_loop.Store is null)
                {
                    return new CommandOutcome(false, "this profile has no state file ($.state)");
                }

                bool saved = _loop.SaveState();
                _loop.Emit(new DeviceEvent(DeviceEventKind.Warning, _loop.Steps, DateTimeOffset.UtcNow,
                    Detail: saved ? $"state saved on request of a {from}: {_loop.Store.Path}" : $"state save requested by a {from} failed (see the fault event)"));
                return new CommandOutcome(saved, saved
                    ? string.Create(CultureInfo.InvariantCulture, $"state saved at step {_loop.Steps}: {_loop.Store.Path}")
                    : $"the save failed: {_loop.Store.Path} (counted as a fault; kept in memory)");
            case ConsoleAction.Reset:
                _loop.ResetState($"requested by a {from}");
                return new CommandOutcome(true, string.Create(CultureInfo.InvariantCulture, $"state reset at step {_loop.Steps}: warming up again"));
            default:
                return new CommandOutcome(false, "unknown command");
        }
    }

    public void Dispose()
    {
        _server?.Dispose();
        _commands.CancelPending();
        _loop.Live = null;
    }
}
