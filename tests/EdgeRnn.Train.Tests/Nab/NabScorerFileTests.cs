using EdgeRnn.Train.Nab;

namespace EdgeRnn.Train.Tests.Nab;

public sealed class NabScorerFileTests
{
    [Theory]
    [InlineData(0, 0)]
    [InlineData(10, 1)]
    [InlineData(4032, 604)]
    [InlineData(5000, 750)]
    [InlineData(7267, 750)]
    [InlineData(22695, 750)]
    public void ProbationaryRows_Rows_FifteenPercentAtMost750(int rows, int expected) =>
        Assert.Equal(expected, NabRules.ProbationaryRows(rows));

    [Fact]
    public void ScaledSigmoid_KnownPositions_MatchNabDocumentedValues()
    {
        Assert.Equal(0.98661, NabFileScorer.ScaledSigmoid(-1.0), 5);
        Assert.Equal(0.84828, NabFileScorer.ScaledSigmoid(-0.5), 5);
        Assert.Equal(0.0, NabFileScorer.ScaledSigmoid(0.0), 12);
        Assert.Equal(-0.98661, NabFileScorer.ScaledSigmoid(1.0), 5);
        Assert.Equal(-1.0, NabFileScorer.ScaledSigmoid(3.0001));
    }

    [Fact]
    public void Score_EarliestDetectionCounts_LaterOnesAddOnlyToCounts()
    {
        (int, int) window = (500, 599);
        NabScoringFile file = NabSynthetic.File("a/one.csv", 1000, [window], (520, 0.9), (560, 0.9), (590, 0.9));

        NabFileScore score = NabFileScorer.Score(file, NabCostProfile.Standard, 0.5);

        Assert.Equal(NabSynthetic.TruePositive(520, window), score.Score, 12);
        Assert.Equal((3, 750, 0, 97), (score.TruePositives, score.TrueNegatives, score.FalsePositives, score.FalseNegatives));
        Assert.Equal(850, score.ScoredRowCount);
        Assert.Equal(1000, score.RowCount);
    }

    [Fact]
    public void Score_DetectionsInProbation_AreNotScoredOrCounted()
    {
        // 1000 rows: the first 150 are probationary; a detection there neither costs nor counts.
        NabScoringFile file = NabSynthetic.File("a/one.csv", 1000, [(500, 599)], (10, 1.0), (149, 1.0));

        NabFileScore score = NabFileScorer.Score(file, NabCostProfile.Standard, 0.5);

        Assert.Equal(-1.0, score.Score);
        Assert.Equal((0, 750, 0, 100), (score.TruePositives, score.TrueNegatives, score.FalsePositives, score.FalseNegatives));
    }

    [Fact]
    public void Score_FalsePositives_WeightedByPositionAfterPrecedingWindow()
    {
        (int, int) window = (400, 499);
        NabScoringFile file = NabSynthetic.File("a/one.csv", 1000, [window], (200, 0.8), (510, 0.8), (900, 0.8));
        NabCostProfile profile = NabCostProfile.RewardLowFalsePositiveRate;

        NabFileScore score = NabFileScorer.Score(file, profile, 0.8);

        // Before every window: -fpWeight; just after one: close to 0; far after: about -fpWeight; the window is missed.
        double expected = -profile.FalsePositiveWeight + NabSynthetic.FalsePositiveAfter(510, window, profile.FalsePositiveWeight)
            + NabSynthetic.FalsePositiveAfter(900, window, profile.FalsePositiveWeight) - profile.FalseNegativeWeight;
        Assert.Equal(expected, score.Score, 12);
        Assert.Equal((0, 3, 100), (score.TruePositives, score.FalsePositives, score.FalseNegatives));
        Assert.True(NabSynthetic.FalsePositiveAfter(510, window, 0.22) > -0.22 * 0.6);
    }

    [Fact]
    public void Score_ThresholdEqualToScore_IsADetection()
    {
        NabScoringFile file = NabSynthetic.File("a/one.csv", 1000, [(500, 599)], (550, 0.4));

        Assert.Equal(1, NabFileScorer.Score(file, NabCostProfile.Standard, 0.4).TruePositives);
        Assert.Equal(0, NabFileScorer.Score(file, NabCostProfile.Standard, Math.BitIncrement(0.4)).TruePositives);
    }

    [Fact]
    public void FromRowLabels_RunsOfOnes_BecomeWindows()
    {
        DateTime[] timestamps = NabSynthetic.Timestamps(8);
        int[] labels = [0, 1, 1, 0, 0, 1, 0, 0];

        NabScoringFile file = NabScoringFile.FromRowLabels("a/one.csv", timestamps, new double[8], labels);

        Assert.Equal([new NabWindow(timestamps[1], timestamps[2]), new NabWindow(timestamps[5], timestamps[5])], file.Windows);
        Assert.Equal((5, 5), file.WindowRows(1));
    }

    [Fact]
    public void Constructor_WindowBoundNotATimestamp_ThrowsNamingFile()
    {
        DateTime[] timestamps = NabSynthetic.Timestamps(100);

        var e = Assert.Throws<NabFormatException>(() =>
            new NabScoringFile("cat/file.csv", timestamps, new double[100], [new NabWindow(timestamps[10].AddSeconds(30), timestamps[20])]));

        Assert.Contains("cat/file.csv", e.Message, StringComparison.Ordinal);
        Assert.Contains("not a timestamp of the file", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_NaNScore_Throws()
    {
        double[] scores = new double[10];
        scores[3] = double.NaN;

        Assert.Throws<ArgumentException>(() => new NabScoringFile("a/b.csv", NabSynthetic.Timestamps(10), scores, []));
    }
}
