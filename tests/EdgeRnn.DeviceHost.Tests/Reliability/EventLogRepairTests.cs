using System.Diagnostics;
using System.Text;
using System.Text.Json;
using EdgeRnn.DeviceHost.IO;
using EdgeRnn.DeviceHost.Outputs;

namespace EdgeRnn.DeviceHost.Tests.Reliability;

/// <summary>
/// Issue 13, item 9: a power cut leaves half a line at the end of the event log; appending after it glued the next
/// event to it. Item 10: a save killed between write and rename leaves a temporary file beside the state, forever.
/// </summary>
public sealed class EventLogRepairTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("", "", 0)]
    [InlineData("{\"a\":1}\n", "{\"a\":1}\n", 0)]
    [InlineData("{\"a\":1}\n{\"b\":", "{\"a\":1}\n", 5)]
    [InlineData("{\"b\":", "", 5)]
    public void RepairPartialLine_CutsBackToLastNewline(string content, string expected, long dropped)
    {
        using var stream = new MemoryStream();
        stream.Write(Encoding.UTF8.GetBytes(content));

        Assert.Equal(dropped, JsonlEventLog.RepairPartialLine(stream));
        Assert.Equal(expected, Encoding.UTF8.GetString(stream.ToArray()));
    }

    [Fact]
    public void RepairPartialLine_LineLongerThanReadBuffer_FindsNewlineFurtherBack()
    {
        using var stream = new MemoryStream();
        stream.Write(Encoding.UTF8.GetBytes("{\"a\":1}\n" + new string('x', 10000)));

        Assert.Equal(10000, JsonlEventLog.RepairPartialLine(stream));
        Assert.Equal(8, stream.Length);
    }

    [Fact]
    public void Run_LogEndsInPartialLine_RepairedBeforeAppending()
    {
        DeviceHarness.WriteCsv(_temp, rows: 20);
        string profile = DeviceHarness.Profile(_temp);
        File.WriteAllText(_temp.File("events.jsonl"), "{\"time\":\"2026-01-01T00:00:00Z\",\"event\":\"started\",\"step\":0}\n{\"time\":\"2026-01-01T00:00:01Z\",\"ev");

        Assert.Equal(0, DeviceHarness.Device("run", "--profile", profile).Code);

        string[] lines = File.ReadAllLines(_temp.File("events.jsonl"));
        Assert.All(lines, l => JsonDocument.Parse(l).Dispose());
        Assert.Contains("removed a partial last line of 34 bytes", lines[1], StringComparison.Ordinal);
        Assert.Contains("\"event\":\"started\"", lines[2], StringComparison.Ordinal);
    }

    [Fact]
    public void OnEvent_FsyncPolicy_ImportantEventsAtOnceRoutineOnesAtMostEverySecond()
    {
        long now = 0;
        long second = Stopwatch.Frequency;
        using var log = new JsonlEventLog(DeviceFileSystem.Real, _temp.File("e.jsonl"), 1 << 20, 2, () => now);
        var time = DateTimeOffset.UnixEpoch;

        log.OnEvent(new DeviceEvent(DeviceEventKind.SensorDegraded, 1, time, Detail: "s"));  // first: synced
        log.OnEvent(new DeviceEvent(DeviceEventKind.SensorRecovered, 2, time, Detail: "s")); // within the second: not yet
        log.OnEvent(new DeviceEvent(DeviceEventKind.AnomalyStarted, 3, time, 0.99f));       // important: synced
        now = second / 2;
        log.OnEvent(new DeviceEvent(DeviceEventKind.SensorDegraded, 4, time, Detail: "s"));  // not yet
        now = 2 * second;
        log.OnEvent(new DeviceEvent(DeviceEventKind.SensorRecovered, 5, time, Detail: "s")); // a second since: synced
        now += second / 10;
        log.OnEvent(new DeviceEvent(DeviceEventKind.SensorDegraded, 6, time, Detail: "s"));  // not yet

        Assert.Equal(3, log.Syncs);
        log.Dispose();
        Assert.Equal(4, log.Syncs); // what was left unsynced is synced at the end
    }

    [Fact]
    public void Run_OrphanedTemporaryStateFiles_RemovedAtStartWithWarning()
    {
        DeviceHarness.WriteCsv(_temp, rows: 20);
        string profile = DeviceHarness.Profile(_temp);
        string orphan = _temp.File($".device.state.{Guid.NewGuid():N}.tmp");
        string notOurs = _temp.File(".device.state.notes.tmp");
        File.WriteAllText(orphan, "half a state");
        File.WriteAllText(notOurs, "someone else's");

        (int code, string stdout, _) = DeviceHarness.Device("run", "--profile", profile);

        Assert.Equal(0, code);
        Assert.False(File.Exists(orphan));
        Assert.True(File.Exists(notOurs));
        Assert.Contains("warning removed 1 temporary state file(s)", stdout, StringComparison.Ordinal);
        Assert.Equal([notOurs], Directory.GetFiles(_temp.Path, ".device.state.*.tmp"));
    }
}
