namespace EdgeRnn.Train.Nab;

/// <summary>
/// One candidate of NAB's threshold sweep: the score and counts when every scored row with an anomaly score at or
/// above <see cref="Threshold"/> is a detection (at the first candidate, 1.1, nothing is).
/// </summary>
/// <param name="Threshold">The candidate threshold.</param>
/// <param name="Score">The raw NAB score summed over the swept files.</param>
/// <param name="TruePositives">Detected rows inside windows.</param>
/// <param name="TrueNegatives">Undetected rows outside windows.</param>
/// <param name="FalsePositives">Detected rows outside windows.</param>
/// <param name="FalseNegatives">Undetected rows inside windows.</param>
public readonly record struct NabThresholdScore(
    double Threshold,
    double Score,
    int TruePositives,
    int TrueNegatives,
    int FalsePositives,
    int FalseNegatives)
{
    /// <summary>The scored rows, TP + TN + FP + FN.</summary>
    public int ScoredRowCount => TruePositives + TrueNegatives + FalsePositives + FalseNegatives;
}
