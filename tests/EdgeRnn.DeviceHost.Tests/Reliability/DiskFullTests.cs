using System.Text.Json;
using System.Text.RegularExpressions;
using EdgeRnn.DeviceHost.Loop;

namespace EdgeRnn.DeviceHost.Tests.Reliability;

/// <summary>Issue 13, item 1: a full disk under the event log or the state file is a counted fault, not the end of the loop.</summary>
public sealed class DiskFullTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Run_EventLogDiskFull_CountsFaultKeepsRunningAndResumesWithValidLines()
    {
        DeviceHarness.WriteCsv(_temp);
        string profile = DeviceHarness.Profile(_temp);
        var files = new FailingFileSystem { FailLogWrite = n => n is 0 or 1 }; // "started" and the fault event hit a full disk

        (int code, string stdout, string stderr) = DeviceHarness.Device(new DeviceEnvironment { Files = files }, "run", "--profile", profile);

        Assert.True(code == 0, stderr);
        Assert.Contains("fault event log", stdout, StringComparison.Ordinal);
        Assert.Contains(FailingFileSystem.NoSpace, stdout, StringComparison.Ordinal);
        Assert.Contains("end of the replay data: 400 steps", stdout, StringComparison.Ordinal);
        Assert.Matches(new Regex(@"\b2 output faults"), stdout);
        Assert.Contains("fault_cleared event log", stdout, StringComparison.Ordinal);

        // Writing resumed: the half line the full disk left was cut off, and every line is JSON.
        string[] lines = File.ReadAllLines(_temp.File("events.jsonl"));
        Assert.All(lines, l => JsonDocument.Parse(l).Dispose());
        Assert.Contains(lines, l => l.Contains("\"event\":\"log_repaired\"", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("\"event\":\"stopped\"", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("\"event\":\"fault_cleared\"", StringComparison.Ordinal));
    }

    [Fact]
    public void Run_EventLogCannotOpenAtStart_RunsWithLogAsDegradedOutput()
    {
        DeviceHarness.WriteCsv(_temp);
        string profile = DeviceHarness.Profile(_temp);
        var files = new FailingFileSystem { FailLogOpen = _ => true };

        (int code, string stdout, _) = DeviceHarness.Device(new DeviceEnvironment { Files = files }, "run", "--profile", profile, "--max-steps", "20");

        Assert.Equal(0, code);
        Assert.Contains("fault event log", stdout, StringComparison.Ordinal);
        Assert.Contains("--max-steps 20 done: 20 steps", stdout, StringComparison.Ordinal);
        Assert.True(files.LogOpens > 1); // tried again at later events
    }

    [Fact]
    public void Run_StateSaveDiskFull_CountsFaultRetriesAtNextSaveAndSaves()
    {
        DeviceHarness.WriteCsv(_temp);
        string profile = DeviceHarness.Profile(_temp);
        var files = new FailingFileSystem { FailSave = n => n < 2 }; // the saves at steps 50 and 100 fail

        (int code, string stdout, _) = DeviceHarness.Device(new DeviceEnvironment { Files = files }, "run", "--profile", profile, "--max-steps", "150");

        Assert.Equal(0, code);
        Assert.Contains("fault state", stdout, StringComparison.Ordinal);
        Assert.Contains("cannot save: " + FailingFileSystem.NoSpace, stdout, StringComparison.Ordinal);
        Assert.Contains("saved again after 2 failed save(s)", stdout, StringComparison.Ordinal);
        Assert.Contains("2 failed state saves", stdout, StringComparison.Ordinal);
        Assert.Equal(4, files.Saves); // 50, 100 (failed), 150, and the final save

        // Only one fault event for the two failures: the fault is reported when it starts, counted every time.
        Assert.Single(Regex.Matches(stdout, @" fault state "));
        (_, string again, _) = DeviceHarness.Device("run", "--profile", profile, "--max-steps", "1");
        Assert.Contains("150 model steps", again, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_FinalSaveFails_ExitsZeroAndSaysSo()
    {
        DeviceHarness.WriteCsv(_temp);
        string profile = DeviceHarness.Profile(_temp);
        var files = new FailingFileSystem { FailSave = _ => true };

        (int code, string stdout, _) = DeviceHarness.Device(new DeviceEnvironment { Files = files }, "run", "--profile", profile, "--max-steps", "10");

        Assert.Equal(0, code);
        Assert.Contains("(the final save failed too)", stdout, StringComparison.Ordinal);
        Assert.False(File.Exists(_temp.File("device.state")));
    }
}
