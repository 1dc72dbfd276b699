using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using EdgeRnn.Deployment.Cli;
using EdgeRnn.DeviceHost.IO;
using EdgeRnn.DeviceHost.LiveConsole;
using EdgeRnn.DeviceHost.Loop;
using EdgeRnn.DeviceHost.Profiles;
using Spectre.Console;

namespace EdgeRnn.DeviceHost.Commands;

/// <summary>What <c>top</c> was asked for.</summary>
internal sealed record TopRequest
{
    public string? ProfilePath { get; init; }

    public string? SocketPath { get; init; }

    public bool Plain { get; init; }

    public bool Json { get; init; }

    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(1);

    public long? MaxSnapshots { get; init; }
}

/// <summary>
/// The <c>top</c> command: finds the console socket of the run serving the profile (or takes <c>--socket</c>),
/// attaches, and shows the snapshots it streams: a Spectre.Console live view on a terminal (with keys: pause, reset,
/// save, quit; reset and save are confirmed), plain lines when stdout is not a terminal, with <c>--plain</c> or
/// NO_COLOR, JSON lines with <c>--json</c>. When no run serves the profile, top runs the loop itself (as <c>run</c>
/// would, taking the profile's lock, with its events on the view instead of stdout) and attaches to that.
/// </summary>
/// <remarks>Exit codes: 0 quit or the service stopped; 2 a bad profile or options; 3 the profile's run holds its lock but
/// its socket cannot be reached; 4 nothing answers on <c>--socket</c>, or the service's socket refuses this user.</remarks>
internal static class TopWorker
{
    public static int Run(TopRequest request, TextWriter stdout, TextWriter stderr, DeviceEnvironment environment, CancellationToken cancel = default)
    {
        if (request.ProfilePath is null && request.SocketPath is null)
        {
            stderr.WriteLine("error: give --profile (the profile the service runs, e.g. /etc/edgernn/pi-bme280.json) or --socket.");
            return ToolExitCodes.BadInput;
        }

        if (request.Plain && request.Json)
        {
            stderr.WriteLine("error: --plain and --json are two different outputs; give one.");
            return ToolExitCodes.BadInput;
        }

        using var quit = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        using PosixSignalRegistration interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c =>
        {
            c.Cancel = true;
            quit.Cancel();
        });

