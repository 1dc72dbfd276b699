using System.Globalization;
using EdgeRnn.DeviceHost.State;

namespace EdgeRnn.DeviceHost.Tests.Reliability;

/// <summary>Issue 13, item 8: two <c>run</c> processes on one profile would interleave one state file and one log.</summary>
public sealed class InstanceLockTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Run_ProfileLockHeld_ExitsThreeNamingThePid()
    {
        DeviceHarness.WriteCsv(_temp, rows: 20);
        string profile = DeviceHarness.Profile(_temp);
        using InstanceLock? held = InstanceLock.TryAcquire(InstanceLock.PathFor(_temp.File("device.state")), out _);
        Assert.NotNull(held);

        (int code, string stdout, string stderr) = DeviceHarness.Device("run", "--profile", profile);

        Assert.Equal(3, code);
        Assert.Equal("", stdout);
        Assert.Contains($"already running (pid {Environment.ProcessId.ToString(CultureInfo.InvariantCulture)})", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(_temp.File("events.jsonl")));
    }

    [Fact]
    public void TryAcquire_SecondHolder_RefusedUntilFirstReleases()
    {
        string path = _temp.File("x.lock");

        InstanceLock? first = InstanceLock.TryAcquire(path, out _);
        InstanceLock? second = InstanceLock.TryAcquire(path, out int holder);
        Assert.NotNull(first);
        Assert.Null(second);
        Assert.Equal(Environment.ProcessId, holder);

        first!.Dispose();
        using InstanceLock? third = InstanceLock.TryAcquire(path, out _);
        Assert.NotNull(third);
    }

    [Fact]
    public void Run_NoStateButEventLog_LocksBesideTheLog()
    {
        DeviceHarness.WriteCsv(_temp, rows: 20);
        string profile = DeviceHarness.Profile(_temp, state: null);
        using InstanceLock? held = InstanceLock.TryAcquire(InstanceLock.PathFor(_temp.File("events.jsonl")), out _);

        Assert.Equal(3, DeviceHarness.Device("run", "--profile", profile).Code);
    }
}
