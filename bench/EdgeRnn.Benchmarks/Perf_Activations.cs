using BenchmarkDotNet.Attributes;
using EdgeRnn.Runtime.Kernels;

namespace EdgeRnn.Benchmarks;

/// <summary>Span activations over one LSTM gate block (4H values), and the fused LSTM cell update.</summary>
[MemoryDiagnoser]
public class Perf_Activations
{
    private float[] _x = null!;
    private float[] _destination = null!;
    private float[] _c = null!;
    private float[] _h = null!;

    [Params(256, 1024)]
    public int Length { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        _x = Enumerable.Range(0, Length).Select(_ => (random.NextSingle() * 16) - 8).ToArray();
        _destination = new float[Length];
        _c = new float[Length / 4];
        _h = new float[Length / 4];
    }

    [Benchmark(Baseline = true)]
    public void TanhScalar() => UnaryLoop.Invoke<TanhOperator>(_x, _destination, SimdWidth.Scalar);

    [Benchmark]
    public void Tanh() => Activations.Tanh(_x, _destination);

    [Benchmark]
    public void Sigmoid() => Activations.Sigmoid(_x, _destination);

    [Benchmark]
    public void LstmUpdate() => RecurrentCells.LstmUpdate(_x, default, float.PositiveInfinity, _c, _h);
}
