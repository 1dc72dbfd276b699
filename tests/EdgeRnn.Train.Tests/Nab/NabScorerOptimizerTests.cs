using EdgeRnn.Train.Nab;

namespace EdgeRnn.Train.Tests.Nab;

public sealed class NabScorerOptimizerTests
{
    private static readonly (int Start, int End) s_windowA = (500, 599);
    private static readonly (int Start, int End) s_windowB = (300, 399);

    /// <summary>
    /// Two files of 1000 rows (150 probationary). A: an early detection in its window (0.9) and a false positive far
    /// after it (0.95). B: a mid-window detection (0.7), a false positive before its window (0.5), and 0.99 inside the
    /// probationary period, which is no candidate.
    /// </summary>
    private static NabScoringFile[] Corpus() =>
    [
        NabSynthetic.File("a/a.csv", 1000, [s_windowA], (510, 0.9), (800, 0.95)),
        NabSynthetic.File("b/b.csv", 1000, [s_windowB], (350, 0.7), (200, 0.5), (100, 0.99)),
    ];

    [Fact]
    public void Sweep_SyntheticCorpus_CandidatesAreInitialThenDistinctScoredScoresDescending()
    {
        IReadOnlyList<NabThresholdScore> candidates = NabThresholdOptimizer.Sweep(Corpus(), NabCostProfile.Standard);

        Assert.Equal([1.1, 0.95, 0.9, 0.7, 0.5, 0.0], candidates.Select(c => c.Threshold));
        Assert.Equal(-2.0, candidates[0].Score);
        Assert.All(candidates, c => Assert.Equal(1700, c.ScoredRowCount));
    }

    [Fact]
    public void Optimize_SyntheticCorpus_FindsKnownBestThreshold()
    {
        NabCostProfile profile = NabCostProfile.Standard;

        NabThresholdScore best = NabThresholdOptimizer.Optimize(Corpus(), profile);

        // At 0.7 both windows are detected and only A's far false positive (0.95) fires; at 0.5 B's extra false positive costs 0.11.
        double expected = NabSynthetic.FalsePositiveAfter(800, s_windowA, profile.FalsePositiveWeight)
            + NabSynthetic.TruePositive(510, s_windowA) + NabSynthetic.TruePositive(350, s_windowB);
        Assert.Equal(0.7, best.Threshold);
        Assert.Equal(expected, best.Score, 12);
        Assert.Equal((2, 1, 198), (best.TruePositives, best.FalsePositives, best.FalseNegatives));
    }

    [Fact]
    public void Optimize_CostlyFalsePositivesAndCheapMisses_PrefersNoDetection()
    {
        var profile = new NabCostProfile("custom", 1.0, 0.01, 5.0, 1.0);

        NabThresholdScore best = NabThresholdOptimizer.Optimize(Corpus(), profile);

        // Every candidate below 1.1 pays A's far false positive (about -5) before any window can earn its (at most +1): no detection wins.
        IReadOnlyList<NabThresholdScore> candidates = NabThresholdOptimizer.Sweep(Corpus(), profile);
        Assert.Equal(candidates.Max(c => c.Score), best.Score);
        Assert.Equal(1.1, best.Threshold);
    }

    [Fact]
    public void Optimize_EqualScores_PicksTheHigherThreshold()
    {
        // A later detection in an already detected window changes TP but not the score: 0.8 and 0.6 tie.
        NabScoringFile file = NabSynthetic.File("a/a.csv", 1000, [s_windowA], (520, 0.8), (560, 0.6));

        IReadOnlyList<NabThresholdScore> candidates = NabThresholdOptimizer.Sweep([file], NabCostProfile.Standard);
        NabThresholdScore best = NabThresholdOptimizer.Optimize([file], NabCostProfile.Standard);

        Assert.Equal(candidates[1].Score, candidates[2].Score);
        Assert.Equal((0.8, 1), (candidates[1].Threshold, candidates[1].TruePositives));
        Assert.Equal((0.6, 2), (candidates[2].Threshold, candidates[2].TruePositives));
        Assert.Equal(0.8, best.Threshold);
    }

    /// <summary>
    /// Golden values from numenta/NAB's own <c>nab/sweeper.py</c> (calcSweepScore per file in ordinal file order,
    /// calcScoreByThreshold over all rows, then the optimizer's stable sort by score) run on nab-sample's results.
    /// </summary>
    [Theory]
    [InlineData("ARTime", "standard", 0.40046, 6.960850463500243, 55)]
    [InlineData("ARTime", "reward_low_FP_rate", 0.40046, 5.213004388649502, 55)]
    [InlineData("ARTime", "reward_low_FN_rate", 0.40046, 5.960850463500243, 55)]
    [InlineData("numenta", "standard", 0.602095149663, 3.9542070710592405, 8185)]
    [InlineData("numenta", "reward_low_FP_rate", 0.602095149663, 2.7773335606847382, 8185)]
    [InlineData("numenta", "reward_low_FN_rate", 0.484751543379, 2.160513020024595, 8185)]
    [InlineData("windowedGaussian", "standard", 0.999999999999, -11.042317118130267, 60768)]
    [InlineData("windowedGaussian", "reward_low_FP_rate", 1.1, -12.0, 60768)]
    [InlineData("windowedGaussian", "reward_low_FN_rate", 0.999951631657, -15.791653869976411, 60768)]
    public void Optimize_SampleResults_MatchesNabSweeper(string detector, string profileName, double threshold, double score, int candidates)
    {
        IReadOnlyList<NabScoringFile> files = NabSample.ReadAll(detector);
        NabCostProfile profile = NabCostProfile.FromName(profileName)!;

        NabThresholdScore best = NabThresholdOptimizer.Optimize(files, profile);

        Assert.Equal(threshold, best.Threshold);
        Assert.Equal(score, best.Score, 1e-12);
        Assert.Equal(candidates, NabThresholdOptimizer.Sweep(files, profile).Count);
    }
}
