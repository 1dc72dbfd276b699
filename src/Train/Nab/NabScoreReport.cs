namespace EdgeRnn.Train.Nab;

/// <summary>
/// A detector scored as NAB's runner does (numenta/NAB <c>nab/runner.py</c>, MIT; reimplemented): per profile, one
/// threshold for all files (optimized with <see cref="NabThresholdOptimizer"/> unless given), each file scored at it
/// (<see cref="NabFileScorer"/>), the raw scores summed, and the sum normalized so that a detector that never fires
/// scores 0 and one that detects every window on its first row, and nothing else, scores 100.
/// </summary>
/// <remarks>
/// NAB normalizes against its null detector's corpus score and tpWeight x the number of windows in the labels file;
/// here both are computed over the files given, so a subset of NAB's corpus gets a score of its own (comparable
/// between detectors scored on the same files, not with NAB's published 58-file scores).
/// </remarks>
public sealed class NabScoreReport
{
    private NabScoreReport(string detector, int fileCount, int windowCount, IReadOnlyList<NabProfileScore> profiles)
    {
        Detector = detector;
        FileCount = fileCount;
        WindowCount = windowCount;
        Profiles = profiles;
    }

    /// <summary>The detector's name.</summary>
    public string Detector { get; }

    /// <summary>The number of files scored.</summary>
    public int FileCount { get; }

    /// <summary>The number of labelled windows in those files.</summary>
    public int WindowCount { get; }

    /// <summary>One result per profile, in the order the profiles were given.</summary>
    public IReadOnlyList<NabProfileScore> Profiles { get; }

    /// <summary>The result under the profile named <paramref name="profile"/> (ordinal).</summary>
    /// <exception cref="KeyNotFoundException">The report has no such profile.</exception>
    public NabProfileScore this[string profile] =>
        Profiles.FirstOrDefault(p => string.Equals(p.Profile.Name, profile, StringComparison.Ordinal))
            ?? throw new KeyNotFoundException($"The report for {Detector} has no profile '{profile}'.");

    /// <summary>Scores <paramref name="files"/> for <paramref name="detector"/>.</summary>
    /// <param name="detector">The detector's name.</param>
    /// <param name="files">The files, each with the detector's anomaly scores and its windows; their order is the sweep's file order.</param>
    /// <param name="profiles">The profiles; default <see cref="NabCostProfile.All"/>.</param>
    /// <param name="thresholds">Fixed thresholds by profile name (e.g. NAB's <c>config/thresholds.json</c>); a profile without one is optimized.</param>
    public static NabScoreReport Create(string detector, IReadOnlyList<NabScoringFile> files, IReadOnlyList<NabCostProfile>? profiles = null, IReadOnlyDictionary<string, double>? thresholds = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(detector);
        ArgumentNullException.ThrowIfNull(files);
        profiles ??= NabCostProfile.All;
        var results = new List<NabProfileScore>(profiles.Count);
        foreach (NabCostProfile profile in profiles)
        {
            ArgumentNullException.ThrowIfNull(profile, nameof(profiles));
            bool optimized = thresholds is null || !thresholds.ContainsKey(profile.Name);
            double threshold = optimized ? NabThresholdOptimizer.Optimize(files, profile).Threshold : thresholds![profile.Name];
            var rows = new List<NabFileScore>(files.Count);
            double raw = 0;
            double nullScore = 0;
            double perfect = 0;
            foreach (NabScoringFile file in files)
            {
                NabFileScore row = NabFileScorer.Score(file, profile, threshold);
                rows.Add(row);
                raw += row.Score;
                nullScore += NabFileScorer.NullScore(file, profile);
                perfect += NabFileScorer.PerfectScore(file, profile);
            }

            results.Add(new NabProfileScore(profile, threshold, optimized, rows, raw, nullScore, perfect));
        }

        return new NabScoreReport(detector, files.Count, files.Sum(f => f.Windows.Count), results);
    }

    /// <summary>NAB's normalization: 100 x (raw - null) / (perfect - null); NaN when perfect equals null (no windows).</summary>
    public static double Normalize(double rawScore, double nullScore, double perfectScore) =>
        perfectScore == nullScore ? double.NaN : 100 * (rawScore - nullScore) / (perfectScore - nullScore);
}
