namespace EdgeRnn.Train.Nab;

/// <summary>
/// NAB's threshold optimizer (numenta/NAB <c>nab/optimizer.py</c> since 2019, MIT; reimplemented): one threshold per
/// detector and profile for the whole corpus. The rows of every file after its probationary period are pooled and
/// sorted by anomaly score (descending; equal scores keep file order, then row order); the candidates are 1.1 (no
/// detection) and then each distinct anomaly score, every row at or above it detected. The best candidate has the
/// largest summed raw score; among equal scores the first, i.e. the highest threshold, wins (NAB sorts the
/// candidates with Python's stable sort).
/// </summary>
public static class NabThresholdOptimizer
{
    /// <summary>NAB's first candidate, above every anomaly score: no detection.</summary>
    public const double InitialThreshold = 1.1;

    /// <summary>Every candidate threshold of the sweep over <paramref name="files"/>, highest first, with its summed score and counts.</summary>
    public static IReadOnlyList<NabThresholdScore> Sweep(IReadOnlyList<NabScoringFile> files, NabCostProfile profile)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(profile);
        var points = new List<NabSweep.Point>(files.Sum(f => f.RowCount - f.ProbationaryRowCount));
        int windows = 0;
        foreach (NabScoringFile file in files)
        {
            ArgumentNullException.ThrowIfNull(file, nameof(files));
            NabSweep.AddPoints(file, profile, windows, points);
            windows += file.Windows.Count;
        }

        return NabSweep.Candidates(points, windows, profile);
    }

    /// <summary>The candidate with the largest summed score over <paramref name="files"/>; among equal scores, the highest threshold.</summary>
    public static NabThresholdScore Optimize(IReadOnlyList<NabScoringFile> files, NabCostProfile profile)
    {
        IReadOnlyList<NabThresholdScore> candidates = Sweep(files, profile);
        NabThresholdScore best = candidates[0];
        for (int i = 1; i < candidates.Count; i++)
        {
            if (candidates[i].Score > best.Score)
            {
                best = candidates[i];
            }
        }

        return best;
    }
}
