using BenchmarkDotNet.Attributes;
using EdgeRnn.Desktop.Models;
using EdgeRnn.Runtime;

namespace EdgeRnn.Benchmarks;

/// <summary>
/// One streaming LSTM step (built-in model, input 4, one layer): the float model (baseline) against the same model
/// quantized by edgernn-quantize (dynamic, per-channel, qdq) running EdgeRnn's int8 kernels, in the same run.
/// Target: int8 ≤ 0.6x fp32 at hidden 256, and not slower at hidden 64.
/// </summary>
[MemoryDiagnoser]
public class Perf_Lstm_Int8Step
{
    private RnnModel _fp32 = null!;
    private RnnModel _int8 = null!;
    private RnnState _fp32State = null!;
    private RnnState _int8State = null!;
    private readonly float[] _input = [0.1f, 0.2f, 0.3f, 0.4f];
    private readonly float[] _output = new float[4];
    private int _step;

    [Params(64, 256)]
    public int Hidden { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        string dir = Path.Combine(Path.GetTempPath(), "edgernn-bench-int8-" + Environment.ProcessId);
        Directory.CreateDirectory(dir);
        string fp32 = Path.Combine(dir, $"lstm{Hidden}.onnx");
        string int8 = Path.Combine(dir, $"lstm{Hidden}.int8.onnx");
        File.WriteAllBytes(fp32, BuiltinModels.CreateStreaming(RecurrentCellKind.Lstm, 4, Hidden, layers: 1));
        int code = Quantize.Program.Run([fp32, "-o", int8, "--latency-steps", "0"], TextWriter.Null, Console.Error);
        if (code != 0)
        {
            throw new InvalidOperationException($"edgernn-quantize exited with {code}.");
        }

        _fp32 = RnnModel.Load(fp32);
        _int8 = RnnModel.Load(int8);
        _fp32State = _fp32.CreateState();
        _int8State = _int8.CreateState();
        Directory.Delete(dir, recursive: true);
    }

    [Benchmark(Baseline = true, Description = "EdgeRnn fp32 Step")]
    public void FullPrecision()
    {
        _input[_step++ & 3] += 1e-3f;
        _fp32.Step(_fp32State, _input, _output);
    }

    [Benchmark(Description = "EdgeRnn int8 Step")]
    public void Quantized()
    {
        _input[_step++ & 3] += 1e-3f;
        _int8.Step(_int8State, _input, _output);
    }
}
