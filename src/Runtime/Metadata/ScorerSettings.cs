namespace EdgeRnn.Runtime.Metadata;

/// <summary>
/// How the device turns model errors into an anomaly likelihood and a decision, calibrated on the desktop and stored
/// in <c>edgernn.scorer</c> so the device scores exactly as the desktop did. See <see cref="Scoring.AnomalyDetector"/>.
/// </summary>
public sealed record ScorerSettings
{
    /// <summary>Steps in the long-term error statistics (an exponential moving average with this span).</summary>
    public int LongWindow { get; set; } = 500;

    /// <summary>Steps in the short-term error average compared against the long-term statistics.</summary>
    public int ShortWindow { get; set; } = 10;

    /// <summary>Steps after a reset during which the statistics learn and the score is 0.</summary>
    public int WarmupSteps { get; set; } = 100;

    /// <summary>Likelihood at or above which an anomaly starts (after <see cref="MinDuration"/> steps).</summary>
    public double Threshold { get; set; } = 0.999;

    /// <summary>Likelihood below which an active anomaly ends (hysteresis; at most <see cref="Threshold"/>).</summary>
    public double ExitThreshold { get; set; } = 0.99;

    /// <summary>Consecutive steps at or above the threshold before an anomaly is raised.</summary>
    public int MinDuration { get; set; } = 1;

    /// <summary>Checks ranges; throws <see cref="ModelFormatException"/> naming the field.</summary>
    public void Validate(string where)
    {
        if (LongWindow < 2 || ShortWindow < 1 || ShortWindow > LongWindow)
        {
            throw new ModelFormatException($"{where}: scorer windows must satisfy 1 <= shortWindow <= longWindow and longWindow >= 2 (got {ShortWindow}, {LongWindow}).");
        }

        if (WarmupSteps < 0 || MinDuration < 1)
        {
            throw new ModelFormatException($"{where}: scorer warmupSteps must be >= 0 and minDuration >= 1 (got {WarmupSteps}, {MinDuration}).");
        }

        if (!(Threshold is > 0 and <= 1) || !(ExitThreshold > 0 && ExitThreshold <= Threshold))
        {
            throw new ModelFormatException($"{where}: scorer thresholds must satisfy 0 < exitThreshold <= threshold <= 1 (got {ExitThreshold}, {Threshold}).");
        }
    }
}
