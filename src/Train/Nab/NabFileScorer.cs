namespace EdgeRnn.Train.Nab;

/// <summary>
/// NAB's scorer for one file (numenta/NAB <c>nab/sweeper.py</c> and <c>nab/scorer.py</c>, MIT; Lavin and Ahmad,
/// "Evaluating real-time anomaly detection algorithms: the Numenta Anomaly Benchmark", ICMLA 2015), reimplemented:
/// <list type="bullet">
/// <item>the first <see cref="NabRules.ProbationaryRows"/> rows are not scored at all (no TP, TN, FP or FN, no score);</item>
/// <item>a row is a detection when its anomaly score is at or above the threshold;</item>
/// <item>each window earns its earliest detection's weighted scaled sigmoid (tpWeight at the window's first row,
/// falling towards 0 at its last), or -fnWeight when it has none; later detections in the window add nothing;</item>
/// <item>each detection outside every window costs fpWeight x S(distance past the preceding window's end / (its
/// width - 1)), which is -fpWeight far from (or before) every window and close to 0 just after one.</item>
/// </list>
/// </summary>
public static class NabFileScorer
{
    /// <summary>
    /// NAB's scaled sigmoid of a relative position: 2 / (1 + exp(5 x)) - 1 (2 x sigmoid(-5 x) - 1), and -1 beyond
    /// x = 3. Inside a window x runs from -1 (its first row, 0.98661) to 0 (past its last row, 0); after a window,
    /// x = 1 one window width past its end (-0.98661).
    /// </summary>
    public static double ScaledSigmoid(double relativePosition)
    {
        if (relativePosition > 3.0)
        {
            return -1.0;
        }

        return (2 * (1 / (1 + Math.Exp(-(-5 * relativePosition))))) - 1.0;
    }

    /// <summary>Scores <paramref name="file"/> at <paramref name="threshold"/> under <paramref name="profile"/>: a row of NAB's scores CSV.</summary>
    public static NabFileScore Score(NabScoringFile file, NabCostProfile profile, double threshold)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(profile);
        if (double.IsNaN(threshold))
        {
            throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "The threshold must be a number.");
        }

        var points = new List<NabSweep.Point>(file.RowCount - file.ProbationaryRowCount);
        NabSweep.AddPoints(file, profile, 0, points);
        NabThresholdScore at = NabSweep.At(points, file.Windows.Count, profile, threshold);
        return new NabFileScore(file.Name, threshold, at.Score, at.TruePositives, at.TrueNegatives, at.FalsePositives, at.FalseNegatives, file.RowCount);
    }

    /// <summary>
    /// The score each row of <paramref name="file"/> would earn as a detection (its TP or FP weight), probationary rows
    /// included: NAB's <c>S(t)_&lt;profile&gt;</c> column, which NAB appends to a results file when it scores it.
    /// </summary>
    public static double[] RowScores(NabScoringFile file, NabCostProfile profile)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(profile);
        double[] scores = new double[file.RowCount];
        NabSweep.RowScores(file, profile, scores, new int[file.RowCount]);
        return scores;
    }

    /// <summary>
    /// The score of a detector that never fires (NAB's null detector, normalized to 0): -fnWeight for each window
    /// with a row after the probationary period.
    /// </summary>
    public static double NullScore(NabScoringFile file, NabCostProfile profile) => Score(file, profile, double.PositiveInfinity).Score;

    /// <summary>
    /// The score NAB normalizes to 100: tpWeight for each labelled window (a detection on every window's first row
    /// and nowhere else).
    /// </summary>
    public static double PerfectScore(NabScoringFile file, NabCostProfile profile)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(profile);
        return file.Windows.Count * profile.TruePositiveWeight;
    }
}
