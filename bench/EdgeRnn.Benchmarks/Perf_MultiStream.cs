using BenchmarkDotNet.Attributes;
using EdgeRnn.Desktop.Models;
using EdgeRnn.Runtime;

namespace EdgeRnn.Benchmarks;

/// <summary>
/// N streams of one built-in LSTM (input 4, one layer) per call (issue 16, a gateway): N separate
/// <see cref="RnnModel.Step(RnnState, ReadOnlySpan{float}, Span{float})"/> calls (the baseline) against one
/// <see cref="RnnModel.Step(RnnStreams, ReadOnlySpan{float}, Span{float})"/>, which reads each weight once for all N.
/// Targets: hidden 256 x 16 streams at >= 50% of the FMA peak (<see cref="Perf_FmaPeak"/>: GFLOP/s =
/// 2 x 16 x 266,240 multiply-adds / time); hidden 64 x 16 streams >= 4x the baseline's throughput.
/// </summary>
[MemoryDiagnoser]
public class Perf_Lstm_Streams
{
    private RnnModel _model = null!;
    private RnnStreams _streams = null!;
    private RnnState[] _states = [];
    private float[] _inputs = [];
    private float[] _outputs = [];

    [Params(64, 256)]
    public int Hidden { get; set; }

    [Params(16)]
    public int Streams { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _model = RnnModel.Load(BuiltinModels.CreateStreaming(RecurrentCellKind.Lstm, 4, Hidden, layers: 1));
        _streams = _model.CreateStreams(Streams);
        _states = [.. Enumerable.Range(0, Streams).Select(_ => _model.CreateState())];
        var random = new Random(42);
        _inputs = [.. Enumerable.Range(0, Streams * 4).Select(_ => random.NextSingle() - 0.5f)];
        _outputs = new float[Streams * 4];
    }

    [Benchmark(Baseline = true, Description = "N x EdgeRnn Step")]
    public void Separate()
    {
        for (int s = 0; s < _states.Length; s++)
        {
            _model.Step(_states[s], _inputs.AsSpan(s * 4, 4), _outputs.AsSpan(s * 4, 4));
        }
    }

    [Benchmark(Description = "EdgeRnn Step(streams)")]
    public void Together() => _model.Step(_streams, _inputs, _outputs);
}
