namespace EdgeRnn.Train.Nab;

/// <summary>A detector's result under one NAB profile: the threshold, the per-file rows, and the raw and normalized corpus scores.</summary>
public sealed class NabProfileScore
{
    internal NabProfileScore(NabCostProfile profile, double threshold, bool thresholdOptimized, IReadOnlyList<NabFileScore> files, double rawScore, double nullScore, double perfectScore)
    {
        Profile = profile;
        Threshold = threshold;
        ThresholdOptimized = thresholdOptimized;
        Files = files;
        RawScore = rawScore;
        NullScore = nullScore;
        PerfectScore = perfectScore;
        NormalizedScore = NabScoreReport.Normalize(rawScore, nullScore, perfectScore);
    }

    /// <summary>The profile.</summary>
    public NabCostProfile Profile { get; }

    /// <summary>The threshold every file was scored at.</summary>
    public double Threshold { get; }

    /// <summary>True when <see cref="Threshold"/> came from <see cref="NabThresholdOptimizer"/>, false when it was given.</summary>
    public bool ThresholdOptimized { get; }

    /// <summary>One row per file, in the order the files were given (NAB's scores CSV without its Totals row).</summary>
    public IReadOnlyList<NabFileScore> Files { get; }

    /// <summary>The sum of the files' raw scores (NAB's Totals row).</summary>
    public double RawScore { get; }

    /// <summary>What a detector that never fires scores on the same files (normalized to 0).</summary>
    public double NullScore { get; }

    /// <summary>tpWeight for each window of the same files (normalized to 100).</summary>
    public double PerfectScore { get; }

    /// <summary>100 x (raw - null) / (perfect - null): NAB's final score; NaN when the files have no window.</summary>
    public double NormalizedScore { get; }

    /// <summary>Total true positives over the files.</summary>
    public int TruePositives => Files.Sum(f => f.TruePositives);

    /// <summary>Total true negatives over the files.</summary>
    public int TrueNegatives => Files.Sum(f => f.TrueNegatives);

    /// <summary>Total false positives over the files.</summary>
    public int FalsePositives => Files.Sum(f => f.FalsePositives);

    /// <summary>Total false negatives over the files.</summary>
    public int FalseNegatives => Files.Sum(f => f.FalseNegatives);
}
