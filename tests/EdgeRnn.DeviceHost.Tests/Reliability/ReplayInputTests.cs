using System.Diagnostics;
using System.IO.Pipes;
using EdgeRnn.DeviceHost.IO;
using Microsoft.Win32.SafeHandles;

namespace EdgeRnn.DeviceHost.Tests.Reliability;

/// <summary>
/// Issue 13, item 7: <c>replay</c> with a missing CSV, a misspelt column or a chip profile printed degraded rows
/// forever at 100% CPU (and with --limit, now --max-steps, exited 0); <c>replay | head -3</c> never ended. Item 11: a NaN row was
/// silently dropped (the retry read the next row) and malformed rows went unreported.
/// </summary>
public sealed class ReplayInputTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData(null)]
    [InlineData("100")]
    public void Replay_MissingCsv_ExitsTwoWithReason(string? limit)
    {
        string profile = DeviceHarness.Profile(_temp, outputs: null, state: null);
        string[] args = limit is null ? ["replay", "--profile", profile] : ["replay", "--profile", profile, "--max-steps", limit];

        (int code, string stdout, string stderr) = DeviceHarness.Device(args);

        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Contains("$.sensors[0].file:", stderr, StringComparison.Ordinal);
        Assert.Contains("does not exist", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Replay_CsvOptionMissingFile_ExitsTwo()
    {
        string profile = DeviceHarness.Profile(_temp, outputs: null, state: null);

        (int code, _, string stderr) = DeviceHarness.Device("replay", "--profile", profile, "--csv", _temp.File("nope.csv"), "--max-steps", "3");

        Assert.Equal(2, code);
        Assert.Contains("nope.csv: the replay file does not exist", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Replay_MisspeltColumn_ExitsTwoWithHintAndNoEchoedHeader()
    {
        File.WriteAllText(_temp.File("data.csv"), "timestamp,valeu,\u001b[31mred\n2014-07-01 00:00:00,70,1\n");
        string profile = DeviceHarness.Profile(_temp, outputs: null, state: null);

        (int code, _, string stderr) = DeviceHarness.Device("replay", "--profile", profile, "--max-steps", "5");

        Assert.Equal(2, code);
        Assert.Contains("no column 'value'", stderr, StringComparison.Ordinal);
        Assert.Contains("did you mean 'valeu'?", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("\u001b", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("columns: ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_MisspeltColumn_ExitsTwoAndNothingReachesTheEventLog()
    {
        File.WriteAllText(_temp.File("data.csv"), "timestamp,valeu\n2014-07-01 00:00:00,70\n");
        string profile = DeviceHarness.Profile(_temp);

        (int code, _, string stderr) = DeviceHarness.Device("run", "--profile", profile);

        Assert.Equal(2, code);
        Assert.Contains("did you mean 'valeu'?", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(_temp.File("events.jsonl")));
    }

    [Fact]
    public void Replay_ChipProfile_ExitsTwoSayingUseRun()
    {
        (int code, string stdout, string stderr) = DeviceHarness.Device("replay", "--profile", Path.Combine(RepoPaths.Devices, "pi-bme280.json"), "--max-steps", "3");

        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Contains("sensor 'env' is a bme280 chip", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Replay_OutputBrokenPipe_StopsAndExitsZero()
    {
        string profile = DeviceHarness.Profile(_temp, DeviceHarness.SyntheticSensor, outputs: null, state: null); // never ends by itself
        using var stdout = new ClosingWriter(linesBeforeClose: 3);
        using var stderr = new StringWriter();

        int code = Program.Run(["replay", "--profile", profile], stdout, stderr, Loop.DeviceEnvironment.Hardware);

        Assert.Equal(0, code);
        Assert.Contains("stopped: the reader closed the output", stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Replay_OutputDiskFull_ExitsOne()
    {
        string profile = DeviceHarness.Profile(_temp, DeviceHarness.SyntheticSensor, outputs: null, state: null);
        using var stdout = new ClosingWriter(linesBeforeClose: 3, new IOException(FailingFileSystem.NoSpace, 28));
        using var stderr = new StringWriter();

        int code = Program.Run(["replay", "--profile", profile], stdout, stderr, Loop.DeviceEnvironment.Hardware);

        Assert.Equal(1, code);
        Assert.Contains("cannot write the output after 3 steps: No space left on device", stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void StandardOutput_ReaderClosedPipe_WriteThrowsBrokenPipe()
    {
        using var server = new AnonymousPipeServerStream(PipeDirection.Out);
        server.DisposeLocalCopyOfClientHandle();
        using TextWriter writer = StandardOutput.Open(new SafeFileHandle(server.SafePipeHandle.DangerousGetHandle(), ownsHandle: false));

        // The only reader (the client end) is closed: write(2) fails with EPIPE.
        var e = Assert.ThrowsAny<IOException>(() => writer.WriteLine("step"));

        Assert.True(ErrorText.IsBrokenPipe(e), $"{e.HResult}: {e.Message}");
    }

    [Fact]
    public async Task Replay_PipedIntoHead_EndsWhenThePipeCloses()
    {
        string profile = DeviceHarness.Profile(_temp, DeviceHarness.SyntheticSensor, outputs: null, state: null);
        using Process p = DeviceHarness.Start($"{{device}} replay --profile '{profile}' | head -3");
        Task<string> errors = p.StandardError.ReadToEndAsync();
        string output = p.StandardOutput.ReadToEnd();

        DeviceHarness.AssertExits(p);

        string stderr = await errors; // the process has exited: its stderr is complete
        Assert.True(output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length == 3, output + stderr);
        Assert.True(p.ExitCode == 0, stderr); // pipefail: this is the replay's own exit code
        Assert.Contains("stopped: the reader closed the output", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Replay_NanRow_ScoredAsDegradedStepNotDropped()
    {
        string[] rows = [.. File.ReadLines(Path.Combine(RepoPaths.Devices, "data/nab/ambient_temperature_system_failure.csv")).Skip(1).Take(100)];
        rows[40] = rows[40].Split(',')[0] + ",NaN";
        File.WriteAllLines(_temp.File("data.csv"), ["timestamp,value", .. rows]);
        string profile = DeviceHarness.Profile(_temp, outputs: null, state: null);

        (int code, string stdout, string stderr) = DeviceHarness.Device("replay", "--profile", profile);

        Assert.Equal(0, code);
        string[] lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(101, lines.Length); // the header and one line per row: none skipped
        Assert.EndsWith("\t1", lines[41], StringComparison.Ordinal); // row 41 is degraded
        Assert.Contains("1 degraded steps", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Replay_MalformedRows_CountedAndWarned()
    {
        string[] rows = [.. File.ReadLines(Path.Combine(RepoPaths.Devices, "data/nab/ambient_temperature_system_failure.csv")).Skip(1).Take(50)];
        rows[10] = rows[10].Split(',')[0] + ",seventy";
        rows[20] = rows[20].Split(',')[0];
        File.WriteAllLines(_temp.File("other.csv"), ["timestamp,value", .. rows]);
        string profile = DeviceHarness.Profile(_temp, outputs: null, state: null);

        (int code, string stdout, string stderr) = DeviceHarness.Device("replay", "--profile", profile, "--csv", _temp.File("other.csv"));

        Assert.Equal(0, code);
        Assert.Equal(51, stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains("warning: ", stderr, StringComparison.Ordinal);
        Assert.Contains("2 malformed row(s)", stderr, StringComparison.Ordinal);
        Assert.Contains("line 12: 'seventy' in column value is not a number", stderr, StringComparison.Ordinal);
        Assert.Contains("line 22: 1 cell(s), the header has 2", stderr, StringComparison.Ordinal);
        Assert.Contains("2 degraded steps", stderr, StringComparison.Ordinal);
    }

    /// <summary>A stdout whose reader goes away (or whose disk fills) after a few lines.</summary>
    private sealed class ClosingWriter(int linesBeforeClose, IOException? error = null) : StringWriter
    {
        private int _lines;

        public override void WriteLine(string? value)
        {
            if (++_lines > linesBeforeClose)
            {
                throw error ?? new IOException("Broken pipe", 32);
            }

            base.WriteLine(value);
        }
    }
}
