using EdgeRnn.Train.Nab;
using Xunit.Abstractions;

namespace EdgeRnn.Train.Tests.Nab;

/// <summary>The scorer against NAB's own per-file rows for three published detectors on nab-sample's 13 files.</summary>
public sealed class NabScorerOfficialRowsTests(ITestOutputHelper output)
{
    /// <summary>
    /// NAB's Total_Count changed meaning with its 2019 sweep scorer: before, the file's rows (numenta's and
    /// windowedGaussian's rows were written in 2016); since, TP + TN + FP + FN, the rows after the probationary period
    /// (ARTime's rows, 2022). The scores and counts are the same under both scorers.
    /// </summary>
    private static int TotalCount(string detector, NabFileScore score) => detector == "ARTime" ? score.ScoredRowCount : score.RowCount;

    [Fact]
    public void Score_OfficialResultsAtListedThresholds_ReproducesEveryOfficialRow()
    {
        IReadOnlyList<OfficialRow> rows = NabSample.OfficialRows();
        var files = new Dictionary<(string, string), NabScoringFile>();
        var mismatches = new List<string>();
        foreach (OfficialRow row in rows)
        {
            if (!files.TryGetValue((row.Detector, row.File), out NabScoringFile? file))
            {
                file = NabSample.Read(row.Detector, row.File);
                files.Add((row.Detector, row.File), file);
            }

            NabCostProfile profile = NabCostProfile.FromName(row.Profile) ?? throw new InvalidOperationException("unknown profile " + row.Profile);
            NabFileScore score = NabFileScorer.Score(file, profile, row.Threshold);
            var actual = (score.TruePositives, score.TrueNegatives, score.FalsePositives, score.FalseNegatives, TotalCount(row.Detector, score));
            var expected = (row.TP, row.TN, row.FP, row.FN, row.TotalCount);
            if (actual != expected || !(Math.Abs(score.Score - row.Score) <= 1e-6))
            {
                mismatches.Add($"{row.Detector} {row.Profile} {row.File} @ {row.Threshold}: expected {row.Score} {expected}, got {score.Score} {actual}");
            }
        }

        Assert.Equal(117, rows.Count);
        Assert.Equal(3 * 3 * 13, rows.Select(r => (r.Detector, r.Profile, r.File)).Distinct().Count());
        Assert.True(mismatches.Count == 0, string.Join(Environment.NewLine, mismatches));
    }

    [Theory]
    [InlineData("standard")]
    [InlineData("reward_low_FP_rate")]
    [InlineData("reward_low_FN_rate")]
    public void RowScores_ArTimeResults_MatchNabSweepColumn(string profileName)
    {
        // NAB's sweep scorer appends each row's S(t) to the results file it scores; ARTime's files carry them.
        NabCostProfile profile = NabCostProfile.FromName(profileName)!;
        foreach (string file in NabSample.Windows.Files)
        {
            string path = NabSample.ResultsPath("ARTime", file);
            string[] lines = File.ReadAllLines(path);
            int column = Array.IndexOf(lines[0].Split(','), "S(t)_" + profileName);
            Assert.True(column >= 0, path);
            double[] expected = [.. lines.Skip(1).Select(l => double.Parse(l.Split(',')[column], System.Globalization.CultureInfo.InvariantCulture))];

            double[] actual = NabFileScorer.RowScores(NabSample.Read("ARTime", file), profile);

            Assert.Equal(expected.Length, actual.Length);
            for (int i = 0; i < actual.Length; i++)
            {
                Assert.True(Math.Abs(actual[i] - expected[i]) <= 1e-12, $"{file} row {i}: expected {expected[i]}, got {actual[i]}");
            }
        }
    }

    [Theory]
    [InlineData("ARTime")]
    [InlineData("numenta")]
    [InlineData("windowedGaussian")]
    public void Create_OfficialThresholds_RawScoreIsSumOfOfficialRows(string detector)
    {
        IReadOnlyDictionary<string, double> thresholds = NabSample.OfficialThresholds(detector);

        NabScoreReport report = NabScoreReport.Create(detector, NabSample.ReadAll(detector), thresholds: thresholds);

        // official_config.json holds the thresholds at full precision; official_scores.csv's rows were written at them.
        foreach (NabProfileScore profile in report.Profiles)
        {
            Assert.False(profile.ThresholdOptimized);
            double expected = NabSample.OfficialRows().Where(r => r.Detector == detector && r.Profile == profile.Profile.Name).Sum(r => r.Score);
            Assert.Equal(expected, profile.RawScore, 1e-6);
            Assert.Equal(12 * profile.Profile.TruePositiveWeight, profile.PerfectScore);
            Assert.Equal(-12 * profile.Profile.FalseNegativeWeight, profile.NullScore);
            output.WriteLine($"{detector} {profile.Profile.Name}: official threshold {profile.Threshold:R}, raw {profile.RawScore:F6}, normalized {profile.NormalizedScore:F4}");
        }
    }

    [Theory]
    [InlineData("ARTime")]
    [InlineData("numenta")]
    [InlineData("windowedGaussian")]
    public void Create_OptimizedThresholds_AtLeastAsGoodAsOfficialOnTheSample(string detector)
    {
        IReadOnlyList<NabScoringFile> files = NabSample.ReadAll(detector);
        NabScoreReport official = NabScoreReport.Create(detector, files, thresholds: NabSample.OfficialThresholds(detector));

        NabScoreReport optimized = NabScoreReport.Create(detector, files);

        foreach (NabProfileScore profile in optimized.Profiles)
        {
            Assert.True(profile.ThresholdOptimized);
            NabThresholdScore best = NabThresholdOptimizer.Optimize(files, profile.Profile);
            Assert.Equal(best.Threshold, profile.Threshold);
            Assert.Equal(best.Score, profile.RawScore, 1e-9);
            Assert.True(profile.RawScore >= official[profile.Profile.Name].RawScore - 1e-9);
            output.WriteLine($"{detector} {profile.Profile.Name}: optimized threshold {profile.Threshold:R}, raw {profile.RawScore:F6}, normalized {profile.NormalizedScore:F4} (official threshold: {official[profile.Profile.Name].NormalizedScore:F4})");
        }
    }
}
