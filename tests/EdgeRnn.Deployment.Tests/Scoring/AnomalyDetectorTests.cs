using EdgeRnn.Deployment.Metadata;
using EdgeRnn.Deployment.Scoring;
using EdgeRnn.Runtime;

namespace EdgeRnn.Deployment.Tests.Scoring;

public class AnomalyDetectorTests
{
    private static readonly ScorerSettings s_settings = new() { LongWindow = 200, ShortWindow = 5, WarmupSteps = 50, Threshold = 0.999, ExitThreshold = 0.95, MinDuration = 2 };

    [Theory]
    [InlineData(0, 0.5)]
    [InlineData(1.959963985, 0.975)]
    [InlineData(-1.644853627, 0.05)]
    [InlineData(3.090232306, 0.999)]
    public void NormalCdf_KnownQuantiles(double z, double p) => Assert.Equal(p, AnomalyDetector.NormalCdf(z), 6);

    [Fact]
    public void ObserveError_SpikeAfterNoise_StartsThenEndsAnomaly()
    {
        var d = new AnomalyDetector(s_settings, 0);
        var rng = new Random(3);
        int falseAlarms = 0;
        for (int t = 0; t < 2000; t++)
        {
            falseAlarms += d.ObserveError(0.1 + (0.02 * rng.NextDouble())).Change == DecisionChange.Started ? 1 : 0;
        }

        Assert.True(falseAlarms <= 2, $"{falseAlarms} alarms on stationary noise");
        Assert.False(d.Active);
        ScoreResult first = d.ObserveError(1.0);
        ScoreResult second = d.ObserveError(1.0);
        Assert.True(first.Likelihood > 0.999 && !first.Active, "one step is below the minimum duration");
        Assert.Equal(DecisionChange.Started, second.Change);
        ScoreResult last = default;
        for (int t = 0; t < 200 && last.Change != DecisionChange.Ended; t++)
        {
            last = d.ObserveError(0.1 + (0.02 * rng.NextDouble()));
        }

        Assert.Equal(DecisionChange.Ended, last.Change);
    }

    [Fact]
    public void ObserveError_DuringWarmup_ScoresZero()
    {
        var d = new AnomalyDetector(s_settings, 0);
        for (int t = 0; t < 50; t++)
        {
            Assert.Equal(0f, d.ObserveError(t % 7 == 0 ? 100 : 0.1).Likelihood);
        }
    }

    [Fact]
    public void Observe_UsesPreviousForecastAndAllocatesNothing()
    {
        var d = new AnomalyDetector(s_settings, 2);
        Assert.Equal(0f, d.Observe([1f, 1f]).Error);
        d.SetForecast([1f, 2f]);
        Assert.Equal(1.5f, d.Observe([0f, 4f]).Error);
        float[] f = [0.5f, 0.5f];
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10_000; i++)
        {
            d.SetForecast(f);
            d.Observe(f);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void WriteToReadFrom_ContinuesIdentically_AndRefusesCorruption()
    {
        var a = new AnomalyDetector(s_settings, 1);
        var rng = new Random(1);
        for (int t = 0; t < 300; t++)
        {
            a.SetForecast([(float)rng.NextDouble()]);
            a.Observe([(float)rng.NextDouble()]);
        }

        var bytes = new byte[a.SerializedLength];
        a.WriteTo(bytes);
        var b = new AnomalyDetector(s_settings, 1);
        b.ReadFrom(bytes);
        for (int t = 0; t < 50; t++)
        {
            float x = (float)rng.NextDouble();
            Assert.Equal(a.Observe([x]), b.Observe([x]));
            a.SetForecast([x]);
            b.SetForecast([x]);
        }

        bytes[30] ^= 1;
        Assert.Throws<InvalidDataException>(() => b.ReadFrom(bytes));
        Assert.Throws<InvalidDataException>(() => new AnomalyDetector(s_settings, 2).ReadFrom(new byte[10]));
        Assert.Throws<InvalidDataException>(() => new AnomalyDetector(s_settings with { LongWindow = 300 }, 1).ReadFrom(bytes.AsSpan().ToArray()));
    }
}
