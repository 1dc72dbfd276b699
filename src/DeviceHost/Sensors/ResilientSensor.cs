using EdgeRnn.DeviceHost.Profiles;

namespace EdgeRnn.DeviceHost.Sensors;

/// <summary>The quality of one sample.</summary>
internal enum SampleQuality
{
    /// <summary>Fresh, plausible values.</summary>
    Good,

    /// <summary>The sensor failed or its values are implausible: the last good values (or NaN) are held.</summary>
    Degraded,

    /// <summary>A replay has no more rows.</summary>
    EndOfData,
}

/// <summary>
/// Wraps a sensor so the loop never stops for it: opens it lazily (a missing chip is retried with a growing interval
/// in steps), retries a failed read with exponential backoff, checks range and finiteness and stuck values, counts
/// every fault, and on failure holds the last good values and reports the sample as degraded.
/// </summary>
internal sealed class ResilientSensor : IDisposable
{
    private const int MaxReopenInterval = 64;
    private const int ReopenAfterFailedSamples = 3;
    private readonly SensorProfile _profile;
    private readonly Func<ISensor> _open;
    private readonly Action<TimeSpan> _sleep;
    private readonly float[] _last;
    private readonly float[] _attempt;
    private ISensor? _sensor;
    private long _step;
    private long _nextOpenStep;
    private int _reopenInterval = 1;
    private int _failedSamples;
    private int _sameCount;
    private bool _hasLast;

    /// <param name="profile">The sensor's profile.</param>
    /// <param name="open">Opens the sensor (again).</param>
    /// <param name="sleep">Sleeps between retries.</param>
    /// <param name="initial">The sensor when the caller has opened it already (replays are opened at start).</param>
    public ResilientSensor(SensorProfile profile, Func<ISensor> open, Action<TimeSpan> sleep, ISensor? initial = null)
    {
        _sensor = initial;
        _profile = profile;
        _open = open;
        _sleep = sleep;
        _last = new float[profile.Readings.Length];
        _attempt = new float[profile.Readings.Length];
        _last.AsSpan().Fill(float.NaN);
    }

    public string Id => _profile.Id;

    public int Count => _last.Length;

    public SensorCounters Counters { get; } = new();

    /// <summary>The last open or read error, for diagnostics.</summary>
    public string? LastError { get; private set; }

    /// <summary>Whether the chip is open now.</summary>
    public bool IsOpen => _sensor is not null;

    /// <summary>The time of the last sample when the sensor carries one (a replay), else NaN.</summary>
    public double LastTimestamp => _sensor is ITimestampedSensor t ? t.LastTimestamp : double.NaN;

    /// <summary>Reads one sample into <paramref name="values"/>; never throws for a sensor fault.</summary>
    public SampleQuality Read(Span<float> values)
    {
        _step++;
        Counters.Samples++;
        SampleQuality quality = ReadCore();
        if (quality == SampleQuality.Degraded)
        {
            Counters.Degraded++;
        }

        if (quality != SampleQuality.EndOfData)
        {
            _last.CopyTo(values);
        }

        return quality;
    }

    private SampleQuality ReadCore()
    {
        if (_sensor is null && !TryOpen())
        {
            return SampleQuality.Degraded;
        }

        // A replay row that is bad is a degraded step of its own: reading again would take the next row instead.
        bool reread = _sensor!.CanReread;
        int attempts = reread ? _profile.Attempts ?? 3 : 1;
        int backoff = _profile.BackoffMs ?? 2;
        for (int a = 0; a < attempts; a++)
        {
            if (a > 0)
            {
                Counters.Retries++;
                if (backoff > 0)
                {
                    _sleep(TimeSpan.FromMilliseconds(backoff << (a - 1)));
                }
            }

            try
            {
                if (!_sensor!.Read(_attempt))
                {
                    return SampleQuality.EndOfData;
                }
            }
            catch (IOException e)
            {
                Counters.IoErrors++;
                LastError = e.Message;
                continue;
            }

            if (!InRange())
            {
                Counters.OutOfRange++;
                continue;
            }

            _failedSamples = 0;
            bool same = _hasLast && _attempt.AsSpan().SequenceEqual(_last);
            _sameCount = same ? _sameCount + 1 : 0;
            _attempt.CopyTo(_last);
            _hasLast = true;
            if (_profile.StuckAfter is > 0 and var stuck && _sameCount >= stuck)
            {
                Counters.Stuck++;
                LastError = $"the same values for {_sameCount + 1} samples (stuck)";
                return SampleQuality.Degraded;
            }

            return SampleQuality.Good;
        }

        if (reread && ++_failedSamples >= ReopenAfterFailedSamples)
        {
            // A chip that keeps failing may have been reset or replugged: initialize it again.
            Close();
            _nextOpenStep = _step + 1;
        }

        return SampleQuality.Degraded;
    }

    private bool InRange()
    {
        ReadingProfile[] readings = _profile.Readings;
        for (int i = 0; i < _attempt.Length; i++)
        {
            float v = _attempt[i];
            if (!float.IsFinite(v) || (readings[i].Min is { } min && v < min) || (readings[i].Max is { } max && v > max))
            {
                LastError = $"{readings[i].Reading} = {v} is out of range";
                return false;
            }
        }

        return true;
    }

    private bool TryOpen()
    {
        if (_step < _nextOpenStep)
        {
            return false;
        }

        try
        {
            _sensor = _open();
            _reopenInterval = 1;
            _failedSamples = 0;
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or PlatformNotSupportedException)
        {
            Counters.OpenFailures++;
            LastError = e.Message;
            _nextOpenStep = _step + _reopenInterval;
            _reopenInterval = Math.Min(_reopenInterval * 2, MaxReopenInterval);
            return false;
        }
    }

    private void Close()
    {
        try
        {
            _sensor?.Dispose();
        }
        catch (IOException)
        {
            // Disposing a chip that has gone away may fail too; it is being dropped either way.
        }

        _sensor = null;
    }

    public void Dispose() => Close();
}
