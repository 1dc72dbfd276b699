using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using EdgeRnn.DeviceHost.LiveConsole;
using EdgeRnn.DeviceHost.Tests.Reliability;

namespace EdgeRnn.DeviceHost.Tests.LiveConsole;

/// <summary>
/// A real <c>run</c> (on a thread of the test process) serving its Unix socket, and real consoles attached to it: a
/// client in the test, the real <c>edgernn-device top --json</c> in a child process killed mid-stream, and a client that
/// stops reading. The loop must keep its rate and its consoles must not notice each other.
/// </summary>
public sealed class StatusSocketTests
{
    [Fact]
    public void Run_ServesSocketBesideStateWithMode0660_AndRemovesItAtStop()
    {
        using var temp = new TempFolder();
        string profile = ConsoleTestKit.PacedProfile(temp);
        string socket = temp.File("device.state.sock");
        using (var run = new ConsoleTestKit.BackgroundRun(profile, socket))
        {
            Assert.True(OperatingSystem.IsLinux());
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite, File.GetUnixFileMode(socket));
            }

            using StatusClient client = StatusClient.Connect(socket);
            StatusSnapshot s = ConsoleTestKit.NextSnapshot(client);
            Assert.Equal("test", s.Profile);
            Assert.Equal(Path.GetFullPath(profile), s.ProfilePath);
            Assert.Equal("temperature", s.Sensors[0].Readings[0].Feature);
            Assert.Equal("degF", s.Sensors[0].Readings[0].Unit);
            Assert.Equal(1, s.Consoles);
            Assert.Equal(0, run.Stop());
            Assert.Contains("live console at " + socket, run.Output, StringComparison.Ordinal);
        }

        Assert.False(File.Exists(socket), "the socket file was left behind");
    }

    [Fact]
    public void Run_StaleSocketFile_IsReplaced()
    {
        using var temp = new TempFolder();
        string profile = ConsoleTestKit.PacedProfile(temp);
        string socket = temp.File("device.state.sock");

        // A run killed with SIGKILL (a power cut, the OOM killer) leaves its socket file; nothing answers on it.
        using (Process killed = DeviceHarness.Start($"exec {{device}} run --profile '{profile}'"))
        {
            var clock = Stopwatch.StartNew();
            while (!ConsoleSocket.Answers(socket))
            {
                Assert.True(clock.Elapsed < TimeSpan.FromMinutes(1) && !killed.HasExited, "the child run did not serve its socket");
                Thread.Sleep(10);
            }

            killed.Kill();
            killed.WaitForExit();
        }

        Assert.True(File.Exists(socket));
        Assert.False(ConsoleSocket.Answers(socket));
        using var run = new ConsoleTestKit.BackgroundRun(profile, socket);
        using StatusClient client = StatusClient.Connect(socket);
        Assert.True(ConsoleTestKit.NextSnapshot(client).Steps >= 0);
    }

    [Fact]
    public void TwoConsoles_OneKilledMidStreamAndOneHung_LoopKeepsItsRateAndTheOtherConsoleStreams()
    {
        using var temp = new TempFolder();
        const double PeriodMs = 10;
        string profile = ConsoleTestKit.PacedProfile(temp, PeriodMs);
        string socket = temp.File("device.state.sock");
        using var run = new ConsoleTestKit.BackgroundRun(profile, socket);

        // Console 1: in the test. Console 2: the real top --json in a child process. Console 3: attached, never reads.
        using StatusClient watcher = StatusClient.Connect(socket);
        using Process top = DeviceHarness.Start($"{{device}} top --socket '{socket}' --json");
        string? first = top.StandardOutput.ReadLine();
        Assert.NotNull(first);
        Assert.StartsWith("{\"type\":\"snapshot\"", first, StringComparison.Ordinal);
        using var hung = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        hung.Connect(new UnixDomainSocketEndPoint(socket));

        // Snapshots queued before the others attached say fewer consoles: read on to one that counts all three.
        StatusSnapshot start = ConsoleTestKit.NextSnapshot(watcher);
        for (int i = 0; start.Consoles < 3; i++)
        {
            Assert.True(i < 400, $"never saw three consoles attached (last count {start.Consoles})");
            start = ConsoleTestKit.NextSnapshot(watcher);
        }

        top.Kill(entireProcessTree: true); // mid-stream: it was reading snapshots
        top.WaitForExit();

        // Keep reading until the hung console has been dropped (its buffers fill within seconds) and a few more
        // snapshots came after that.
        StatusSnapshot last = start;
        var clock = Stopwatch.StartNew();
        int afterDrop = 0;
        while (afterDrop < 4)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromMinutes(1), $"the hung console was not dropped within a minute (consoles {last.Consoles}, dropped {last.DroppedConsoles})");
            last = ConsoleTestKit.NextSnapshot(watcher);
            if (last.DroppedConsoles >= 1 && last.Consoles == 1)
            {
                afterDrop++;
            }
        }

        double seconds = (last.Time - start.Time).TotalSeconds;
        long steps = last.Steps - start.Steps;
        double expected = seconds * 1000 / PeriodMs;

        // Generous: a shared CI machine may lose time, but a loop blocked by a console would lose most of it.
        Assert.True(steps >= expected * 0.5, $"{steps} steps in {seconds:0.0} s at one per {PeriodMs} ms (expected about {expected:0})");
        // Overruns come from the machine too (a 10 ms period on two shared cores sees some under a parallel build: 60 in
        // 493 steps once); a loop held up by a console would miss most of its ticks.
        long missed = last.Latency.MissedTicks - start.Latency.MissedTicks;
        Assert.True(missed <= steps, $"{missed} ticks missed in {steps} steps");
        Assert.True(last.Latency.Overruns - start.Latency.Overruns <= Math.Max(10, steps / 2), $"{last.Latency.Overruns - start.Latency.Overruns} overruns in {steps} steps");
        Assert.Equal(0, run.Stop());
    }

    [Fact]
    public void Commands_SaveAndReset_RunByTheLoopAndAnswered()
    {
        using var temp = new TempFolder();
        string profile = ConsoleTestKit.PacedProfile(temp);
        string socket = temp.File("device.state.sock");
        using var run = new ConsoleTestKit.BackgroundRun(profile, socket);
        using StatusClient client = StatusClient.Connect(socket);
        while (ConsoleTestKit.NextSnapshot(client).ScoredSteps < 20)
        {
        }

        File.Delete(temp.File("device.state"));
        long id = client.Send("save");
        ConsoleResult saved = ConsoleTestKit.NextResult(client);
        Assert.Equal(id, saved.Id);
        Assert.True(saved.Ok, saved.Message);
        Assert.Contains("state saved at step", saved.Message, StringComparison.Ordinal);
        Assert.True(File.Exists(temp.File("device.state")));

        id = client.Send("reset");
        ConsoleResult reset = ConsoleTestKit.NextResult(client);
        Assert.Equal(id, reset.Id);
        Assert.True(reset.Ok, reset.Message);
        long resetAt = long.Parse(System.Text.RegularExpressions.Regex.Match(reset.Message, @"^state reset at step (\d+)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);

        // Snapshots already queued were taken before the reset: read on to the first one that shows its event.
        StatusSnapshot after = ConsoleTestKit.NextSnapshot(client);
        for (int i = 0; !after.Events.Any(e => e.Contains("state reset (requested by a console)", StringComparison.Ordinal)); i++)
        {
            Assert.True(i < 100, "no snapshot showed the reset event");
            after = ConsoleTestKit.NextSnapshot(client);
        }

        Assert.True(after.ScoredSteps <= after.Steps - resetAt, $"scored {after.ScoredSteps} at step {after.Steps}, after a reset at step {resetAt}");
    }

    [Fact]
    public void MalformedRequests_GetAnErrorThatSaysWhat_AndTooLongALineCloses()
    {
        using var temp = new TempFolder();
        string profile = ConsoleTestKit.PacedProfile(temp);
        string socket = temp.File("device.state.sock");
        using var run = new ConsoleTestKit.BackgroundRun(profile, socket);
        using var raw = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        raw.Connect(new UnixDomainSocketEndPoint(socket));
        using var stream = new NetworkStream(raw);
        using var reader = new StreamReader(stream, Encoding.UTF8);

        stream.Write("this is not json\n{\"command\":\"format-disk\",\"id\":7}\n"u8);
        var results = new List<string>();
        while (results.Count < 2)
        {
            string line = reader.ReadLine()!;
            if (line.StartsWith("{\"type\":\"result\"", StringComparison.Ordinal))
            {
                results.Add(line);
            }
        }

        Assert.Contains("\"ok\":false", results[0], StringComparison.Ordinal);
        Assert.Contains("request 1: not a JSON request", results[0], StringComparison.Ordinal);
        Assert.Contains("\"id\":7", results[1], StringComparison.Ordinal);
        Assert.Contains("unknown command \\u0027format-disk\\u0027: the commands are save and reset", results[1], StringComparison.Ordinal);

        stream.Write(Encoding.ASCII.GetBytes(new string('x', StatusServer.MaxRequestBytes + 10)));
        string? closing;
        while ((closing = reader.ReadLine()) is not null && !closing.Contains("longer than", StringComparison.Ordinal))
        {
        }

        Assert.NotNull(closing);
        Assert.Contains($"a request line is longer than {StatusServer.MaxRequestBytes} bytes", closing, StringComparison.Ordinal);
        while (reader.ReadLine() is not null)
        {
            // drained until the server closes the connection
        }

        using StatusClient healthy = StatusClient.Connect(socket);
        Assert.True(ConsoleTestKit.NextSnapshot(healthy).Steps > 0);
    }

    [Fact]
    public void Top_PlainAndJson_AttachFoundFromTheProfile()
    {
        using var temp = new TempFolder();
        string profile = ConsoleTestKit.PacedProfile(temp);
        using var run = new ConsoleTestKit.BackgroundRun(profile, temp.File("device.state.sock"));

        ToolResult plain = DeviceHarness.Device(ConsoleTestKit.Environment, "top", "--profile", profile, "--plain", "--interval", "0.1", "--max-snapshots", "2");
        Assert.True(plain.Code == 0, plain.Err);
        string[] lines = plain.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.All(lines, l => Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ test step \d+ .*\| sig \S+ temperature \d+(\.\d+)? degF \(fc [-\d.]+\) \| likelihood", l));

        ToolResult json = DeviceHarness.Device(ConsoleTestKit.Environment, "top", "--profile", profile, "--json", "--max-snapshots", "3");
        Assert.True(json.Code == 0, json.Err);
        StatusSnapshot[] snapshots = [.. json.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => StatusClient.Parse(l).Snapshot!)];
        Assert.Equal(3, snapshots.Length);
        Assert.True(snapshots[2].Steps > snapshots[0].Steps);
    }

    [Fact]
    public void Top_WithoutAService_RunsTheLoopItselfAndStopsIt()
    {
        using var temp = new TempFolder();
        string profile = ConsoleTestKit.PacedProfile(temp);
        ToolResult json = DeviceHarness.Device(ConsoleTestKit.Environment, "top", "--profile", profile, "--json", "--max-snapshots", "2");
        Assert.True(json.Code == 0, json.Err);
        StatusSnapshot[] snapshots = [.. json.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => StatusClient.Parse(l).Snapshot!)];
        Assert.Equal(2, snapshots.Length);
        Assert.Contains("started", snapshots[1].Events[0], StringComparison.Ordinal);
        Assert.True(File.Exists(temp.File("device.state")), "the loop top ran did not save its state when it stopped");
        Assert.False(File.Exists(temp.File("device.state.sock")));
    }

    [Fact]
    public void Top_NothingAnswersOnSocket_Exit4WithWhy()
    {
        using var temp = new TempFolder();
        ToolResult r = DeviceHarness.Device(ConsoleTestKit.Environment, "top", "--socket", temp.File("none.sock"), "--plain");
        Assert.Equal(4, r.Code);
        Assert.Contains("none.sock: no edgernn-device run answers", r.Err, StringComparison.Ordinal);
    }
}
