using System.Diagnostics;
using EdgeRnn.DeviceHost.Systemd;

namespace EdgeRnn.DeviceHost.Loop;

/// <summary>
/// The service's pulse for systemd, on its own timer rather than per step: <c>WATCHDOG=1</c> every
/// <see cref="SdNotify.WatchdogInterval"/> (half of <c>WATCHDOG_USEC</c>), so a profile whose sample period is longer
/// than <c>WatchdogSec</c> is not killed between samples; but only while the loop is healthy, meaning it finished a
/// step within <see cref="StallLimit"/> (two sample periods plus <see cref="StallAllowance"/>): a loop stuck in a step
/// stops the pings and systemd restarts the service. <c>STATUS=</c> (steps, last event, faults) goes with every tick.
/// </summary>
internal sealed class ServiceHeartbeat : IDisposable
{
    /// <summary>How often STATUS= is refreshed when there is no watchdog, or the watchdog is slower.</summary>
    public static readonly TimeSpan StatusInterval = TimeSpan.FromSeconds(10);

    /// <summary>What a step may take beyond two sample periods (sensor retries and backoff, a slow disk) before the loop counts as stuck.</summary>
    public static readonly TimeSpan StallAllowance = TimeSpan.FromSeconds(30);

    private readonly SdNotify _notify;
    private readonly Func<string> _status;
    private readonly Func<long> _now;
    private readonly long _stallTicks;
    private readonly Lock _tickLock = new();
    private long _lastProgress;
    private Timer? _timer;

    /// <param name="notify">Where the messages go.</param>
    /// <param name="period">The loop's sample period (zero when unpaced).</param>
    /// <param name="status">The status line (called on the timer's thread: it must read the loop's state safely).</param>
    /// <param name="now">Monotonic time in <see cref="Stopwatch"/> ticks.</param>
    public ServiceHeartbeat(SdNotify notify, TimeSpan period, Func<string> status, Func<long>? now = null)
    {
        _notify = notify;
        _status = status;
        _now = now ?? Stopwatch.GetTimestamp;
        StallLimit = (2 * period) + StallAllowance;
        _stallTicks = (long)(StallLimit.TotalSeconds * Stopwatch.Frequency);
        _lastProgress = _now();
    }

    /// <summary>How long the loop may go without finishing a step and still count as healthy.</summary>
    public TimeSpan StallLimit { get; }

    /// <summary>The timer's period: the watchdog interval, or <see cref="StatusInterval"/> if that is shorter or there is no watchdog.</summary>
    public TimeSpan Interval => _notify.WatchdogInterval is { } w && w < StatusInterval ? w : StatusInterval;

    /// <summary>WATCHDOG=1 messages sent.</summary>
    public long Pings { get; private set; }

    /// <summary>Ticks at which the loop was stuck, so no WATCHDOG=1 was sent.</summary>
    public long Withheld { get; private set; }

    /// <summary>Whether the loop finished a step within <see cref="StallLimit"/>.</summary>
    public bool Healthy => _now() - Volatile.Read(ref _lastProgress) <= _stallTicks;

    /// <summary>The loop finished a step (or started, or is waiting normally): called by the loop thread.</summary>
    public void Progress() => Volatile.Write(ref _lastProgress, _now());

    /// <summary>Starts the timer (nothing to do when not run by systemd).</summary>
    public void Start()
    {
        if (_notify.Enabled && _timer is null)
        {
            _timer = new Timer(_ => Tick(), null, Interval, Interval);
        }
    }

    /// <summary>One beat: WATCHDOG=1 if healthy, and STATUS=. The timer calls it; tests call it with a fake clock.</summary>
    public void Tick()
    {
        lock (_tickLock)
        {
            bool healthy = Healthy;
            if (healthy)
            {
                _notify.Watchdog();
                Pings++;
            }
            else
            {
                Withheld++;
            }

            string status = _status();
            _notify.Status(healthy ? status : $"STUCK: no step for {Stopwatch.GetElapsedTime(Volatile.Read(ref _lastProgress), _now()).TotalSeconds:0} s (limit {StallLimit.TotalSeconds:0} s); {status}");
        }
    }

    public void Dispose()
    {
        using var done = new ManualResetEvent(false);
        if (_timer is { } timer && timer.Dispose(done))
        {
            done.WaitOne(); // no tick after this returns: the notify socket is disposed next
        }

        _timer = null;
    }
}
