using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using EdgeRnn.DeviceHost.Loop;
using EdgeRnn.DeviceHost.Systemd;

namespace EdgeRnn.DeviceHost.Tests.Reliability;

/// <summary>
/// Issue 13, item 5: WATCHDOG=1 went out once per step, so a profile whose period is above WatchdogSec was killed.
/// Now a timer sends it every half WATCHDOG_USEC while the loop makes progress, with STATUS= beside it.
/// </summary>
public sealed class WatchdogTests : IDisposable
{
    private readonly TempFolder _temp = new();
    private readonly Socket _server = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    private readonly string _socket;

    public WatchdogTests()
    {
        _socket = _temp.File("notify.sock");
        _server.Bind(new UnixDomainSocketEndPoint(_socket));
        _server.ReceiveTimeout = 5000;
    }

    public void Dispose()
    {
        _server.Dispose();
        _temp.Dispose();
    }

    private List<string> Received()
    {
        var messages = new List<string>();
        var buffer = new byte[2048];
        while (_server.Available > 0)
        {
            messages.Add(Encoding.UTF8.GetString(buffer, 0, _server.Receive(buffer)));
        }

        return messages;
    }

    [Fact]
    public void Tick_PeriodLongerThanWatchdog_PingsBetweenSamples()
    {
        long now = 0;
        long second = Stopwatch.Frequency;
        using var notify = new SdNotify(_socket, "60000000"); // WatchdogSec=60
        using var heartbeat = new ServiceHeartbeat(notify, TimeSpan.FromMinutes(10), () => "profile p: 1 steps", () => now);

        // A 10-minute sample period: the loop sleeps between samples, the timer pings every 30 s all the same.
        var messages = new List<string>();
        for (int t = 30; t < 600; t += 30)
        {
            now = t * second;
            heartbeat.Tick();
            messages.AddRange(Received());
        }

        Assert.Equal(TimeSpan.FromSeconds(30), notify.WatchdogInterval);
        Assert.Equal(TimeSpan.FromSeconds(10), heartbeat.Interval);
        Assert.Equal(19, heartbeat.Pings);
        Assert.Equal(19, messages.Count(m => m == "WATCHDOG=1"));
        Assert.Equal(19, messages.Count(m => m == "STATUS=profile p: 1 steps"));
    }

    [Fact]
    public void Tick_LoopStuck_WithholdsWatchdogAndSaysStuck()
    {
        long now = 0;
        long second = Stopwatch.Frequency;
        using var notify = new SdNotify(_socket, "10000000");
        using var heartbeat = new ServiceHeartbeat(notify, TimeSpan.FromSeconds(1), () => "status", () => now);
        Assert.Equal(TimeSpan.FromSeconds(32), heartbeat.StallLimit); // two periods + 30 s

        now = 5 * second;
        heartbeat.Progress();
        now = 30 * second;
        heartbeat.Tick();                       // 25 s since the last step: healthy
        now = 40 * second;
        heartbeat.Tick();                       // 35 s: stuck
        now = 41 * second;
        heartbeat.Progress();
        heartbeat.Tick();                       // a step again: healthy

        Assert.Equal(2, heartbeat.Pings);
        Assert.Equal(1, heartbeat.Withheld);
        List<string> messages = Received();
        Assert.Equal(["WATCHDOG=1", "STATUS=status", "STATUS=STUCK: no step for 35 s (limit 32 s); status", "WATCHDOG=1", "STATUS=status"], messages);
    }

    [Fact]
    public void SdNotify_NobodyReadsTheSocket_DropsInsteadOfBlocking()
    {
        using var notify = new SdNotify(_socket, "10000000");

        // Far more datagrams than a unix socket queues: a blocking send would hang here (and hang the loop with it).
        for (int i = 0; i < 5000; i++)
        {
            notify.Watchdog();
        }

        Assert.NotEmpty(Received());
    }

    [Fact]
    public void SdNotify_WatchdogPidOfAnotherProcess_NoWatchdog()
    {
        using var notify = new SdNotify(_socket, "10000000", "1");

        Assert.Null(notify.WatchdogInterval);
        notify.Watchdog();
        notify.Status("line\nWATCHDOG=1");

        Assert.Equal(["STATUS=line\\u000AWATCHDOG=1"], Received()); // a newline in a status cannot forge a field
    }

    [Fact]
    public void Run_UnderSystemd_SendsReadyStatusAndStopping()
    {
        DeviceHarness.WriteCsv(_temp, rows: 30);
        string profile = DeviceHarness.Profile(_temp);
        var environment = new DeviceEnvironment { Notify = () => new SdNotify(_socket, "60000000") };

        (int code, _, _) = DeviceHarness.Device(environment, "run", "--profile", profile);

        Assert.Equal(0, code);
        List<string> messages = Received();
        Assert.Equal("READY=1\nSTATUS=running profile test", messages[0]);
        Assert.Equal("STOPPING=1", messages[^1]);
    }
}
