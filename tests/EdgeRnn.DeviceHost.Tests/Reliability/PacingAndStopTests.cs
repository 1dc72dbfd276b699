using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using EdgeRnn.DeviceHost.Commands;
using EdgeRnn.DeviceHost.Loop;
using EdgeRnn.DeviceHost.Profiles;

namespace EdgeRnn.DeviceHost.Tests.Reliability;

/// <summary>
/// Issue 13, item 4: a tiny <c>speed</c> made the wait between samples longer than a wait handle takes (a crash on the
/// second sample); item 6: an unpaced loop (speed 0) never looked at SIGTERM / Ctrl+C.
/// </summary>
public sealed partial class PacingAndStopTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("0.00167")]
    [InlineData("0.001")]
    [InlineData("1e-300")]
    public void Run_SpeedTooSmall_ExitsTwoNamingSpeed(string speed)
    {
        DeviceHarness.WriteCsv(_temp, rows: 5);
        string profile = DeviceHarness.Profile(_temp, DeviceHarness.CsvSensor.Replace("\"speed\": 0", $"\"speed\": {speed}", StringComparison.Ordinal));

        (int code, string stdout, string stderr) = DeviceHarness.Device("run", "--profile", profile);

        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Contains("$.sensors[0].speed:", stderr, StringComparison.Ordinal);
        Assert.Contains("at most 604800 s (a week)", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_SlowestAllowedSpeedAndHugePeriod_AcceptedAndRefused()
    {
        const string Template = """
            { "name": "t", "model": "m.onnx", "samplePeriodSeconds": PERIOD,
              "sensors": [ { "id": "s", "kind": "synthetic", "speed": SPEED, "readings": [ { "reading": "value", "feature": "temperature", "unit": "degC" } ] } ] }
            """;

        ProfileLoader.Parse(Template.Replace("PERIOD", "3600", StringComparison.Ordinal).Replace("SPEED", "0.006", StringComparison.Ordinal), "p.json");
        var e = Assert.Throws<ProfileException>(() => ProfileLoader.Parse(Template.Replace("PERIOD", "1e9", StringComparison.Ordinal).Replace("SPEED", "1", StringComparison.Ordinal), "p.json"));
        Assert.Contains("$.samplePeriodSeconds:", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WaitForNext_PeriodLongerThanWaitSlice_WaitsInSlicesToTheDeadline()
    {
        long now = 0;
        var waits = new List<TimeSpan>();
        var sampler = new PeriodicSampler(TimeSpan.FromHours(30), () => now, span =>
        {
            waits.Add(span);
            now += (long)(span.TotalSeconds * Stopwatch.Frequency);
            return true;
        });

        Assert.True(sampler.WaitForNext());
        Assert.True(sampler.WaitForNext());

        Assert.All(waits, w => Assert.True(w <= PeriodicSampler.MaxWaitSlice));
        Assert.Equal(30, waits.Count);
        Assert.Equal(TimeSpan.FromHours(30).TotalSeconds, (double)now / Stopwatch.Frequency, 3);
    }

    [Fact]
    public void WaitForNext_UnpacedAndCancelled_ReturnsFalse()
    {
        bool cancelled = false;
        var sampler = new PeriodicSampler(TimeSpan.Zero, () => 0, _ => throw new InvalidOperationException("an unpaced loop never waits"), () => cancelled);

        Assert.True(sampler.WaitForNext());
        Assert.True(sampler.WaitForNext());
        cancelled = true;
        Assert.False(sampler.WaitForNext());
    }

    [Fact]
    public void Run_UnpacedCancelledMidRun_StopsSavesStateAndExitsZero()
    {
        string profile = DeviceHarness.Profile(_temp, DeviceHarness.SyntheticSensor, outputs: """{ "console": "steps" }""");
        using var cts = new CancellationTokenSource();
        using var stdout = new CancelAfterLines(cts, "step 100 ");
        using var stderr = new StringWriter();

        // A synthetic signal never ends: only the cancellation (what SIGTERM and Ctrl+C do) can stop this run.
        int code = RunWorker.Run(profile, maxSteps: null, stdout, stderr, DeviceEnvironment.Hardware, cts.Token);

        Assert.Equal(0, code);
        string output = stdout.ToString();
        Assert.Contains("stopped stopped by signal: 100 steps", output, StringComparison.Ordinal);
        Assert.True(File.Exists(_temp.File("device.state")));
    }

    [Fact]
    public async Task Run_UnpacedProcessGetsSigterm_SavesStateAndExitsZero()
    {
        string profile = DeviceHarness.Profile(_temp, DeviceHarness.SyntheticSensor, outputs: """{ "console": "steps" }""");
        using Process p = DeviceHarness.Start($"exec {{device}} run --profile '{profile}'");
        var running = new TaskCompletionSource();
        var output = new StringBuilder();
        p.OutputDataReceived += (_, e) =>
        {
            lock (output)
            {
                output.AppendLine(e.Data);
            }

            if (e.Data?.StartsWith("step 20 ", StringComparison.Ordinal) == true)
            {
                running.TrySetResult();
            }
        };
        p.BeginOutputReadLine();
        Task<string> errors = p.StandardError.ReadToEndAsync();

        // Wait (for the output, not for a time) until the loop is running, then send SIGTERM as systemd does.
        if (await Task.WhenAny(running.Task, p.WaitForExitAsync()) != running.Task)
        {
            Assert.Fail("the device exited before running: " + await errors);
        }

        Assert.Equal(0, Kill(p.Id, SigTerm));
        DeviceHarness.AssertExits(p);

        Assert.True(p.ExitCode == 0, await errors);
        lock (output)
        {
            Assert.Contains("stopped stopped by signal", output.ToString(), StringComparison.Ordinal);
        }

        Assert.True(File.Exists(_temp.File("device.state")));
    }

    private const int SigTerm = 15;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    /// <summary>A console that cancels the run once it has seen a given line: a deterministic "SIGTERM at step N".</summary>
    private sealed class CancelAfterLines(CancellationTokenSource cts, string marker) : StringWriter
    {
        public override Encoding Encoding => Encoding.UTF8;

        public override void WriteLine(string? value)
        {
            base.WriteLine(value);
            if (value?.StartsWith(marker, StringComparison.Ordinal) == true)
            {
                cts.Cancel();
            }
        }
    }
}
