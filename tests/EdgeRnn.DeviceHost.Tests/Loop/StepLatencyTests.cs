using System.Diagnostics;
using EdgeRnn.DeviceHost.Loop;
using Xunit;

namespace EdgeRnn.DeviceHost.Tests;

public sealed class StepLatencyTests
{
    private static long Ticks(double microseconds) => (long)(microseconds * Stopwatch.Frequency / 1e6);

    [Fact]
    public void NoStepsHasNoPercentile()
    {
        var latency = new StepLatency();
        Assert.True(double.IsNaN(latency.Percentile(0.5)));
        Assert.Equal(0, latency.Count);
    }

    [Fact]
    public void PercentilesAreWithinOneBucketOfTheTruth()
    {
        var latency = new StepLatency();
        var values = new List<double>();
        var random = new Random(7);
        for (int i = 0; i < 10_000; i++)
        {
            // Mostly 0.5-2 us, with a slow tail of 100-1000 us in 2% of the steps.
            double us = random.NextDouble() < 0.02 ? 100 + (900 * random.NextDouble()) : 0.5 + (1.5 * random.NextDouble());
            values.Add(us);
            latency.Record(Ticks(us));
        }

        values.Sort();
        foreach (double q in new[] { 0.5, 0.9, 0.99, 0.999 })
        {
            double truth = values[(int)Math.Ceiling(q * values.Count) - 1];
            double got = latency.Percentile(q);
            // Eight buckets per doubling: the middle of a bucket is within 2^(1/16) - 1 = 4.4% of any value in it, plus
            // the tick rounding at sub-microsecond times.
            Assert.InRange(got / truth, 0.9, 1.1);
        }

        Assert.Equal(10_000, latency.Count);
        Assert.InRange(latency.MaxMicroseconds, values[^1] * 0.99, values[^1] * 1.01);
    }

    [Fact]
    public void WindowsAreDifferencesOfSnapshots()
    {
        var latency = new StepLatency();
        for (int i = 0; i < 1000; i++)
        {
            latency.Record(Ticks(1000));
        }

        long[] before = latency.Snapshot();
        for (int i = 0; i < 100; i++)
        {
            latency.Record(Ticks(2));
        }

        long[] after = latency.Snapshot();
        long[] window = after.Zip(before, (a, b) => a - b).ToArray();
        Assert.InRange(StepLatency.Percentile(window, 0.99), 1.8, 2.2);
        Assert.InRange(latency.Percentile(0.5), 900, 1100);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-5.0)]
    [InlineData(double.NaN)]
    [InlineData(1e30)]
    public void ExtremeDurationsLandInTheEndBuckets(double nanoseconds)
    {
        int b = StepLatency.BucketOf(nanoseconds);
        Assert.InRange(b, 0, StepLatency.Buckets - 1);
    }
}
