using EdgeRnn.Deployment.Metadata;
using EdgeRnn.Deployment.Scoring;

namespace EdgeRnn.Train.Scoring;

/// <summary>How <c>edgernn train</c> calibrates the scorer it writes into <c>edgernn.scorer</c>.</summary>
public sealed record ScorerOptions
{
    /// <summary>The target share of normal validation steps at or above the threshold (the false-alarm rate per step).</summary>
    public double FalseAlarmRate { get; init; } = 0.001;

    /// <summary>Steps in the long-term error statistics.</summary>
    public int LongWindow { get; init; } = 500;

    /// <summary>Steps in the short error average.</summary>
    public int ShortWindow { get; init; } = 10;

    /// <summary>Steps after a reset with no score.</summary>
    public int WarmupSteps { get; init; } = 100;

    /// <summary>Consecutive steps at or above the threshold before an anomaly starts.</summary>
    public int MinDuration { get; init; } = 1;

    /// <summary>The likelihood method (<see cref="ScorerSettings.GaussianMethod"/> or <see cref="ScorerSettings.LogTailMethod"/>).</summary>
    public string Method { get; init; } = ScorerSettings.GaussianMethod;

    /// <summary>Log-tail scorer: the out-of-range tolerance as a fraction of the range seen (0 = off).</summary>
    public double SpatialTolerance { get; init; }

    /// <summary>Log-tail scorer: steps of repeat masking after a likelihood at or above <see cref="MaskLevel"/> (0 = off).</summary>
    public int MaskSteps { get; init; }

    /// <summary>Log-tail scorer: the likelihood that starts masking.</summary>
    public double MaskLevel { get; init; }

    /// <summary>Log-tail scorer: span of the slow error average (0 = off).</summary>
    public int SlowWindow { get; init; }

    /// <summary>Log-tail scorer: the rise above the highest masked score that is reported again (0 = any rise).</summary>
    public double MaskRise { get; init; }

    /// <summary>The device's settings for these options (thresholds left at their defaults until calibrated).</summary>
    public ScorerSettings ToSettings() => new()
    {
        LongWindow = LongWindow,
        ShortWindow = ShortWindow,
        WarmupSteps = WarmupSteps,
        MinDuration = MinDuration,
        Method = Method == ScorerSettings.GaussianMethod ? null : Method,
        SpatialTolerance = SpatialTolerance,
        MaskSteps = MaskSteps,
        MaskLevel = MaskLevel,
        SlowWindow = SlowWindow,
        MaskRise = MaskRise,
    };

    /// <summary>Throws <see cref="ArgumentException"/> naming the first option out of range.</summary>
    public void Validate()
    {
        if (!(FalseAlarmRate is > 0 and < 0.1))
        {
            throw new ArgumentException($"--false-alarm-rate must be in (0, 0.1) (got {FalseAlarmRate}).");
        }

        if (ShortWindow < 1 || LongWindow < 2 || ShortWindow > LongWindow || WarmupSteps < 0 || MinDuration < 1)
        {
            throw new ArgumentException($"scorer options need 1 <= --short-window <= --long-window, --long-window >= 2, --warmup-steps >= 0, --min-duration >= 1 (got {ShortWindow}, {LongWindow}, {WarmupSteps}, {MinDuration}).");
        }

        if (Method is not (ScorerSettings.GaussianMethod or ScorerSettings.LogTailMethod) || !(SpatialTolerance is >= 0 and <= 100)
            || (SpatialTolerance > 0 && Method != ScorerSettings.LogTailMethod) || ShortWindow > ScorerSettings.MaxShortWindow)
        {
            throw new ArgumentException($"--scorer must be {ScorerSettings.GaussianMethod} or {ScorerSettings.LogTailMethod}, --spatial-tolerance in [0, 100] and only with log-tail, --short-window at most {ScorerSettings.MaxShortWindow} (got {Method}, {SpatialTolerance}, {ShortWindow}).");
        }
    }
}

