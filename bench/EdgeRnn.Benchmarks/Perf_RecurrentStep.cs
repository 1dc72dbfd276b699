using BenchmarkDotNet.Attributes;
using EdgeRnn.Desktop.Bench;
using EdgeRnn.Desktop.Models;
using EdgeRnn.Runtime;

namespace EdgeRnn.Benchmarks;

/// <summary>
/// One streaming time step of a built-in model (the one <c>edgernn bench --builtin</c> uses): EdgeRnn's
/// <see cref="RnnModel.Step(RnnState, ReadOnlySpan{float}, Span{float})"/> against ONNX Runtime 1.31.1 through
/// OrtIoBinding with buffers bound once and one thread (the baseline), measured in the same run.
/// </summary>
[MemoryDiagnoser]
public abstract class Perf_RecurrentStep : IDisposable
{
    private RnnModel _model = null!;
    private RnnState _state = null!;
    private OrtStepRunner _ort = null!;
    private float[] _input = [];
    private float[] _output = [];
    private int _step;

    [Params(16, 64, 256)]
    public int Hidden { get; set; }

    [Params(4, 8)]
    public int Input { get; set; }

    [Params(1, 2)]
    public int Layers { get; set; }

    protected abstract RecurrentCellKind Cell { get; }

    [GlobalSetup]
    public void Setup()
    {
        byte[] bytes = BuiltinModels.CreateStreaming(Cell, Input, Hidden, Layers);
        _model = RnnModel.Load(bytes);
        _state = _model.CreateState();
        Tensor[] inputs = [.. _model.Inputs.Select(i => Tensor.Zeros(TensorElementType.Float, [.. i.Shape!.Select(d => (int)d.Value)]))];
        Tensor[] outputs = _model.Run(inputs);
        _ort = new OrtStepRunner(bytes, _model, inputs, outputs, _model.StatePairs);
        _input = new float[Input];
        _output = new float[Input];
        for (int i = 0; i < _input.Length; i++)
        {
            _input[i] = 0.1f * (i + 1);
        }
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _ort?.Dispose();
        GC.SuppressFinalize(this);
    }

    [Benchmark(Baseline = true, Description = "ORT IoBinding")]
    public void OnnxRuntime() => _ort.Step();

    [Benchmark(Description = "EdgeRnn Step")]
    public void EdgeRnn()
    {
        _input[_step++ % _input.Length] += 1e-3f;
        _model.Step(_state, _input, _output);
    }
}

public class Perf_Lstm_Step : Perf_RecurrentStep
{
    protected override RecurrentCellKind Cell => RecurrentCellKind.Lstm;
}

public class Perf_Gru_Step : Perf_RecurrentStep
{
    protected override RecurrentCellKind Cell => RecurrentCellKind.Gru;
}
