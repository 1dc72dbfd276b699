using EdgeRnn.Deployment.Metadata;
using EdgeRnn.Runtime;
using EdgeRnn.Train.Models;
using EdgeRnn.Train.Scoring;

namespace EdgeRnn.Train.Nab;

/// <summary>
/// The one configuration EdgeRnn's NAB detector uses for every file: what is fitted per file (normalization, weights,
/// error statistics) is fitted automatically from the rows already seen.
/// </summary>
internal sealed record NabDetectorConfig
{
    /// <summary>The detector's name in NAB's results layout.</summary>
    public string Name { get; init; } = "edgernn";

    /// <summary>The recurrent cell.</summary>
    public RecurrentCellKind Cell { get; init; } = RecurrentCellKind.Lstm;

    /// <summary>Hidden units per layer.</summary>
    public int Hidden { get; init; } = 32;

    /// <summary>Stacked layers.</summary>
    public int Layers { get; init; } = 1;

    /// <summary>Longest training window; shorter when the probationary period is short.</summary>
    public int SequenceLength { get; init; } = 32;

    /// <summary>Maximum training epochs (early stopping on the trailing 20% of the probationary rows).</summary>
    public int Epochs { get; init; } = 40;

    /// <summary>Seed of weights and shuffling.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Forecasters trained per file and averaged in one model (<see cref="Training.TrainOptions.Ensemble"/>).</summary>
    public int Ensemble { get; init; } = 1;

    /// <summary>Quantize the forecaster to int8 (the device's model); false streams the float model (ablation).</summary>
    public bool Int8 { get; init; } = true;

    /// <summary>
    /// Give the forecaster the clock (<see cref="TimeFeatures"/>): the daily phase when the probationary period spans at
    /// least two days at a sub-daily period, the weekly phase too when it spans at least two weeks.
    /// </summary>
    public bool ClockFeatures { get; init; } = true;

    /// <summary>The scorer the device runs on the forecast errors.</summary>
    public ScorerOptions Scorer { get; init; } = new()
    {
        Method = ScorerSettings.LogTailMethod,
        ShortWindow = 10,
        LongWindow = 2000,
        WarmupSteps = 0,
        MaskSteps = 150,
        MaskLevel = 0.5,
        MaskRise = 1,
    };

    /// <summary>The clock features for a probationary period covering <paramref name="spanSeconds"/> at <paramref name="periodSeconds"/>.</summary>
    public IReadOnlyList<string> ClockFeaturesFor(double spanSeconds, double periodSeconds)
    {
        const double Day = 86400;
        if (!ClockFeatures || periodSeconds <= 0 || periodSeconds >= Day / 4 || spanSeconds < 2 * Day)
        {
            return [];
        }

        return spanSeconds >= 14 * Day ? TimeFeatures.DailyAndWeekly : TimeFeatures.Daily;
    }

    /// <summary>The training window for a probationary period of <paramref name="rows"/> rows: validation needs a window + 1 rows.</summary>
    public int SequenceLengthFor(int rows) => Math.Clamp(((int)(rows * 0.2)) - 2, 4, SequenceLength);
}
