using EdgeRnn.DeviceHost.Commands;
using EdgeRnn.DeviceHost.LiveConsole;
using EdgeRnn.DeviceHost.Loop;
using EdgeRnn.DeviceHost.Tests.Reliability;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace EdgeRnn.DeviceHost.Tests.LiveConsole;

/// <summary>Helpers for the console tests: a test console for Spectre, a run on its own thread, a snapshot reader.</summary>
internal static class ConsoleTestKit
{
    /// <summary>No RUNTIME_DIRECTORY, so the socket goes beside the profile's state file in the test's folder.</summary>
    public static DeviceEnvironment Environment { get; } = new() { GetVariable = _ => null };

    /// <summary>Renders into a Spectre console of <paramref name="width"/> x <paramref name="height"/> without colour; returns its text lines.</summary>
    public static string[] RenderText(IRenderable renderable, int width = 80, int height = 24)
    {
        using var writer = new StringWriter();
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(writer),
        });
        console.Profile.Width = width;
        console.Profile.Height = height;
        console.Write(renderable);
        return writer.ToString().TrimEnd('\n').Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
    }

    /// <summary>A synthetic-sensor profile at one sample every <paramref name="periodMs"/> ms (the shipped hourly model, sped up).</summary>
    public static string PacedProfile(TempFolder temp, double periodMs = 10, string name = "profile.json")
    {
        double speed = 3600 * 1000 / periodMs;
        string sensor = DeviceHarness.SyntheticSensor.Replace("\"speed\": 0", $"\"speed\": {speed.ToString(System.Globalization.CultureInfo.InvariantCulture)}", StringComparison.Ordinal);
        Assert.Contains("\"speed\": 360000", sensor, StringComparison.Ordinal);
        return DeviceHarness.Profile(temp, sensor, name: name);
    }

    /// <summary>A run of <paramref name="profile"/> on its own thread, stopped on dispose.</summary>
    public sealed class BackgroundRun : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Thread _thread;
        private readonly StringWriter _stdout = new();
        private readonly StringWriter _stderr = new();

        public BackgroundRun(string profile, string socket)
        {
            Stdout = TextWriter.Synchronized(_stdout);
            Stderr = TextWriter.Synchronized(_stderr);
            Socket = socket;
            _thread = new Thread(() => Code = RunWorker.Run(profile, null, Stdout, Stderr, Environment, _stop.Token)) { IsBackground = true };
            _thread.Start();
            var waited = System.Diagnostics.Stopwatch.StartNew();
            while (!ConsoleSocket.Answers(socket))
            {
                Assert.True(_thread.IsAlive, "run ended before serving its socket: " + _stderr);
                Assert.True(waited.Elapsed < TimeSpan.FromMinutes(1), "run did not serve its socket within a minute");
                Thread.Sleep(10);
            }
        }

        public string Socket { get; }

        public TextWriter Stdout { get; }

        public TextWriter Stderr { get; }

        /// <summary>What run wrote to stdout (read it after <see cref="Stop"/>).</summary>
        public string Output => _stdout.ToString();

        public int? Code { get; private set; }

        public int Stop()
        {
            _stop.Cancel();
            Assert.True(_thread.Join(TimeSpan.FromMinutes(1)), "run did not stop within a minute");
            return Code!.Value;
        }

        public void Dispose()
        {
            if (_thread.IsAlive)
            {
                Stop();
            }

            _stop.Dispose();
        }
    }

    /// <summary>The next snapshot on <paramref name="client"/> (results are collected into <paramref name="results"/>).</summary>
    public static StatusSnapshot NextSnapshot(StatusClient client, List<ConsoleResult>? results = null)
    {
        while (true)
        {
            string? line = client.ReadLine();
            Assert.NotNull(line);
            (StatusSnapshot? s, ConsoleResult? r) = StatusClient.Parse(line);
            if (s is not null)
            {
                return s;
            }

            Assert.NotNull(r);
            results?.Add(r);
        }
    }

    /// <summary>The next result line on <paramref name="client"/>, skipping snapshots.</summary>
    public static ConsoleResult NextResult(StatusClient client)
    {
        while (true)
        {
            string? line = client.ReadLine();
            Assert.NotNull(line);
            if (StatusClient.Parse(line).Result is { } r)
            {
                return r;
            }
        }
    }
}
