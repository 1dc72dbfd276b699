using System.Diagnostics;
using EdgeRnn.Deployment.Metadata;
using EdgeRnn.Deployment.Scoring;

namespace EdgeRnn.DeviceHost.LiveConsole;

/// <summary>
/// What the loop publishes for the live console: the raw readings of a step, the forecast the model made for them (in
/// the features' units), the likelihood and the scorer's progress, at most every <see cref="PublishInterval"/>; plus
/// a ring of the highest likelihood of each published interval, for the chart.
/// </summary>
/// <remarks>
/// One writer (the loop thread) and any number of readers (the status server). The writer never waits: the snapshot
/// buffer is a seqlock (the writer makes the sequence odd, copies, makes it even; a reader retries when it saw an odd
/// or changed sequence), and the history ring is written slot by slot with the head published last. Per step the
/// writer does one comparison (the interval's highest likelihood) and, when due, copies a few floats: no allocation.
/// </remarks>
internal sealed class LiveReadings
{
    /// <summary>The shortest time between two published snapshots.</summary>
    public static readonly TimeSpan PublishInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>Entries in the likelihood history (at least 6.8 minutes at one entry per <see cref="PublishInterval"/>).</summary>
    public const int HistoryLength = 4096;

    private static readonly long s_intervalTicks = (long)(PublishInterval.TotalSeconds * Stopwatch.Frequency);
    private readonly EdgeRnnMetadata _metadata;
    private readonly float[] _raw;
    private readonly float[] _forecast;
    private readonly bool[] _degraded;
    private readonly float[] _pendingForecast;
    private readonly float[] _historyValue = new float[HistoryLength];
    private readonly long[] _historyTicks = new long[HistoryLength];
    private long _sequence;
    private long _lastPublish = long.MinValue / 2;
    private long _historyHead;
    private float _intervalMax;
    private bool _due;
    private bool _hasForecast;

    // Guarded by the seqlock.
    private long _steps;
    private long _scored;
    private float _likelihood;
    private float _error;
    private bool _active;
    private long _publishedAt;

    public LiveReadings(EdgeRnnMetadata metadata, int sensors)
    {
        _metadata = metadata;
        int n = metadata.Features.Count;
        _raw = new float[n];
        _forecast = new float[n];
        _pendingForecast = new float[n];
        _degraded = new bool[sensors];
    }

    /// <summary>Features per snapshot.</summary>
    public int Features => _raw.Length;

    /// <summary>
    /// Called by the loop before it scores a step, with the forecast the model made for this step (normalized): keeps
    /// a copy when a snapshot is due after the step.
    /// </summary>
    public void BeforeStep(long now, ReadOnlySpan<float> normalizedForecast, bool hasForecast)
    {
        _due = now - _lastPublish >= s_intervalTicks;
        if (_due)
        {
            _hasForecast = hasForecast;
            _metadata.Denormalize(normalizedForecast, _pendingForecast);
        }
    }

    /// <summary>Called by the loop after it scored a step: tracks the interval's highest likelihood and publishes when due.</summary>
    public void AfterStep(long now, ReadOnlySpan<float> raw, in ScoreResult score, long steps, long scored, ReadOnlySpan<bool> degraded)
    {
        if (score.Likelihood > _intervalMax || float.IsNaN(_intervalMax))
        {
            _intervalMax = score.Likelihood;
        }

        if (!_due)
        {
            return;
        }

        _due = false;
        _lastPublish = now;
        Volatile.Write(ref _sequence, _sequence + 1);
        Interlocked.MemoryBarrier();
        raw.CopyTo(_raw);
        if (_hasForecast)
        {
            _pendingForecast.CopyTo(_forecast);
        }
        else
        {
            _forecast.AsSpan().Fill(float.NaN);
        }

        degraded.CopyTo(_degraded);
        _steps = steps;
        _scored = scored;
        _likelihood = score.Likelihood;
        _error = score.Error;
        _active = score.Active;
        _publishedAt = now;
        Volatile.Write(ref _sequence, _sequence + 1);

        long head = _historyHead;
        int slot = (int)(head % HistoryLength);
        _historyValue[slot] = _intervalMax;
        _historyTicks[slot] = now;
        Volatile.Write(ref _historyHead, head + 1);
        _intervalMax = 0;
    }

    /// <summary>Copies the last published snapshot (any thread). False when nothing was published yet or the writer kept changing it.</summary>
    public bool TryRead(LiveSample into)
    {
        for (int attempt = 0; attempt < 64; attempt++)
        {
            long before = Volatile.Read(ref _sequence);
            if (before == 0)
            {
                return false;
            }

            if ((before & 1) != 0)
            {
                Thread.SpinWait(16);
                continue;
            }

            _raw.CopyTo(into.Raw, 0);
            _forecast.CopyTo(into.Forecast, 0);
            _degraded.CopyTo(into.Degraded, 0);
            into.Steps = _steps;
            into.Scored = _scored;
            into.Likelihood = _likelihood;
            into.Error = _error;
            into.Active = _active;
            into.PublishedAt = _publishedAt;
            Interlocked.MemoryBarrier();
            if (Volatile.Read(ref _sequence) == before)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The highest likelihood in each of <paramref name="columns"/> equal spans of the last <paramref name="span"/>
    /// before <paramref name="now"/> (NaN where nothing was published), oldest first.
    /// </summary>
    public double[] History(long now, TimeSpan span, int columns)
    {
        var result = new double[columns];
        result.AsSpan().Fill(double.NaN);
        long spanTicks = (long)(span.TotalSeconds * Stopwatch.Frequency);
        long start = now - spanTicks;
        long head = Volatile.Read(ref _historyHead);

        // Leave the slots the writer may be overwriting right now alone.
        long oldest = Math.Max(0, head - (HistoryLength - 64));
        for (long i = head - 1; i >= oldest; i--)
        {
            int slot = (int)(i % HistoryLength);
            long t = Volatile.Read(ref _historyTicks[slot]);
            if (t < start)
            {
                break;
            }

            int column = (int)Math.Min(columns - 1, Math.Max(0, (t - start) * columns / spanTicks));
            double v = Volatile.Read(ref _historyValue[slot]);
            if (double.IsNaN(result[column]) || v > result[column])
            {
                result[column] = v;
            }
        }

        return result;
    }
}

/// <summary>A reader's copy of <see cref="LiveReadings"/>.</summary>
internal sealed class LiveSample(int features, int sensors)
{
    public float[] Raw { get; } = new float[features];

    public float[] Forecast { get; } = new float[features];

    public bool[] Degraded { get; } = new bool[sensors];

    public long Steps { get; set; }

    public long Scored { get; set; }

    public float Likelihood { get; set; }

    public float Error { get; set; }

    public bool Active { get; set; }

    public long PublishedAt { get; set; }
}
