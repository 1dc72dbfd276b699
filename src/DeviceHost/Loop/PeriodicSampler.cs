using System.Diagnostics;

namespace EdgeRnn.DeviceHost.Loop;

/// <summary>
/// Paces the loop at a fixed period on a monotonic clock. Deadlines are absolute (start + k * period), so jitter does
/// not accumulate. When a step ends after the next deadline, that is an overrun: it is counted, the ticks that were
/// missed are skipped (counted too), and the next sample is taken at once, keeping the original phase afterwards.
/// A zero period never waits (replay as fast as possible), but still stops when cancelled: every call checks.
/// A long wait is taken in slices of at most <see cref="MaxWaitSlice"/> (a wait handle takes at most 24.8 days, and
/// a slice re-reads the clock).
/// </summary>
internal sealed class PeriodicSampler
{
    private readonly long _periodTicks;
    private readonly Func<long> _now;
    private readonly Func<TimeSpan, bool> _wait;
    private readonly Func<bool> _cancelled;
    private long _next = -1;

    /// <summary>The longest single wait.</summary>
    public static readonly TimeSpan MaxWaitSlice = TimeSpan.FromHours(1);

    /// <param name="period">The sample period.</param>
    /// <param name="now">Monotonic time in <see cref="Stopwatch"/> ticks.</param>
    /// <param name="wait">Waits for a time span (at most <see cref="MaxWaitSlice"/>); returns false when cancelled.</param>
    /// <param name="cancelled">Whether to stop; checked at every call, also when there is nothing to wait for.</param>
    public PeriodicSampler(TimeSpan period, Func<long> now, Func<TimeSpan, bool> wait, Func<bool>? cancelled = null)
    {
        _periodTicks = (long)(period.TotalSeconds * Stopwatch.Frequency);
        _now = now;
        _wait = wait;
        _cancelled = cancelled ?? (() => false);
    }

    /// <summary>A sampler on <see cref="Stopwatch"/> that waits on the token's wait handle.</summary>
    public static PeriodicSampler Create(TimeSpan period, CancellationToken cancel) =>
        new(period, Stopwatch.GetTimestamp, span => !cancel.WaitHandle.WaitOne(span), () => cancel.IsCancellationRequested);

    /// <summary>Samples taken.</summary>
    public long Ticks { get; private set; }

    /// <summary>Times a step ended after the next deadline.</summary>
    public long Overruns { get; private set; }

    /// <summary>Deadlines skipped because of overruns.</summary>
    public long MissedTicks { get; private set; }

    /// <summary>The largest lateness seen.</summary>
    public TimeSpan MaxLateness { get; private set; }

    /// <summary>Waits until the next sample is due. Returns false when cancelled.</summary>
    public bool WaitForNext()
    {
        if (_cancelled())
        {
            return false;
        }

        long now = _now();
        if (_next < 0)
        {
            _next = now;
        }
        else if (_periodTicks > 0)
        {
            _next += _periodTicks;
            if (now > _next)
            {
                long late = now - _next;
                Overruns++;
                long missed = late / _periodTicks;
                MissedTicks += missed;
                _next += missed * _periodTicks;
                TimeSpan lateness = TimeSpan.FromSeconds((double)late / Stopwatch.Frequency);
                MaxLateness = lateness > MaxLateness ? lateness : MaxLateness;
            }
            else
            {
                // Wait handles count whole milliseconds: closer than that to the deadline is on time.
                while (_next - now >= Stopwatch.Frequency / 1000)
                {
                    TimeSpan left = TimeSpan.FromSeconds((double)(_next - now) / Stopwatch.Frequency);
                    if (!_wait(left < MaxWaitSlice ? left : MaxWaitSlice))
                    {
                        return false;
                    }

                    now = _now();
                }
            }
        }

        Ticks++;
        return true;
    }
}
