using EdgeRnn.Deployment.Metadata;
using EdgeRnn.Deployment.Scoring;
using EdgeRnn.Runtime;

namespace EdgeRnn.Deployment.Tests.Scoring;

/// <summary>The log-tail scorer (NAB-style likelihood on a log scale), repeat masking and the out-of-range check.</summary>
public class LogTailScorerTests
{
    private static readonly ScorerSettings s_logTail = new()
    {
        Method = ScorerSettings.LogTailMethod,
        LongWindow = 500,
        ShortWindow = 10,
        WarmupSteps = 20,
        Threshold = 0.5,
        ExitThreshold = 0.4,
    };

    // log10(erfc(z / sqrt 2) / 2), from Python's math.erfc in double precision.
    [Theory]
    [InlineData(-2.0, -0.009994)]
    [InlineData(0.0, -0.301030)]
    [InlineData(1.0, -0.799546)]
    [InlineData(3.0, -2.869699)]
    [InlineData(5.0, -6.542646)]
    [InlineData(6.0, -9.005864)]
    [InlineData(10.0, -23.118053)]
    [InlineData(20.0, -88.560095)]
    [InlineData(35.0, -267.948882)]
    public void Log10UpperTail_MatchesReference(double z, double expected) =>
        Assert.Equal(expected, AnomalyDetector.Log10UpperTail(z), 3);

    [Fact]
    public void Log10UpperTail_ContinuousAtSeriesSwitch() =>
        Assert.Equal(AnomalyDetector.Log10UpperTail(29.999999), AnomalyDetector.Log10UpperTail(30.0), 4);

    [Fact]
    public void ObserveError_LargeSpike_KeepsResolutionBelowOne()
    {
        var d = new AnomalyDetector(s_logTail, 0);
        var rng = new Random(5);
        float quiet = 0;
        for (int t = 0; t < 1500; t++)
        {
            float likelihood = d.ObserveError(0.1 + (0.02 * rng.NextDouble())).Likelihood;
            quiet = t > 100 ? Math.Max(quiet, likelihood) : 0;
        }

        // Stationary noise stays far from the alarm level; a moderate and a large excursion are told apart.
        Assert.True(quiet < 0.45, $"noise reached {quiet}");
        AnomalyDetector copy = Clone(d);
        float moderate = d.ObserveError(0.2).Likelihood;
        float large = copy.ObserveError(0.5).Likelihood;
        Assert.InRange(moderate, 0.05f, 0.99f);
        Assert.True(large > moderate, $"{large} <= {moderate}");
    }

    [Fact]
    public void AnomalyScore_RepeatWithinMaskSteps_ReportsZeroUnlessHigher()
    {
        ScorerSettings settings = s_logTail with { MaskSteps = 50, MaskLevel = 0.3 };
        var d = new AnomalyDetector(settings, 0);
        for (int t = 0; t < 600; t++)
        {
            d.ObserveError(0.1 + (0.001 * (t % 7)));
        }

        // A first excursion that scores between the mask level and the top of the scale, so a later one can exceed it.
        double spike = new[] { 0.105, 0.11, 0.12, 0.14, 0.17, 0.2, 0.3, 0.5 }.First(e => Clone(d).ObserveError(e).Likelihood is >= 0.3f and < 0.9f);
        ScoreResult first = d.ObserveError(spike);
        Assert.Equal(first.Likelihood, first.AnomalyScore);
        Assert.True(first.AnomalyScore >= 0.3f);
        ScoreResult repeat = d.ObserveError(0.1);
        Assert.Equal(0f, repeat.AnomalyScore);
        Assert.True(repeat.Likelihood > 0, "the decision still sees the likelihood");
        ScoreResult higher = d.ObserveError(100);
        Assert.True(higher.AnomalyScore > first.AnomalyScore, "a higher score inside the mask is reported");

        var off = new AnomalyDetector(s_logTail, 0);
        for (int t = 0; t < 600; t++)
        {
            ScoreResult r = off.ObserveError(t % 50 == 0 ? 1 : 0.1);
            Assert.Equal(r.Likelihood, r.AnomalyScore);
        }
    }

