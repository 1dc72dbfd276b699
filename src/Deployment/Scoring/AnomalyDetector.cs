using System.Buffers.Binary;
using EdgeRnn.Deployment.Metadata;
using EdgeRnn.Runtime.Hashing;

namespace EdgeRnn.Deployment.Scoring;

/// <summary>How an anomaly decision changed at a step.</summary>
public enum DecisionChange
{
    /// <summary>No change.</summary>
    None,

    /// <summary>An anomaly started at this step.</summary>
    Started,

    /// <summary>An anomaly ended at this step.</summary>
    Ended,
}

/// <summary>The result of scoring one step.</summary>
/// <param name="Error">The raw error of the step (mean absolute forecast error in normalized units, or the given error).</param>
/// <param name="Likelihood">The anomaly likelihood in [0, 1] (0 during warm-up).</param>
/// <param name="Active">Whether an anomaly is active after this step.</param>
/// <param name="Change">Whether this step started or ended one.</param>
/// <param name="AnomalyScore">
/// The likelihood with repeats masked (<see cref="ScorerSettings.MaskSteps"/>): after a score at or above
/// <see cref="ScorerSettings.MaskLevel"/>, the next steps report 0 unless they rise more than
/// <see cref="ScorerSettings.MaskRise"/> above the highest score reported since, so one event reports one rising edge,
/// or a few for a score that climbs far (what NAB's results files record).
/// Equal to <paramref name="Likelihood"/> when masking is off.
/// </param>
public readonly record struct ScoreResult(float Error, float Likelihood, bool Active, DecisionChange Change, float AnomalyScore);

/// <summary>
/// Turns model errors into an anomaly likelihood and a decision, the same way on the desktop (calibration) and on
/// the device. Allocation-free per step; its state saves to a fixed-size, checksummed block.
/// </summary>
/// <remarks>
/// <para>Forecast models: <see cref="Observe"/> compares the reading at step t with the forecast the model made at
/// t - 1 (<see cref="SetForecast"/>): error e_t = mean_i |forecast_i - actual_i| in normalized units.
/// Autoencoders pass a window's reconstruction error to <see cref="ObserveError"/>.</para>
/// <para>Likelihood (after NAB's anomaly likelihood): a short exponential moving average s_t of the errors (span
/// <see cref="ScorerSettings.ShortWindow"/>) is compared with the long-term mean m and variance v of s (exponential,
/// span <see cref="ScorerSettings.LongWindow"/>, updated after scoring, so a step is judged against the past only):
/// likelihood = Φ((s_t - m) / sqrt(v)), Φ the standard normal CDF. During the first
/// <see cref="ScorerSettings.WarmupSteps"/> steps the statistics learn and the likelihood is 0.</para>
/// <para>Log-tail method (<see cref="ScorerSettings.LogTailMethod"/>, after NAB's anomaly likelihood): s_t is the plain
/// mean of the last <see cref="ScorerSettings.ShortWindow"/> errors; with z = (s_t - m) / σ (σ floored at
/// max(1e-3, 0.02 m) so a signal the model forecasts perfectly does not turn rounding noise into alarms) and Q(z) the
/// normal upper tail, likelihood = min(1, -log10(Q) / 12): 0.5 at Q = 1e-6, 1 at Q = 1e-12, so the scale keeps its
/// resolution where alarms are decided. With <see cref="ScorerSettings.SpatialTolerance"/> &gt; 0, a reading beyond the
/// range of the readings seen so far by more than that fraction of the range scores 1.</para>
/// <para>Decision: an anomaly starts after <see cref="ScorerSettings.MinDuration"/> consecutive steps with likelihood
/// &gt;= <see cref="ScorerSettings.Threshold"/> and ends at the first step below <see cref="ScorerSettings.ExitThreshold"/>.</para>
/// </remarks>
public sealed class AnomalyDetector
{
    private const int Version = 1;
    private const int LogTailVersion = 2;
    private const double LogTailDecades = 12;
    private const int HeaderLength = 4 + 2 + 2 + 4 + 8 + (3 * 8) + 4 + 4 + 4;
    private static ReadOnlySpan<byte> Magic => "ERSC"u8;