        StatusClient? client = null;
        Thread? local = null;
        var localErrors = new StringWriter();
        int localCode = 0;
        try
        {
            if (request.SocketPath is { } socket)
            {
                try
                {
                    client = StatusClient.Connect(Path.GetFullPath(socket));
                }
                catch (IOException e)
                {
                    stderr.WriteLine($"error: {ErrorText.Describe(e)}{AccessHint(e)}");
                    return DeviceExitCodes.NoService;
                }
            }
            else
            {
                LoadedProfile profile;
                try
                {
                    profile = ProfileLoader.Load(request.ProfilePath!);
                }
                catch (ProfileException e)
                {
                    stderr.WriteLine("error: " + ErrorText.Sanitize(e.Message, 2000));
                    return ToolExitCodes.BadInput;
                }

                client = Find(profile, environment, stderr, out bool denied);
                if (client is null && denied)
                {
                    // A service runs but this user may not attach: running a second loop on the same sensors would be worse.
                    return DeviceExitCodes.NoService;
                }

                if (client is null)
                {
                    // No service: run the loop here, serving the socket as run does, and attach to it.
                    string? path = ConsoleSocket.ServePath(profile, environment.GetVariable);
                    if (path is null)
                    {
                        stderr.WriteLine($"error: {ErrorText.Sanitize(profile.FullPath)}: top needs a console socket, which lives beside the profile's state file or event log; the profile has neither.");
                        return ToolExitCodes.BadInput;
                    }

                    TextWriter errors = TextWriter.Synchronized(localErrors);
                    local = new Thread(() => localCode = RunWorker.Run(profile.FullPath, null, TextWriter.Null, errors, environment, quit.Token)) { Name = "edgernn loop", IsBackground = true };
                    local.Start();
                    var waited = Stopwatch.StartNew();
                    while (client is null)
                    {
                        if (!local.IsAlive)
                        {
                            stderr.Write(localErrors.ToString());
                            return localCode == 0 ? ToolExitCodes.BadInput : localCode;
                        }

                        if (ConsoleSocket.Answers(path))
                        {
                            client = StatusClient.Connect(path);
                        }
                        else if (waited.Elapsed > TimeSpan.FromSeconds(30) || quit.IsCancellationRequested)
                        {
                            stderr.WriteLine($"error: the loop started here does not serve {path}: {localErrors}");
                            quit.Cancel();
                            return DeviceExitCodes.NoService;
                        }
                        else
                        {
                            Thread.Sleep(20);
                        }
                    }
                }
            }

            string source = local is null ? client.Path : $"running the loop here, at {client.Path}";
            return Show(client, request, source, stdout, stderr, quit);
        }
        finally
        {
            client?.Dispose();
            if (local is not null)
            {
                quit.Cancel();
                local.Join();
                string errors = localErrors.ToString();
                if (localCode != 0 && errors.Length > 0)
                {
                    stderr.Write(errors);
                }
            }
        }
    }

    /// <summary>Attaches to the first socket serving this profile, or null.</summary>
    private static StatusClient? Find(LoadedProfile profile, DeviceEnvironment environment, TextWriter stderr, out bool denied)
    {
        denied = false;
        foreach (string path in ConsoleSocket.Candidates(profile, environment.GetVariable).Distinct(StringComparer.Ordinal))
        {
            if (!File.Exists(path))
            {
                continue;
            }

            StatusClient client;
            try
            {
                client = StatusClient.Connect(path);
            }
            catch (IOException e)
            {
                if (AccessHint(e) is { Length: > 0 } hint)
                {
                    stderr.WriteLine($"error: {ErrorText.Describe(e)}{hint}");
                    denied = true;
                }

                continue;
            }

            // A runtime directory's socket may serve another profile: check before showing it.
            try
            {
                string? line = client.ReadLine();
                if (line is not null && StatusClient.Parse(line).Snapshot is { } first && first.ProfilePath == profile.FullPath)
                {
                    client.Pending = line;
                    return client;
                }
            }
            catch (IOException)
            {
            }

            client.Dispose();
        }

        return null;
    }

    private static string AccessHint(IOException e) => e.InnerException is SocketException { SocketErrorCode: SocketError.AccessDenied }
        ? "; the socket belongs to the service's group: add yourself to it (sudo usermod -aG edgernn $USER, then log in again)"
        : "";

    private static int Show(StatusClient client, TopRequest request, string source, TextWriter stdout, TextWriter stderr, CancellationTokenSource quit)
    {
        bool live = !request.Json && !request.Plain && !System.Console.IsOutputRedirected && !System.Console.IsInputRedirected
            && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR")) && Environment.GetEnvironmentVariable("TERM") != "dumb";
        var feed = new Feed(client, request.Json);
        var reader = new Thread(feed.Pump) { Name = "edgernn console reader", IsBackground = true };
        reader.Start();
        using CancellationTokenRegistration closeOnQuit = quit.Token.Register(client.Dispose);
        try
        {
            if (request.Json)
            {
                long shown = 0;
                while (!quit.IsCancellationRequested && feed.Lines.TryTake(out string? line, Timeout.Infinite, quit.Token))
                {
                    stdout.WriteLine(line);
                    stdout.Flush();
                    if (line.StartsWith("{\"type\":\"snapshot\"", StringComparison.Ordinal) && ++shown >= request.MaxSnapshots)
                    {
                        break;
                    }
                }
            }
            else if (!live)
            {
                long shown = 0;
                while (!quit.IsCancellationRequested && !feed.Ended)
                {
                    if (feed.Latest is { } s)
                    {
                        stdout.WriteLine(PlainView.Line(s));
                        stdout.Flush();
                        if (++shown >= request.MaxSnapshots)
                        {
                            break;
                        }
                    }

                    quit.Token.WaitHandle.WaitOne(request.Interval);
                }
            }
            else
            {
                LiveLoop(client, feed, source, quit);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (IOException e) when (ErrorText.IsBrokenPipe(e))
        {
            return ToolExitCodes.Success;
        }

        if (feed.Ended && !quit.IsCancellationRequested)
        {
            stderr.WriteLine(feed.Error is null ? $"the service at {client.Path} stopped" : $"the connection to {client.Path} broke: {feed.Error}");
        }

        return ToolExitCodes.Success;
    }

    private static void LiveLoop(StatusClient client, Feed feed, string source, CancellationTokenSource quit)
    {
        IAnsiConsole console = AnsiConsole.Console;
        var view = new ViewState { Source = source };
        StatusSnapshot? shown = null;
        while (shown is null && !feed.Ended && !quit.IsCancellationRequested)
        {
            shown = feed.Latest;
            Thread.Sleep(20);
        }

        if (shown is null)
        {
            return;
        }

        console.AlternateScreen(() => console.Live(new Text("")).AutoClear(false).Start(ctx =>
        {
            long nextFrame = 0;
            while (!quit.IsCancellationRequested && !feed.Ended)
            {
                bool changed = false;
                while (System.Console.KeyAvailable)
                {
                    changed = true;
                    if (!Key(System.Console.ReadKey(intercept: true), view, client))
                    {
                        return;
                    }
                }

                while (feed.Results.TryDequeue(out ConsoleResult? result))
                {
                    view.Message = $"{result.Command}: {result.Message}";
                    view.MessageOk = result.Ok;
                    changed = true;
                }

                if (changed || Stopwatch.GetTimestamp() >= nextFrame)
                {
                    if (!view.Paused && feed.Latest is { } s)
                    {
                        shown = s;
                    }

                    ctx.UpdateTarget(LiveView.Render(shown, view, console.Profile.Width, console.Profile.Height - 1));
                    ctx.Refresh();
                    nextFrame = Stopwatch.GetTimestamp() + (Stopwatch.Frequency / 4);
                }

                Thread.Sleep(30);
            }
        }));
    }

    /// <summary>Handles one key; false to quit.</summary>
    internal static bool Key(ConsoleKeyInfo key, ViewState view, StatusClient client)
    {
        char c = char.ToLowerInvariant(key.KeyChar);
        if (view.Confirming is { } pending)
        {
            view.Confirming = null;
            if (c == 'y')
            {
                client.Send(pending);
                view.Message = $"{pending}: sent, waiting for the loop...";
                view.MessageOk = true;
            }
            else
            {
                view.Message = $"{pending}: cancelled";
                view.MessageOk = true;
            }

            return true;
        }

        switch (c)
        {
            case 'q':
                return false;
            case 'p':
                view.Paused = !view.Paused;
                break;
            case 'r':
                view.Confirming = "reset";
                break;
            case 's':
                view.Confirming = "save";
                break;
            default:
                if (key.Key == ConsoleKey.Escape)
                {
                    return false;
                }

                break;
        }

        return true;
    }

    /// <summary>Reads the socket on its own thread: the latest snapshot, command results, and (for --json) every line.</summary>
    private sealed class Feed(StatusClient client, bool keepLines)
    {
        private StatusSnapshot? _latest;
        private volatile bool _ended;

        public StatusSnapshot? Latest => Volatile.Read(ref _latest);

        public bool Ended => _ended;

        public string? Error { get; private set; }

        public ConcurrentQueue<ConsoleResult> Results { get; } = new();

        public BlockingCollection<string> Lines { get; } = new(new ConcurrentQueue<string>(), 64);

        public void Pump()
        {
            try
            {
                while ((client.Pending ?? client.ReadLine()) is { } line)
                {
                    client.Pending = null;
                    if (keepLines)
                    {
                        Lines.Add(line);
                    }

                    (StatusSnapshot? snapshot, ConsoleResult? result) = StatusClient.Parse(line);
                    if (snapshot is not null)
                    {
                        Volatile.Write(ref _latest, snapshot);
                    }
                    else if (result is not null)
                    {
                        Results.Enqueue(result);
                    }
                }
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException)
            {
                Error = e is ObjectDisposedException ? null : e.Message;
            }

            _ended = true;
            Lines.CompleteAdding();
        }
    }
}