    [Fact]
    public void AnomalyScore_RampWithinMask_ReportsOnlyRisesOfMaskRise()
    {
        // A score ramping up over rows (the short window filling with large errors) would report every step of the ramp
        // with MaskRise 0; NAB counts each as a false positive outside a window.
        ScorerSettings settings = s_logTail with { MaskSteps = 50, MaskLevel = 0.3, MaskRise = 0.25 };
        var d = new AnomalyDetector(settings, 0);
        var any = new AnomalyDetector(settings with { MaskRise = 0 }, 0);
        var never = new AnomalyDetector(settings with { MaskRise = 1 }, 0);
        for (int t = 0; t < 600; t++)
        {
            double quiet = 0.1 + (0.001 * (t % 7));
            d.ObserveError(quiet);
            any.ObserveError(quiet);
            never.ObserveError(quiet);
        }

        var reported = new List<float>();
        int reportsAny = 0, reportsNever = 0;
        float lastLikelihood = 0;
        for (int t = 0; t < 10; t++)
        {
            // The same error each row: the 10-row mean, and so the likelihood, climbs row by row.
            ScoreResult r = d.ObserveError(0.13);
            // Scores under the mask level are not alarms and are reported as they are: count the alarms.
            reportsAny += any.ObserveError(0.13).AnomalyScore >= 0.3f ? 1 : 0;
            reportsNever += never.ObserveError(0.13).AnomalyScore >= 0.3f ? 1 : 0;
            Assert.True(r.Likelihood >= lastLikelihood, "the test needs a ramp");
            lastLikelihood = r.Likelihood;
            if (r.AnomalyScore >= 0.3f)
            {
                reported.Add(r.AnomalyScore);
            }
        }

        Assert.True(lastLikelihood >= 0.9f, $"the ramp must climb far ({lastLikelihood})");
        Assert.Equal(1, reportsNever);
        Assert.True(reported.Count >= 2, $"a climb of more than 0.25 is reported again ({reported.Count})");
        Assert.True(reportsAny > reported.Count, $"any rise reports more of the ramp's steps ({reportsAny} vs {reported.Count})");
        for (int i = 1; i < reported.Count; i++)
        {
            Assert.True(reported[i] > reported[i - 1] + 0.25f, $"report {i} ({reported[i]}) is not 0.25 above {reported[i - 1]}");
        }
    }

    [Fact]
    public void Observe_ReadingBeyondSeenRange_ScoresOne()
    {
        ScorerSettings settings = s_logTail with { SpatialTolerance = 0.1 };
        var d = new AnomalyDetector(settings, 1);
        for (int t = 0; t < 200; t++)
        {
            float x = MathF.Sin(t * 0.1f);
            d.Observe([x]);
            d.SetForecast([MathF.Sin((t + 1) * 0.1f)]);
        }

        // Perfect forecasts: only the range check can raise the score.
        d.SetForecast([1.5f]);
        Assert.Equal(1f, d.Observe([1.5f]).Likelihood);
        d.SetForecast([1.05f]);
        Assert.True(d.Observe([1.05f]).Likelihood < 1f, "inside the widened range");
    }

    [Fact]
    public void WriteToReadFrom_MidStream_ContinuesIdentically()
    {
        ScorerSettings settings = s_logTail with { MaskSteps = 30, MaskLevel = 0.2, SpatialTolerance = 0.05, SlowWindow = 100 };
        var a = new AnomalyDetector(settings, 2);
        var rng = new Random(9);
        float[] x = new float[2];
        for (int t = 0; t < 700; t++)
        {
            Step(a, rng, x, t);
        }

        var bytes = new byte[a.SerializedLength];
        a.WriteTo(bytes);
        var b = new AnomalyDetector(settings, 2);
        b.ReadFrom(bytes);
        var rngA = new Random(11);
        var rngB = new Random(11);
        for (int t = 700; t < 1400; t++)
        {
            Assert.Equal(Step(a, rngA, x, t), Step(b, rngB, x, t));
        }
    }

    [Fact]
    public void ReadFrom_NaNInTheSlowStatistics_ThrowsAndLeavesTheDetectorUnchanged()
    {
        ScorerSettings settings = s_logTail with { SlowWindow = 100 };
        var a = new AnomalyDetector(settings, 1);
        for (int t = 0; t < 50; t++)
        {
            a.ObserveError(0.1 + (0.01 * (t % 3)));
        }

        var bytes = new byte[a.SerializedLength];
        a.WriteTo(bytes);
        int slowMean = bytes.Length - 32 - (8 * 1) - (8 * settings.ShortWindow) - 16; // recent errors and the range follow it
        System.Buffers.Binary.BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(slowMean), double.NaN);
        System.Security.Cryptography.SHA256.HashData(bytes.AsSpan(0, bytes.Length - 32), bytes.AsSpan(bytes.Length - 32));
        var b = new AnomalyDetector(settings, 1);