/// <summary>The calibrated scorer and what it did on the validation data.</summary>
/// <param name="Settings">The settings written into the model.</param>
/// <param name="Steps">Scored validation steps the quantiles were taken over (after warm-up, without labelled anomalies).</param>
/// <param name="Alarms">Anomalies the calibrated scorer starts on unlabelled validation rows (false alarms, if the validation data is normal).</param>
/// <param name="FlaggedFraction">The share of those steps with an active anomaly.</param>
public sealed record ScorerCalibration(ScorerSettings Settings, int Steps, int Alarms, double FlaggedFraction);

/// <summary>
/// Chooses the scorer thresholds from the likelihoods the exported model produces on validation data.
/// </summary>
/// <remarks>
/// Rule: with r = <see cref="ScorerOptions.FalseAlarmRate"/> and L the validation likelihoods (after warm-up, rows with a
/// non-zero label left out), threshold = the (1 - r) quantile of L, and exit threshold = the (1 - 10 r) quantile (at most
/// the threshold): on data like the validation data at most a share r of steps reaches the threshold, and an anomaly ends
/// once the likelihood is back at a level ten times as common. Both are at least 0.5 (a likelihood below the median
/// of the running statistics is never anomalous). The likelihoods do not depend on the thresholds, so one scoring pass
/// serves the quantiles and the replay of the decisions (hysteresis, minimum duration) that reports the alarms.
/// </remarks>
public static class ScorerCalibrator
{
    /// <summary>
    /// Calibrates on <paramref name="likelihoods"/> of rows [<paramref name="start"/>, end), scored from row 0 on (so rows
    /// before <see cref="ScorerOptions.WarmupSteps"/> have no score and are left out).
    /// </summary>
    public static ScorerCalibration Calibrate(ReadOnlySpan<float> likelihoods, int start, int[]? labels, ScorerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        int warm = options.WarmupSteps;
        var used = new List<float>();
        for (int t = Math.Max(start, 0); t < likelihoods.Length; t++)
        {
            if (t >= warm && (labels is null || labels[t] == 0))
            {
                used.Add(likelihoods[t]);
            }
        }

        if (used.Count == 0)
        {
            throw new ArgumentException($"No validation steps are left to calibrate the scorer on after {options.WarmupSteps} warm-up steps; use more data or a larger --val-fraction.");
        }

        used.Sort();
        double threshold = Math.Max(0.5, Quantile(used, 1 - options.FalseAlarmRate));
        double exit = Math.Min(threshold, Math.Max(0.5, Quantile(used, 1 - (10 * options.FalseAlarmRate))));
        ScorerSettings settings = options.ToSettings() with { Threshold = threshold, ExitThreshold = exit };
        settings.Validate("scorer options");
        (int alarms, int flagged) = Replay(likelihoods[Math.Max(start, 0)..], labels is null ? null : labels.AsSpan(Math.Max(start, 0)), settings);
        return new ScorerCalibration(settings, used.Count, alarms, flagged / (double)used.Count);
    }

    /// <summary>The decisions <see cref="Deployment.Scoring.AnomalyDetector"/> takes on a likelihood sequence: alarms started and steps active, on unlabelled rows.</summary>
    internal static (int Alarms, int Flagged) Replay(ReadOnlySpan<float> likelihoods, ReadOnlySpan<int> labels, ScorerSettings settings)
    {
        bool active = false;
        int run = 0, alarms = 0, flagged = 0;
        for (int t = 0; t < likelihoods.Length; t++)
        {
            float l = likelihoods[t];
            if (!active)
            {
                run = l >= settings.Threshold ? run + 1 : 0;
                if (run >= settings.MinDuration)
                {
                    active = true;
                    alarms += labels.IsEmpty || labels[t] == 0 ? 1 : 0;
                }
            }
            else if (l < settings.ExitThreshold)
            {
                active = false;
                run = 0;
            }

            flagged += active && (labels.IsEmpty || labels[t] == 0) ? 1 : 0;
        }

        return (alarms, flagged);
    }

    /// <summary>The q quantile of sorted values (nearest rank, rounding up).</summary>
    internal static double Quantile(List<float> sorted, double q) =>
        sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Count) - 1, 0, sorted.Count - 1)];
}
