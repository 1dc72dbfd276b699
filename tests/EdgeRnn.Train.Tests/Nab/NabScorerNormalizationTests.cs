using EdgeRnn.Train.Nab;

namespace EdgeRnn.Train.Tests.Nab;

public sealed class NabScorerNormalizationTests
{
    /// <summary>nab-sample's 13 files with a detector's scores made from each file's rows.</summary>
    private static List<NabScoringFile> SampleWith(Func<NabScoringFile, int, double> score) =>
    [
        .. NabSample.Windows.Files.Select(name =>
        {
            NabResultsFile results = NabResultsFile.Read(NabSample.ResultsPath("numenta", name));
            NabScoringFile file = results.ToScoringFile(name, NabSample.Windows.GetWindows(name));
            return new NabScoringFile(name, results.Timestamps, [.. Enumerable.Range(0, file.RowCount).Select(i => score(file, i))], file.Windows);
        }),
    ];

    [Fact]
    public void Create_NullDetector_NormalizesToZero()
    {
        // NAB's null detector: a constant 0.5 on every row.
        NabScoreReport report = NabScoreReport.Create("null", SampleWith((_, _) => 0.5));

        Assert.All(report.Profiles, p =>
        {
            Assert.Equal(NabThresholdOptimizer.InitialThreshold, p.Threshold);
            Assert.Equal(0.0, p.NormalizedScore);
            Assert.Equal(-12 * p.Profile.FalseNegativeWeight, p.RawScore);
        });
    }

    [Fact]
    public void Create_PerfectDetector_NormalizesToHundred()
    {
        // A detection on each window's first row and nowhere else.
        NabScoreReport report = NabScoreReport.Create("perfect", SampleWith((file, row) =>
            Enumerable.Range(0, file.Windows.Count).Any(k => file.WindowRows(k).Start == row) ? 1.0 : 0.0));

        Assert.Equal(12, report.WindowCount);
        Assert.All(report.Profiles, p =>
        {
            Assert.Equal(1.0, p.Threshold);
            Assert.Equal(12 * p.Profile.TruePositiveWeight, p.RawScore, 12);
            Assert.Equal(100.0, p.NormalizedScore, 9);
            Assert.Equal((12, 0), (p.TruePositives, p.FalsePositives));
        });
    }

    [Fact]
    public void Normalize_Formula_IsNabs()
    {
        Assert.Equal(50.0, NabScoreReport.Normalize(-6, -24, 12), 12);
        Assert.Equal(0.0, NabScoreReport.Normalize(-24, -24, 12));
        Assert.Equal(100.0, NabScoreReport.Normalize(12, -24, 12));
        Assert.True(double.IsNaN(NabScoreReport.Normalize(0, 0, 0)));
    }

    [Fact]
    public void Create_NoWindows_NormalizedIsNaN()
    {
        NabScoreReport report = NabScoreReport.Create("x", [NabSynthetic.File("a/a.csv", 100, [], (50, 1.0))]);

        Assert.All(report.Profiles, p => Assert.True(double.IsNaN(p.NormalizedScore)));
    }
}