    private readonly double _alphaLong;
    private readonly double _alphaShort;
    private readonly float[] _forecast;
    private bool _hasForecast;
    private long _steps;
    private double _short;
    private double _mean;
    private double _variance;
    private bool _active;
    private int _run;

    // Log-tail method: the last ShortWindow errors (a ring) and their sum, and the range of readings seen.
    private readonly double[] _recent;
    private readonly float[] _low;
    private readonly float[] _high;
    private double _recentSum;
    private int _maskLeft;
    private float _maskPeak;

    // Log-tail method, slow scale: an exponential average of the errors and its own long-term statistics.
    private readonly double _alphaSlow;
    private double _slow;
    private double _slowMean;
    private double _slowVariance;

    /// <summary>Creates a detector for models with <paramref name="features"/> forecast features (0 for autoencoders).</summary>
    public AnomalyDetector(ScorerSettings settings, int features)
        : this(settings, features, features)
    {
    }

    /// <summary>
    /// Creates a detector for models with <paramref name="features"/> forecast features of which the first
    /// <paramref name="scoredFeatures"/> are judged (the rest are clock features: inputs, see <see cref="TimeFeatures"/>).
    /// </summary>
    public AnomalyDetector(ScorerSettings settings, int features, int scoredFeatures)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentOutOfRangeException.ThrowIfNegative(features);
        ArgumentOutOfRangeException.ThrowIfNegative(scoredFeatures);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(scoredFeatures, features);
        ScoredFeatures = scoredFeatures;
        settings.Validate("scorer settings");
        Settings = settings;
        _alphaLong = 2.0 / (settings.LongWindow + 1);
        _alphaShort = 2.0 / (settings.ShortWindow + 1);
        _alphaSlow = settings.SlowWindow > 0 ? 2.0 / (settings.SlowWindow + 1) : 0;
        _forecast = new float[features];
        bool logTail = settings.IsLogTail;
        _recent = new double[logTail ? settings.ShortWindow : 0];
        _low = new float[logTail ? features : 0];
        _high = new float[logTail ? features : 0];
    }

    /// <summary>The settings.</summary>
    public ScorerSettings Settings { get; }

    /// <summary>The number of forecast features (0 for autoencoders).</summary>
    public int Features => _forecast.Length;

    /// <summary>The leading features whose forecast error is scored.</summary>
    public int ScoredFeatures { get; }

    /// <summary>Steps scored since the last reset.</summary>
    public long Steps => _steps;

    /// <summary>Whether an anomaly is active.</summary>
    public bool Active => _active;

    /// <summary>The bytes <see cref="WriteTo"/> writes.</summary>
    public int SerializedLength => HeaderLength + (4 * _forecast.Length) + (Settings.IsLogTail ? 40 + (8 * _recent.Length) + (8 * _low.Length) : 0) + 32;

    /// <summary>Forgets all statistics, the pending forecast and any active anomaly.</summary>
    public void Reset()
    {
        _hasForecast = false;
        _steps = 0;
        _short = _mean = _variance = 0;
        _active = false;
        _run = 0;
        Array.Clear(_recent);
        _recentSum = 0;
        _maskLeft = 0;
        _maskPeak = 0;
        _slow = _slowMean = _slowVariance = 0;
    }

    /// <summary>Stores the model's forecast of the next reading (normalized units), used by the next <see cref="Observe"/>.</summary>
    public void SetForecast(ReadOnlySpan<float> forecast)
    {
        if (forecast.Length != _forecast.Length)
        {
            throw new ArgumentException($"Expected a forecast of {_forecast.Length} features, got {forecast.Length}.", nameof(forecast));
        }

        forecast.CopyTo(_forecast);
        _hasForecast = true;
    }

    /// <summary>Scores a reading (normalized units) against the last forecast; without one yet, scores nothing.</summary>
    public ScoreResult Observe(ReadOnlySpan<float> actual)
    {
        if (actual.Length != _forecast.Length)
        {
            throw new ArgumentException($"Expected {_forecast.Length} features, got {actual.Length}.", nameof(actual));
        }

        if (!_hasForecast)
        {
            return new ScoreResult(0, 0, _active, DecisionChange.None, 0);
        }

        ReadOnlySpan<float> scored = actual[..ScoredFeatures];
        double sum = 0;
        for (int i = 0; i < scored.Length; i++)
        {
            sum += Math.Abs(_forecast[i] - scored[i]);
        }

        bool outOfRange = Settings.IsLogTail && Settings.SpatialTolerance > 0 && OutsideSeenRange(scored);
        return Score(scored.Length == 0 ? 0 : sum / scored.Length, outOfRange);
    }

    /// <summary>
    /// Whether a reading is beyond the range seen so far by more than <see cref="ScorerSettings.SpatialTolerance"/> of
    /// it (only once the range is known: after the warm-up); then widens the range to include it.
    /// </summary>
    private bool OutsideSeenRange(ReadOnlySpan<float> actual)
    {
        bool outside = false;
        for (int i = 0; i < actual.Length; i++)
        {
            float x = actual[i];
            if (!float.IsFinite(x))
            {
                continue;
            }

            if (_steps == 0)
            {
                _low[i] = _high[i] = x;
                continue;
            }

            float margin = (float)Settings.SpatialTolerance * (_high[i] - _low[i]);
            if (_steps >= Settings.WarmupSteps && _high[i] > _low[i] && (x > _high[i] + margin || x < _low[i] - margin))
            {
                outside = true;
            }

            _low[i] = Math.Min(_low[i], x);
            _high[i] = Math.Max(_high[i], x);
        }

        return outside;
    }

    /// <summary>Scores one error value (e.g. a window's reconstruction error).</summary>
    public ScoreResult ObserveError(double error) => Score(error, outOfRange: false);

    private ScoreResult Score(double error, bool outOfRange)
    {
        if (!double.IsFinite(error))
        {
            // A non-finite error (a NaN reading that slipped through) must not poison the statistics forever.
            error = _steps == 0 ? 0 : _mean;
        }

        // An error beyond MaxError (a reading of 1e30 from a failing sensor, or a forecast restored from a crafted state)
        // is as anomalous as one at it; unclamped it would push the statistics past what a saved state may hold, and
        // the next start would discard the state (fuzz campaign, state case 9766).
        error = Math.Clamp(error, -MaxError, MaxError);

        float likelihood = 0;
        if (Settings.IsLogTail)
        {
            int slot = (int)(_steps % _recent.Length);
            _recentSum += error - _recent[slot];
            _recent[slot] = error;
            _short = _recentSum / Math.Min(_steps + 1, _recent.Length);
            _slow = _steps == 0 ? error : _slow + (_alphaSlow * (error - _slow));
            if (_steps >= Settings.WarmupSteps && _steps > 0)
            {
                double score = LogTailScore(_short, _mean, _variance);
                if (_alphaSlow > 0)
                {
                    score = Math.Max(score, LogTailScore(_slow, _slowMean, _slowVariance));
                }

                likelihood = outOfRange ? 1f : (float)score;
            }

            if (_alphaSlow > 0)
            {
                UpdateStatistics(_slow, ref _slowMean, ref _slowVariance);
            }
        }
        else
        {
            _short = _steps == 0 ? error : _short + (_alphaShort * (error - _short));
            if (_steps >= Settings.WarmupSteps && _steps > 0)
            {
                double std = Math.Sqrt(Math.Max(_variance, 1e-12));
                likelihood = (float)NormalCdf((_short - _mean) / std);
            }
        }

        UpdateStatistics(_short, ref _mean, ref _variance);
        _steps++;
        DecisionChange change = DecisionChange.None;
        if (!_active)
        {
            _run = likelihood >= Settings.Threshold ? _run + 1 : 0;
            if (_run >= Settings.MinDuration)
            {
                _active = true;
                change = DecisionChange.Started;
            }
        }
        else if (likelihood < Settings.ExitThreshold)
        {
            _active = false;
            _run = 0;
            change = DecisionChange.Ended;
        }

        return new ScoreResult((float)error, likelihood, _active, change, Mask(likelihood));
    }

    /// <summary>Folds <paramref name="value"/> into an exponential mean and variance of span LongWindow (after scoring it).</summary>
    private void UpdateStatistics(double value, ref double mean, ref double variance)
    {
        if (_steps == 0)
        {
            mean = value;
            return;
        }

        double delta = value - mean;
        mean += _alphaLong * delta;
        variance = (1 - _alphaLong) * (variance + (_alphaLong * delta * delta));
    }

    /// <summary>min(1, -log10 Q(z) / 12) for z = (value - mean) / σ, σ floored so rounding noise on a perfect forecast is not news.</summary>
    private static double LogTailScore(double value, double mean, double variance)
    {
        double std = Math.Max(Math.Sqrt(variance), Math.Max(1e-3, 0.02 * Math.Abs(mean)));
        return Math.Min(1, -Log10UpperTail((value - mean) / std) / LogTailDecades);
    }

    private float Mask(float likelihood)
    {
        if (Settings.MaskSteps == 0)
        {
            return likelihood;
        }

        if (_maskLeft > 0)
        {
            _maskLeft--;
            if (likelihood <= _maskPeak + Settings.MaskRise)
            {
                return 0;
            }

            _maskPeak = likelihood;
            return likelihood;
        }

        if (likelihood >= Settings.MaskLevel)
        {
            _maskLeft = Settings.MaskSteps;
            _maskPeak = likelihood;
        }

        return likelihood;
    }

    /// <summary>Writes the state (statistics, decision, pending forecast) with a version and a SHA-256 checksum.</summary>
    public void WriteTo(Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, SerializedLength, nameof(destination));
        Span<byte> d = destination[..SerializedLength];
        Magic.CopyTo(d);
        BinaryPrimitives.WriteUInt16LittleEndian(d[4..], Version);
        BinaryPrimitives.WriteUInt16LittleEndian(d[6..], (ushort)((_active ? 1 : 0) | (_hasForecast ? 2 : 0)));
        BinaryPrimitives.WriteInt32LittleEndian(d[8..], _forecast.Length);
        BinaryPrimitives.WriteInt64LittleEndian(d[12..], _steps);
        BinaryPrimitives.WriteDoubleLittleEndian(d[20..], _short);
        BinaryPrimitives.WriteDoubleLittleEndian(d[28..], _mean);
        BinaryPrimitives.WriteDoubleLittleEndian(d[36..], _variance);
        BinaryPrimitives.WriteInt32LittleEndian(d[44..], _run);
        BinaryPrimitives.WriteInt32LittleEndian(d[48..], Settings.LongWindow);
        BinaryPrimitives.WriteInt32LittleEndian(d[52..], Settings.ShortWindow);
        int at = HeaderLength;
        foreach (float f in _forecast)
        {
            BinaryPrimitives.WriteSingleLittleEndian(d[at..], f);
            at += 4;
        }

        if (Settings.IsLogTail)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(d[4..], LogTailVersion);
            BinaryPrimitives.WriteDoubleLittleEndian(d[at..], _recentSum);
            BinaryPrimitives.WriteInt32LittleEndian(d[(at + 8)..], _maskLeft);
            BinaryPrimitives.WriteSingleLittleEndian(d[(at + 12)..], _maskPeak);
            BinaryPrimitives.WriteDoubleLittleEndian(d[(at + 16)..], _slow);
            BinaryPrimitives.WriteDoubleLittleEndian(d[(at + 24)..], _slowMean);
            BinaryPrimitives.WriteDoubleLittleEndian(d[(at + 32)..], _slowVariance);
            at += 40;
            foreach (double e in _recent)
            {
                BinaryPrimitives.WriteDoubleLittleEndian(d[at..], e);
                at += 8;
            }

            for (int i = 0; i < _low.Length; i++, at += 8)
            {
                BinaryPrimitives.WriteSingleLittleEndian(d[at..], _low[i]);
                BinaryPrimitives.WriteSingleLittleEndian(d[(at + 4)..], _high[i]);
            }
        }

        Sha256.HashData(d[..at], d[at..]);
    }

    /// <summary>Restores state written by <see cref="WriteTo"/>; on any error the detector is unchanged.</summary>
    /// <exception cref="InvalidDataException">Truncated, corrupt, another version, another feature count or window setting, or a value that is not finite.</exception>
    public void ReadFrom(ReadOnlySpan<byte> source)
    {
        if (source.Length != SerializedLength || !source[..4].SequenceEqual(Magic))
        {
            throw new InvalidDataException($"The scorer state is not {SerializedLength} bytes of an EdgeRnn scorer state.");
        }

        Span<byte> checksum = stackalloc byte[32];
        Sha256.HashData(source[..^32], checksum);
        if (!checksum.SequenceEqual(source[^32..]))
        {
            throw new InvalidDataException("The scorer state's checksum does not match: the data is corrupt.");
        }

        if (BinaryPrimitives.ReadUInt16LittleEndian(source[4..]) != (Settings.IsLogTail ? LogTailVersion : Version)
            || BinaryPrimitives.ReadInt32LittleEndian(source[8..]) != _forecast.Length
            || BinaryPrimitives.ReadInt32LittleEndian(source[48..]) != Settings.LongWindow
            || BinaryPrimitives.ReadInt32LittleEndian(source[52..]) != Settings.ShortWindow)
        {
            throw new InvalidDataException("The scorer state was written by another version or for other scorer settings.");
        }

        if (FindInvalidValue(source) is { } invalid)
        {
            throw new InvalidDataException($"The scorer state holds {invalid}: a NaN, an infinity or a value that overflows to one would poison every later score.");
        }

        ushort flags = BinaryPrimitives.ReadUInt16LittleEndian(source[6..]);
        _active = (flags & 1) != 0;
        _hasForecast = (flags & 2) != 0;
        _steps = BinaryPrimitives.ReadInt64LittleEndian(source[12..]);
        _short = BinaryPrimitives.ReadDoubleLittleEndian(source[20..]);
        _mean = BinaryPrimitives.ReadDoubleLittleEndian(source[28..]);
        _variance = BinaryPrimitives.ReadDoubleLittleEndian(source[36..]);
        _run = BinaryPrimitives.ReadInt32LittleEndian(source[44..]);
        int at = HeaderLength;
        for (int i = 0; i < _forecast.Length; i++, at += 4)
        {
            _forecast[i] = BinaryPrimitives.ReadSingleLittleEndian(source[at..]);
        }

        if (Settings.IsLogTail)
        {
            _recentSum = BinaryPrimitives.ReadDoubleLittleEndian(source[at..]);
            _maskLeft = BinaryPrimitives.ReadInt32LittleEndian(source[(at + 8)..]);
            _maskPeak = BinaryPrimitives.ReadSingleLittleEndian(source[(at + 12)..]);
            _slow = BinaryPrimitives.ReadDoubleLittleEndian(source[(at + 16)..]);
            _slowMean = BinaryPrimitives.ReadDoubleLittleEndian(source[(at + 24)..]);
            _slowVariance = BinaryPrimitives.ReadDoubleLittleEndian(source[(at + 32)..]);
            at += 40;
            double sum = 0, magnitude = 0;
            for (int i = 0; i < _recent.Length; i++, at += 8)
            {
                _recent[i] = BinaryPrimitives.ReadDoubleLittleEndian(source[at..]);
                sum += _recent[i];
                magnitude += Math.Abs(_recent[i]);
            }

            // The running sum is kept by adding and subtracting, so it drifts from the recent errors by rounding only; a
            // saved sum further off than that (a crafted file) is replaced by the sum itself rather than trusted.
            if (Math.Abs(_recentSum - sum) > (1e-6 * magnitude) + 1e-12)
            {
                _recentSum = sum;
            }

            for (int i = 0; i < _low.Length; i++, at += 8)
            {
                _low[i] = BinaryPrimitives.ReadSingleLittleEndian(source[at..]);
                _high[i] = BinaryPrimitives.ReadSingleLittleEndian(source[(at + 4)..]);
            }
        }
    }

    /// <summary>
    /// What in a state written by <see cref="WriteTo"/> for these settings is not a value the detector can hold (a NaN
    /// or infinity, a negative count or variance), as a phrase; null when everything is.
    /// </summary>
    /// <summary>
    /// The largest magnitude a saved mean or sum may have (a variance: the square of twice it); NaN fails the test too.
    /// Errors are clamped to <see cref="MaxError"/>, so statistics the detector computes from them stay far inside; and
    /// restored values inside these limits stay inside after any number of updates (a mean is a convex combination; a
    /// variance update is (1 - a)(v + a d^2) with |d| at most twice the limit).
    /// </summary>
    private const double MaxStatistic = 1e15;

    /// <summary>The largest error magnitude scored; beyond it every error is equally anomalous.</summary>
    internal const double MaxError = 1e6;

    /// <summary>
    /// What in a state written by <see cref="WriteTo"/> for these settings is not a value the detector can hold (a NaN
    /// or infinity, a negative count or variance), as a phrase; null when everything is.
    /// </summary>
    private string? FindInvalidValue(ReadOnlySpan<byte> source)
    {
        // Statistics of errors in normalized units: anything near float's range is corrupt, and one more update of such
        // a value (a square, a sum) would overflow to infinity and poison the next save.
        static bool Finite(ReadOnlySpan<byte> s, int at) => Math.Abs(BinaryPrimitives.ReadDoubleLittleEndian(s[at..])) <= MaxStatistic;
        static bool Variance(ReadOnlySpan<byte> s, int at) => BinaryPrimitives.ReadDoubleLittleEndian(s[at..]) is double v && v >= 0 && v <= 4 * MaxStatistic * MaxStatistic;

        if (BinaryPrimitives.ReadInt64LittleEndian(source[12..]) < 0 || BinaryPrimitives.ReadInt32LittleEndian(source[44..]) < 0)
        {
            return "a negative step or run count";
        }

        if (!Finite(source, 20) || !Finite(source, 28) || !Variance(source, 36))
        {
            return "a statistic that is not finite, absurdly large (beyond 1e15), or a negative variance";
        }

        int at = HeaderLength;
        for (int i = 0; i < _forecast.Length; i++, at += 4)
        {
            if (!float.IsFinite(BinaryPrimitives.ReadSingleLittleEndian(source[at..])))
            {
                return $"a pending forecast that is not finite (feature {i})";
            }
        }

        if (!Settings.IsLogTail)
        {
            return null;
        }

        if (!Finite(source, at) || BinaryPrimitives.ReadInt32LittleEndian(source[(at + 8)..]) < 0
            || !float.IsFinite(BinaryPrimitives.ReadSingleLittleEndian(source[(at + 12)..]))
            || !Finite(source, at + 16) || !Finite(source, at + 24) || !Variance(source, at + 32))
        {
            return "a statistic that is not finite, absurdly large (beyond 1e15), or a negative variance";
        }

        at += 40;
        for (int i = 0; i < _recent.Length; i++, at += 8)
        {
            if (!Finite(source, at))
            {
                return "a recent error that is not finite";
            }
        }

        for (int i = 0; i < 2 * _low.Length; i++, at += 4)
        {
            if (!float.IsFinite(BinaryPrimitives.ReadSingleLittleEndian(source[at..])))
            {
                return "a range of readings that is not finite";
            }
        }

        return null;
    }

    /// <summary>
    /// log10 of the standard normal upper tail Q(z) = erfc(z / √2) / 2, accurate far into the tail: below z = 30 from
    /// <see cref="Erfc"/> (fractional error below 1.2e-7 everywhere), beyond it, where exp underflows, from the
    /// asymptotic series Q(z) ≈ φ(z) / z · (1 - 1/z² + 3/z⁴ - 15/z⁶), whose relative error there is below 1e-10.
    /// </summary>
    internal static double Log10UpperTail(double z)
    {
        if (z < 30)
        {
            return Math.Log10(0.5 * Erfc(z / Math.Sqrt(2)));
        }

        double z2 = z * z;
        double series = 1 - (1 / z2) + (3 / (z2 * z2)) - (15 / (z2 * z2 * z2));
        return ((-0.5 * z2) - Math.Log(z * Math.Sqrt(2 * Math.PI)) + Math.Log(series)) / Math.Log(10);
    }

    /// <summary>
    /// The standard normal CDF Φ(z) = erfc(-z / √2) / 2, with erfc from the Chebyshev fit in Press et al., Numerical
    /// Recipes (2nd ed., §6.2), fractional error below 1.2e-7.
    /// </summary>
    internal static double NormalCdf(double z) => 0.5 * Erfc(-z / Math.Sqrt(2));

    internal static double Erfc(double x)
    {
        double z = Math.Abs(x);
        double t = 1 / (1 + (0.5 * z));
        double poly = -1.26551223 + (t * (1.00002368 + (t * (0.37409196 + (t * (0.09678418 + (t * (-0.18628806 + (t * (0.27886807
            + (t * (-1.13520398 + (t * (1.48851587 + (t * (-0.82215223 + (t * 0.17087277)))))))))))))))));
        double r = t * Math.Exp((-z * z) + poly);
        return x >= 0 ? r : 2 - r;
    }
}
