using System.Buffers.Binary;
using EdgeRnn.Runtime.Hashing;
using EdgeRnn.Runtime.Metadata;

namespace EdgeRnn.Runtime.Scoring;

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
public readonly record struct ScoreResult(float Error, float Likelihood, bool Active, DecisionChange Change);

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
/// <para>Decision: an anomaly starts after <see cref="ScorerSettings.MinDuration"/> consecutive steps with likelihood
/// &gt;= <see cref="ScorerSettings.Threshold"/> and ends at the first step below <see cref="ScorerSettings.ExitThreshold"/>.</para>
/// </remarks>
public sealed class AnomalyDetector
{
    private const int Version = 1;
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

    /// <summary>Creates a detector for models with <paramref name="features"/> forecast features (0 for autoencoders).</summary>
    public AnomalyDetector(ScorerSettings settings, int features)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentOutOfRangeException.ThrowIfNegative(features);
        settings.Validate("scorer settings");
        Settings = settings;
        _alphaLong = 2.0 / (settings.LongWindow + 1);
        _alphaShort = 2.0 / (settings.ShortWindow + 1);
        _forecast = new float[features];
    }

    /// <summary>The settings.</summary>
    public ScorerSettings Settings { get; }

    /// <summary>The number of forecast features (0 for autoencoders).</summary>
    public int Features => _forecast.Length;

    /// <summary>Steps scored since the last reset.</summary>
    public long Steps => _steps;

    /// <summary>Whether an anomaly is active.</summary>
    public bool Active => _active;

    /// <summary>The bytes <see cref="WriteTo"/> writes.</summary>
    public int SerializedLength => HeaderLength + (4 * _forecast.Length) + 32;

    /// <summary>Forgets all statistics, the pending forecast and any active anomaly.</summary>
    public void Reset()
    {
        _hasForecast = false;
        _steps = 0;
        _short = _mean = _variance = 0;
        _active = false;
        _run = 0;
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
            return new ScoreResult(0, 0, _active, DecisionChange.None);
        }

        double sum = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            sum += Math.Abs(_forecast[i] - actual[i]);
        }

        return ObserveError(actual.Length == 0 ? 0 : sum / actual.Length);
    }

    /// <summary>Scores one error value (e.g. a window's reconstruction error).</summary>
    public ScoreResult ObserveError(double error)
    {
        if (!double.IsFinite(error))
        {
            // A non-finite error (a NaN reading that slipped through) must not poison the statistics forever.
            error = _steps == 0 ? 0 : _mean;
        }

        _short = _steps == 0 ? error : _short + (_alphaShort * (error - _short));
        float likelihood = 0;
        if (_steps >= Settings.WarmupSteps && _steps > 0)
        {
            double std = Math.Sqrt(Math.Max(_variance, 1e-12));
            likelihood = (float)NormalCdf((_short - _mean) / std);
        }

        if (_steps == 0)
        {
            _mean = _short;
        }
        else
        {
            double delta = _short - _mean;
            _mean += _alphaLong * delta;
            _variance = (1 - _alphaLong) * (_variance + (_alphaLong * delta * delta));
        }

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

        return new ScoreResult((float)error, likelihood, _active, change);
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

        Sha256.HashData(d[..at], d[at..]);
    }

    /// <summary>Restores state written by <see cref="WriteTo"/>; on any error the detector is unchanged.</summary>
    /// <exception cref="InvalidDataException">Truncated, corrupt, another version, or another feature count or window setting.</exception>
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

        if (BinaryPrimitives.ReadUInt16LittleEndian(source[4..]) != Version
            || BinaryPrimitives.ReadInt32LittleEndian(source[8..]) != _forecast.Length
            || BinaryPrimitives.ReadInt32LittleEndian(source[48..]) != Settings.LongWindow
            || BinaryPrimitives.ReadInt32LittleEndian(source[52..]) != Settings.ShortWindow)
        {
            throw new InvalidDataException("The scorer state was written by another version or for other scorer settings.");
        }

        ushort flags = BinaryPrimitives.ReadUInt16LittleEndian(source[6..]);
        _active = (flags & 1) != 0;
        _hasForecast = (flags & 2) != 0;
        _steps = BinaryPrimitives.ReadInt64LittleEndian(source[12..]);
        _short = BinaryPrimitives.ReadDoubleLittleEndian(source[20..]);
        _mean = BinaryPrimitives.ReadDoubleLittleEndian(source[28..]);
        _variance = BinaryPrimitives.ReadDoubleLittleEndian(source[36..]);
        _run = BinaryPrimitives.ReadInt32LittleEndian(source[44..]);
        for (int i = 0, at = HeaderLength; i < _forecast.Length; i++, at += 4)
        {
            _forecast[i] = BinaryPrimitives.ReadSingleLittleEndian(source[at..]);
        }
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