        InvalidDataException e = Assert.Throws<InvalidDataException>(() => b.ReadFrom(bytes));
        Assert.Contains("not finite", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, b.Steps);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void HugeError_IsClamped_SoTheSavedStateRestores(bool logTail)
    {
        // Fuzz case: a restored forecast of 1e30 (finite) made an error that pushed the statistics past what a saved
        // state may hold, so the state the device saved next was discarded at the following start.
        ScorerSettings settings = logTail ? s_logTail with { SlowWindow = 100 } : s_logTail with { Method = null };
        var a = new AnomalyDetector(settings, 1);
        for (int t = 0; t < 30; t++)
        {
            a.SetForecast([0.1f]);
            a.Observe([0.1f + (0.01f * (t % 3))]);
        }

        a.SetForecast([1e30f]);
        ScoreResult spike = a.Observe([0f]);
        Assert.Equal(AnomalyDetector.MaxError, spike.Error);
        Assert.True(spike.Likelihood > 0.99, $"likelihood {spike.Likelihood}");
        a.SetForecast([-3e38f]);
        a.Observe([3e38f]);

        AnomalyDetector b = Clone(a);
        Assert.Equal(a.Steps, b.Steps);
        a.SetForecast([0.1f]);
        b.SetForecast([0.1f]);
        Assert.Equal(a.Observe([0.1f]), b.Observe([0.1f]));
    }

    [Fact]
    public void ReadFrom_ARecentSumThatIsNotTheSumOfTheRecentErrors_IsRecomputed()
    {
        var a = new AnomalyDetector(s_logTail, 1);
        for (int t = 0; t < 50; t++)
        {
            a.ObserveError(0.1 + (0.01 * (t % 3)));
        }

        var bytes = new byte[a.SerializedLength];
        a.WriteTo(bytes);
        int recentSum = bytes.Length - 32 - (8 * 1) - (8 * s_logTail.ShortWindow) - 40;
        System.Buffers.Binary.BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(recentSum), 1e15);
        System.Security.Cryptography.SHA256.HashData(bytes.AsSpan(0, bytes.Length - 32), bytes.AsSpan(bytes.Length - 32));
        var b = new AnomalyDetector(s_logTail, 1);
        b.ReadFrom(bytes);

        for (int t = 50; t < 100; t++)
        {
            double e = 0.1 + (0.01 * (t % 3));
            Assert.Equal(a.ObserveError(e).Likelihood, b.ObserveError(e).Likelihood, 1e-6);
        }

        var again = new byte[b.SerializedLength];
        b.WriteTo(again);
        new AnomalyDetector(s_logTail, 1).ReadFrom(again);
    }

    [Fact]
    public void ReadFrom_GaussianStateIntoLogTailDetector_Throws()
    {
        var gaussian = new AnomalyDetector(s_logTail with { Method = null }, 1);
        var bytes = new byte[gaussian.SerializedLength];
        gaussian.WriteTo(bytes);

        Assert.Throws<InvalidDataException>(() => new AnomalyDetector(s_logTail, 1).ReadFrom(bytes));
    }

    [Theory]
    [InlineData(null, 5, 0.0)]
    [InlineData("log-tail", -1, 0.0)]
    [InlineData("log-tail", 0, 1.5)]
    [InlineData("cdf", 0, 0.0)]
    [InlineData("log-tail", 10, 0.5, -0.1)]
    [InlineData("log-tail", 10, 0.5, 1.5)]
    public void Validate_BadMaskOrMethod_ThrowsModelFormatException(string? method, int maskSteps, double maskLevel, double maskRise = 0) =>
        Assert.Throws<ModelFormatException>(() => (s_logTail with { Method = method, MaskSteps = maskSteps, MaskLevel = maskLevel, MaskRise = maskRise }).Validate("test"));

    private static ScoreResult Step(AnomalyDetector d, Random rng, float[] x, int t)
    {
        x[0] = (float)Math.Sin(t * 0.05) + (0.05f * (float)rng.NextDouble()) + (t % 333 == 0 ? 3 : 0);
        x[1] = (float)rng.NextDouble();
        ScoreResult r = d.Observe(x);
        d.SetForecast([(float)Math.Sin((t + 1) * 0.05), 0.5f]);
        return r;
    }

    private static AnomalyDetector Clone(AnomalyDetector d)
    {
        var bytes = new byte[d.SerializedLength];
        d.WriteTo(bytes);
        var copy = new AnomalyDetector(d.Settings, d.Features);
        copy.ReadFrom(bytes);
        return copy;
    }
}
