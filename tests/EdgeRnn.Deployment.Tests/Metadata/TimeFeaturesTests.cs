using EdgeRnn.Deployment.Metadata;
using EdgeRnn.Deployment.Scoring;
using EdgeRnn.Runtime;

namespace EdgeRnn.Deployment.Tests.Metadata;

public class TimeFeaturesTests
{
    // 1970-01-05 was the first Monday after the epoch.
    private const double Monday = 4 * 86400;

    [Theory]
    [InlineData(Monday, 0.0, 1.0, 0.0, 1.0)]
    [InlineData(Monday + (6 * 3600), 1.0, 0.0, 0.222521, 0.974928)]
    [InlineData(Monday + (12 * 3600), 0.0, -1.0, 0.433884, 0.900969)]
    [InlineData(Monday + (3.5 * 86400), 0.0, -1.0, 0.0, -1.0)]
    [InlineData(Monday - 86400, 0.0, 1.0, -0.781831, 0.623490)]
    public void Compute_KnownTimes_GivesPhases(double t, double daySin, double dayCos, double weekSin, double weekCos)
    {
        Assert.Equal(daySin, TimeFeatures.Compute(TimeFeatures.DaySin, t), 5);
        Assert.Equal(dayCos, TimeFeatures.Compute(TimeFeatures.DayCos, t), 5);
        Assert.Equal(weekSin, TimeFeatures.Compute(TimeFeatures.WeekSin, t), 5);
        Assert.Equal(weekCos, TimeFeatures.Compute(TimeFeatures.WeekCos, t), 5);
    }

    [Fact]
    public void Compute_UnknownName_Throws() => Assert.Throws<ArgumentException>(() => TimeFeatures.Compute("time.hour", 0));

    [Fact]
    public void SensorFeatureCount_ClockFeaturesLast_CountsSensors()
    {
        Assert.Equal(2, TimeFeatures.SensorFeatureCount([F("a"), F("b"), F(TimeFeatures.DaySin), F(TimeFeatures.DayCos)]));
        Assert.Equal(1, TimeFeatures.SensorFeatureCount([F("a")]));
        Assert.Throws<ModelFormatException>(() => TimeFeatures.SensorFeatureCount([F(TimeFeatures.DaySin), F("a")]));
        Assert.Throws<ModelFormatException>(() => TimeFeatures.SensorFeatureCount([F("a"), F("time.hour")]));
    }

    [Theory]
    [InlineData("2014-02-07 14:55:00", 1391784900)]
    [InlineData("1391784900", 1391784900)]
    [InlineData("2014-02-07T14:55:00Z", 1391784900)]
    public void TryParseTimestamp_Formats_SecondsSinceEpoch(string text, double expected)
    {
        Assert.True(TimeFeatures.TryParseTimestamp(text, out double seconds));
        Assert.Equal(expected, seconds);
    }

    [Fact]
    public void AnomalyDetector_ScoredFeatures_IgnoresClockForecastErrors()
    {
        var settings = new ScorerSettings { Method = ScorerSettings.LogTailMethod, LongWindow = 100, ShortWindow = 5, WarmupSteps = 0, Threshold = 0.5, ExitThreshold = 0.4 };
        var d = new AnomalyDetector(settings, 3, scoredFeatures: 1);
        d.SetForecast([1f, 0f, 0f]);

        Assert.Equal(0.5f, d.Observe([1.5f, 9f, -9f]).Error);
        Assert.Equal(1, d.ScoredFeatures);
    }

    private static FeatureInfo F(string name) => new(name, "", 0, 1);
}
