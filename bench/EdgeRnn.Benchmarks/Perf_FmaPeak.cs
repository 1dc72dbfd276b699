using BenchmarkDotNet.Attributes;
using EdgeRnn.Desktop.Bench;

namespace EdgeRnn.Benchmarks;

/// <summary>
/// The machine's single-thread fp32 FMA peak, the ceiling for the mat-vec kernels: one invocation runs
/// <see cref="Iterations"/> rounds of 16 FMAs on the widest vector; GFLOP/s = Iterations * 16 * 2 * lanes / time.
/// The global setup also prints <see cref="FmaPeak.MeasureGflops"/> directly.
/// </summary>
[MemoryDiagnoser]
public class Perf_FmaPeak
{
    public const long Iterations = 1_000_000;

    private long _iterations;

    /// <summary>The GFLOP/s measured by the global setup.</summary>
    public double MeasuredGflops { get; private set; }

    [GlobalSetup]
    public void Setup()
    {
        _iterations = Iterations;
        MeasuredGflops = FmaPeak.MeasureGflops();
        Console.WriteLine($"// FmaPeak: {MeasuredGflops:F1} GFLOP/s fp32 single thread (Vector{FmaPeak.VectorBits}, 16 chains)");
    }

    [Benchmark(OperationsPerInvoke = (int)Iterations)]
    public float FmaRound16() => FmaPeak.Run(_iterations);
}
