using System.Text.Json.Serialization;
using EdgeRnn.Runtime;

namespace EdgeRnn.Deployment.Metadata;

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

    /// <summary>
    /// How errors become a likelihood: <see cref="GaussianMethod"/> (format 1's default: the normal CDF of the short
    /// average against its long-term statistics, which saturates at 1) or <see cref="LogTailMethod"/> (the tail
    /// probability on a log scale, as NAB's anomaly likelihood reports it, which keeps its resolution near the top).
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Method { get; set; }

    /// <summary>Whether <see cref="Method"/> is <see cref="LogTailMethod"/>.</summary>
    [JsonIgnore]
    public bool IsLogTail => Method == LogTailMethod;

    /// <summary>
    /// <see cref="LogTailMethod"/> only: a reading beyond the range seen so far by more than this fraction of that
    /// range scores 1 at once (0 = off).
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public double SpatialTolerance { get; set; }

    /// <summary>
    /// Log-tail method: after a likelihood at or above <see cref="MaskLevel"/>, this many steps report an anomaly score
    /// of 0 unless they exceed the highest one reported since by more than <see cref="MaskRise"/> (repeat alarms of one
    /// event masked; 0 = off). Decisions
    /// still use the unmasked likelihood.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int MaskSteps { get; set; }

    /// <summary>The likelihood that starts masking (see <see cref="MaskSteps"/>).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public double MaskLevel { get; set; }

    /// <summary>
    /// Masking: how far above the highest score reported since the mask began a score must rise to be reported again
    /// (0 = any rise). A score ramping up over several rows otherwise reports every step of the ramp, and NAB counts each
    /// row at or above its threshold outside a window as a false positive.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public double MaskRise { get; set; }

    /// <summary>
    /// Log-tail method: the span of a second, slow exponential average of the errors, judged against its own
    /// long-term statistics; the likelihood is the larger of the two scales (sustained small errors, as in a slow
    /// drift, add up there). 0 = off.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int SlowWindow { get; set; }

    /// <summary>The likelihood method of format 1 (also when <see cref="Method"/> is absent).</summary>
    public const string GaussianMethod = "gaussian";

    /// <summary>The tail probability on a log scale: likelihood = min(1, -log10(Q) / 12), Q the normal upper tail.</summary>
    public const string LogTailMethod = "log-tail";

    /// <summary>The longest short window: the log-tail method keeps that many recent errors.</summary>
    public const int MaxShortWindow = 4096;

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

        if (Method is not (null or GaussianMethod or LogTailMethod))
        {
            throw new ModelFormatException($"{where}: scorer method must be '{GaussianMethod}' or '{LogTailMethod}' (got '{Method}').");
        }

        if (MaskSteps < 0 || SlowWindow < 0 || !(MaskLevel is >= 0 and <= 1) || !(MaskRise is >= 0 and <= 1) || ((MaskSteps > 0 || SpatialTolerance > 0 || SlowWindow > 0) && !IsLogTail))
        {
            throw new ModelFormatException($"{where}: scorer maskSteps and slowWindow must be >= 0 and maskLevel in [0, 1], and masking, slowWindow and spatialTolerance need method '{LogTailMethod}' (got {MaskSteps}, {SlowWindow}, {MaskLevel}, '{Method}').");
        }

        if (ShortWindow > MaxShortWindow || !(SpatialTolerance is >= 0 and <= 100))
        {
            throw new ModelFormatException($"{where}: scorer shortWindow must be at most {MaxShortWindow} and spatialTolerance in [0, 100] (got {ShortWindow}, {SpatialTolerance}).");
        }

        if (!(Threshold is > 0 and <= 1) || !(ExitThreshold > 0 && ExitThreshold <= Threshold))
        {
            throw new ModelFormatException($"{where}: scorer thresholds must satisfy 0 < exitThreshold <= threshold <= 1 (got {ExitThreshold}, {Threshold}).");
        }
    }
}
