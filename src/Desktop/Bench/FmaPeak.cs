using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace EdgeRnn.Desktop.Bench;

/// <summary>
/// Measures the single-thread fp32 FMA peak: 16 independent accumulator chains of the widest accelerated vector, so
/// the loop is bound by FMA throughput, not latency. Each FMA counts 2 flops per lane.
/// </summary>
public static class FmaPeak
{
    private const int Chains = 16;

    /// <summary>The widest accelerated vector width in bits (128 when none is accelerated: the software fallback).</summary>
    public static int VectorBits => Vector512.IsHardwareAccelerated ? 512 : Vector256.IsHardwareAccelerated ? 256 : 128;

    /// <summary>Runs <paramref name="iterations"/> rounds of 16 FMAs and returns GFLOP/s (10⁹ flops per second).</summary>
    public static double MeasureGflops(long iterations = 50_000_000)
    {
        Run(1000); // warm up (tiering)
        Run(1000);
        long start = Stopwatch.GetTimestamp();
        float sink = Run(iterations);
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        GC.KeepAlive(sink);
        double flops = (double)iterations * Chains * 2 * (VectorBits / 32);
        return flops / seconds / 1e9;
    }

    /// <summary>The FMA loop at the widest width; returns a value depending on every chain.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static float Run(long iterations) =>
        Vector512.IsHardwareAccelerated ? Run512(iterations) : Vector256.IsHardwareAccelerated ? Run256(iterations) : Run128(iterations);

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Run512(long iterations)
    {
        Vector512<float> m = Vector512.Create(0.999999f), b = Vector512.Create(1e-7f);
        Vector512<float> a0 = Vector512.Create(1f), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        Vector512<float> a8 = a0, a9 = a0, a10 = a0, a11 = a0, a12 = a0, a13 = a0, a14 = a0, a15 = a0;
        for (long i = 0; i < iterations; i++)
        {
            a0 = Vector512.FusedMultiplyAdd(a0, m, b);
            a1 = Vector512.FusedMultiplyAdd(a1, m, b);
            a2 = Vector512.FusedMultiplyAdd(a2, m, b);
            a3 = Vector512.FusedMultiplyAdd(a3, m, b);
            a4 = Vector512.FusedMultiplyAdd(a4, m, b);
            a5 = Vector512.FusedMultiplyAdd(a5, m, b);
            a6 = Vector512.FusedMultiplyAdd(a6, m, b);
            a7 = Vector512.FusedMultiplyAdd(a7, m, b);
            a8 = Vector512.FusedMultiplyAdd(a8, m, b);
            a9 = Vector512.FusedMultiplyAdd(a9, m, b);
            a10 = Vector512.FusedMultiplyAdd(a10, m, b);
            a11 = Vector512.FusedMultiplyAdd(a11, m, b);
            a12 = Vector512.FusedMultiplyAdd(a12, m, b);
            a13 = Vector512.FusedMultiplyAdd(a13, m, b);
            a14 = Vector512.FusedMultiplyAdd(a14, m, b);
            a15 = Vector512.FusedMultiplyAdd(a15, m, b);
        }

        return Vector512.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11 + a12 + a13 + a14 + a15);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Run256(long iterations)
    {
        Vector256<float> m = Vector256.Create(0.999999f), b = Vector256.Create(1e-7f);
        Vector256<float> a0 = Vector256.Create(1f), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        Vector256<float> a8 = a0, a9 = a0, a10 = a0, a11 = a0, a12 = a0, a13 = a0;
        for (long i = 0; i < iterations; i++)
        {
            // 14 chains + 2 constants fit the 16 registers of AVX2 machines; two chains are counted twice below.
            a0 = Vector256.FusedMultiplyAdd(a0, m, b);
            a1 = Vector256.FusedMultiplyAdd(a1, m, b);
            a2 = Vector256.FusedMultiplyAdd(a2, m, b);
            a3 = Vector256.FusedMultiplyAdd(a3, m, b);
            a4 = Vector256.FusedMultiplyAdd(a4, m, b);
            a5 = Vector256.FusedMultiplyAdd(a5, m, b);
            a6 = Vector256.FusedMultiplyAdd(a6, m, b);
            a7 = Vector256.FusedMultiplyAdd(a7, m, b);
            a8 = Vector256.FusedMultiplyAdd(a8, m, b);
            a9 = Vector256.FusedMultiplyAdd(a9, m, b);
            a10 = Vector256.FusedMultiplyAdd(a10, m, b);
            a11 = Vector256.FusedMultiplyAdd(a11, m, b);
            a12 = Vector256.FusedMultiplyAdd(a12, m, b);
            a13 = Vector256.FusedMultiplyAdd(a13, m, b);
            a0 = Vector256.FusedMultiplyAdd(a0, m, b);
            a1 = Vector256.FusedMultiplyAdd(a1, m, b);
        }

        return Vector256.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11 + a12 + a13);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Run128(long iterations)
    {
        Vector128<float> m = Vector128.Create(0.999999f), b = Vector128.Create(1e-7f);
        Vector128<float> a0 = Vector128.Create(1f), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        Vector128<float> a8 = a0, a9 = a0, a10 = a0, a11 = a0, a12 = a0, a13 = a0;
        for (long i = 0; i < iterations; i++)
        {
            a0 = Vector128.FusedMultiplyAdd(a0, m, b);
            a1 = Vector128.FusedMultiplyAdd(a1, m, b);
            a2 = Vector128.FusedMultiplyAdd(a2, m, b);
            a3 = Vector128.FusedMultiplyAdd(a3, m, b);
            a4 = Vector128.FusedMultiplyAdd(a4, m, b);
            a5 = Vector128.FusedMultiplyAdd(a5, m, b);
            a6 = Vector128.FusedMultiplyAdd(a6, m, b);
            a7 = Vector128.FusedMultiplyAdd(a7, m, b);
            a8 = Vector128.FusedMultiplyAdd(a8, m, b);
            a9 = Vector128.FusedMultiplyAdd(a9, m, b);
            a10 = Vector128.FusedMultiplyAdd(a10, m, b);
            a11 = Vector128.FusedMultiplyAdd(a11, m, b);
            a12 = Vector128.FusedMultiplyAdd(a12, m, b);
            a13 = Vector128.FusedMultiplyAdd(a13, m, b);
            a0 = Vector128.FusedMultiplyAdd(a0, m, b);
            a1 = Vector128.FusedMultiplyAdd(a1, m, b);
        }

        return Vector128.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11 + a12 + a13);
    }
}
