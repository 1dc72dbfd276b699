namespace EdgeRnn.Train.Nab;

/// <summary>
/// One file scored at one threshold under one profile: a row of NAB's <c>&lt;detector&gt;_&lt;profile&gt;_scores.csv</c>.
/// The counts are of rows after the probationary period: a row at or above the threshold is a TP inside a window and
/// an FP outside; below it, an FN inside and a TN outside.
/// </summary>
/// <param name="File">The data set (<c>category/file.csv</c>).</param>
/// <param name="Threshold">The threshold: a row is a detection when its anomaly score is at or above it.</param>
/// <param name="Score">The raw NAB score: the weighted earliest detection of each window, the weighted false positives, minus fnWeight per missed window.</param>
/// <param name="TruePositives">Detected rows inside windows.</param>
/// <param name="TrueNegatives">Undetected rows outside windows.</param>
/// <param name="FalsePositives">Detected rows outside windows.</param>
/// <param name="FalseNegatives">Undetected rows inside windows.</param>
/// <param name="RowCount">All rows of the file, the probationary ones included.</param>
public sealed record NabFileScore(
    string File,
    double Threshold,
    double Score,
    int TruePositives,
    int TrueNegatives,
    int FalsePositives,
    int FalseNegatives,
    int RowCount)
{
    /// <summary>
    /// The scored rows, TP + TN + FP + FN: NAB's <c>Total_Count</c> since its sweep scorer (2019). NAB 1.0's scorer
    /// (results committed before 2019, e.g. numenta and windowedGaussian) wrote <see cref="RowCount"/> there instead.
    /// </summary>
    public int ScoredRowCount => TruePositives + TrueNegatives + FalsePositives + FalseNegatives;

    /// <summary>The leading rows that were not scored.</summary>
    public int ProbationaryRowCount => RowCount - ScoredRowCount;
}
