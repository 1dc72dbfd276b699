using BenchmarkDotNet.Attributes;
using EdgeRnn.Runtime.Kernels;

namespace EdgeRnn.Benchmarks;

/// <summary>
/// The LSTM input+recurrent mat-vec: W is 4H x (I + H) with input size I = 4, so Rows = 4H and Columns = H + 4.
/// Scalar reference versus the dispatched SIMD path (Vector512 on AVX-512 machines).
/// </summary>
[MemoryDiagnoser]
public class Perf_MatVec_Lstm
{
    private PackedMatrix _w = null!;
    private float[] _x = null!;
    private float[] _bias = null!;
    private float[] _destination = null!;

    [Params(16, 64, 256)]
    public int Hidden { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        int rows = 4 * Hidden;
        int columns = Hidden + 4;
        float[] weights = new float[rows * columns];
        for (int i = 0; i < weights.Length; i++)
        {
            weights[i] = random.NextSingle() - 0.5f;
        }

        _w = PackedMatrix.FromRowMajor(weights, rows, columns);
        _x = Enumerable.Range(0, columns).Select(_ => random.NextSingle()).ToArray();
        _bias = Enumerable.Range(0, rows).Select(_ => random.NextSingle()).ToArray();
        _destination = new float[rows];
    }

    [Benchmark(Baseline = true)]
    public void Scalar() => MatVec.Multiply(_w, _x, _bias, _destination, SimdWidth.Scalar);

    [Benchmark]
    public void Simd() => MatVec.Multiply(_w, _x, _bias, _destination);

    [Benchmark]
    public void SimdAccumulate() => MatVec.MultiplyAccumulate(_w, _x, _destination);
}
