using System.Diagnostics;

namespace EdgeRnn.DeviceHost.Loop;

/// <summary>
/// How long the loop's steps take (sensor reads, scoring, the model step, the outputs), as a histogram with eight
/// buckets per doubling from 64 ns to about 70 s: recording is an increment (no allocation, no lock), and p50/p99 read
/// from any thread are within 9% of the true value. Counts are cumulative; a reader that wants "the last minute" keeps a
/// <see cref="Snapshot"/> and subtracts.
/// </summary>
internal sealed class StepLatency
{
    /// <summary>Buckets per doubling.</summary>
    private const int PerOctave = 8;

    /// <summary>Doublings covered above <see cref="MinNanoseconds"/>.</summary>
    private const int Octaves = 30;

    /// <summary>The lower edge of the first bucket.</summary>
    private const double MinNanoseconds = 64;

    /// <summary>How many buckets there are (the last also holds everything slower).</summary>
    public const int Buckets = (PerOctave * Octaves) + 1;

    private static readonly double s_nanosecondsPerTick = 1e9 / Stopwatch.Frequency;
    private readonly long[] _counts = new long[Buckets];
    private long _count;
    private long _maxTicks;

    /// <summary>Steps recorded.</summary>
    public long Count => Volatile.Read(ref _count);

    /// <summary>The slowest step, in microseconds.</summary>
    public double MaxMicroseconds => Volatile.Read(ref _maxTicks) * s_nanosecondsPerTick / 1e3;

    /// <summary>Records one step of <paramref name="ticks"/> <see cref="Stopwatch"/> ticks (called by the loop thread only).</summary>
    public void Record(long ticks)
    {
        int bucket = BucketOf(ticks * s_nanosecondsPerTick);
        Volatile.Write(ref _counts[bucket], _counts[bucket] + 1);
        if (ticks > _maxTicks)
        {
            Volatile.Write(ref _maxTicks, ticks);
        }

        Volatile.Write(ref _count, _count + 1);
    }

    /// <summary>A copy of the counts (from any thread), for windows: subtract an earlier snapshot.</summary>
    public long[] Snapshot()
    {
        var copy = new long[Buckets];
        for (int i = 0; i < Buckets; i++)
        {
            copy[i] = Volatile.Read(ref _counts[i]);
        }

        return copy;
    }

    /// <summary>p50, p99 and the slowest step so far, in microseconds, from one snapshot; all null before the first step.</summary>
    public (double? P50, double? P99, double? Max) Summary()
    {
        long[] counts = Snapshot();
        double p50 = Percentile(counts, 0.5);
        return double.IsNaN(p50) ? (null, null, null) : (p50, Percentile(counts, 0.99), MaxMicroseconds);
    }

    /// <summary>The <paramref name="quantile"/> (0..1) of all steps so far, in microseconds; NaN before the first step.</summary>
    public double Percentile(double quantile) => Percentile(Snapshot(), quantile);

    /// <summary>
    /// The <paramref name="quantile"/> (0..1) of the steps in <paramref name="counts"/> (a <see cref="Snapshot"/>, or the
    /// difference of two), in microseconds: the geometric middle of the bucket it falls in; NaN when there are none.
    /// </summary>
    public static double Percentile(ReadOnlySpan<long> counts, double quantile)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(counts.Length, Buckets);
        ArgumentOutOfRangeException.ThrowIfLessThan(quantile, 0.0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(quantile, 1.0);
        long total = 0;
        foreach (long c in counts)
        {
            total += c;
        }

        if (total == 0)
        {
            return double.NaN;
        }

        long rank = Math.Max(1, (long)Math.Ceiling(quantile * total));
        long seen = 0;
        for (int i = 0; i < counts.Length; i++)
        {
            seen += counts[i];
            if (seen >= rank)
            {
                return MinNanoseconds * Math.Pow(2, (i + 0.5) / PerOctave) / 1e3;
            }
        }

        return MinNanoseconds * Math.Pow(2, (double)Octaves) / 1e3;
    }

    /// <summary>The bucket of a duration: floor(log2(ns / 64) x 8), clamped to the table.</summary>
    internal static int BucketOf(double nanoseconds)
    {
        if (!(nanoseconds > MinNanoseconds))
        {
            return 0;
        }

        double b = Math.Log2(nanoseconds / MinNanoseconds) * PerOctave;
        return b >= Buckets - 1 ? Buckets - 1 : (int)b;
    }
}
