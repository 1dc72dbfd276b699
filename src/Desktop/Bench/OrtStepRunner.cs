using EdgeRnn.Runtime;
using Microsoft.ML.OnnxRuntime;
using Tensor = EdgeRnn.Runtime.Tensor;

namespace EdgeRnn.Desktop.Bench;

/// <summary>
/// One streaming step in ONNX Runtime through its fastest API for it: a one-thread session and <see cref="OrtIoBinding"/>s
/// with every input and output bound once to pinned buffers. State inputs and outputs (pairs such as h0 → hn) alternate
/// between two bound buffer sets, so ORT's state carries from step to step with no copy. Shared by <c>edgernn bench</c>
/// and the BenchmarkDotNet project (linked source), which must not reference this executable.
/// </summary>
internal sealed class OrtStepRunner : IDisposable
{
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly OrtIoBinding[] _bindings;
    private readonly List<OrtValue> _values = [];
    private readonly List<float[]> _stateBuffers = [];
    private readonly float[] _firstOutput;
    private long _step;

    public OrtStepRunner(byte[] bytes, RnnModel model, Tensor[] inputs, Tensor[] outputs, IReadOnlyList<(string Input, string Output)> pairs)
    {
        using var options = new SessionOptions
        {
            IntraOpNumThreads = 1,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        _session = new InferenceSession(bytes, options);
        int sets = pairs.Count > 0 ? 2 : 1;
        _bindings = new OrtIoBinding[sets];
        for (int s = 0; s < sets; s++)
        {
            _bindings[s] = _session.CreateIoBinding();
        }

        // Binding s reads state set s and writes set 1 - s; steps alternate bindings, so the state carries with no copy.
        var stateSets = new Dictionary<string, float[][]>(StringComparer.Ordinal);
        foreach ((string input, string output) in pairs)
        {
            int length = inputs[IndexOf(model.Inputs, input)].Length;
            float[][] buffers = [new float[length], new float[length]];
            stateSets[input] = buffers;
            stateSets[output] = buffers;
            _stateBuffers.AddRange(buffers);
        }

        for (int i = 0; i < inputs.Length; i++)
        {
            string name = model.Inputs[i].Name;
            long[] shape = [.. inputs[i].GetShape().Select(d => (long)d)];
            for (int s = 0; s < sets; s++)
            {
                float[] data = stateSets.TryGetValue(name, out float[][]? buffers) ? buffers[s] : inputs[i].FloatData!;
                _bindings[s].BindInput(name, Track(OrtValue.CreateTensorValueFromMemory(data, shape)));
            }
        }

        _firstOutput = new float[outputs.Length > 0 ? outputs[0].Length : 0];
        for (int o = 0; o < outputs.Length; o++)
        {
            string name = model.Outputs[o].Name;
            long[] shape = [.. outputs[o].GetShape().Select(d => (long)d)];
            float[] shared = o == 0 ? _firstOutput : new float[outputs[o].Length];
            for (int s = 0; s < sets; s++)
            {
                float[] data = stateSets.TryGetValue(name, out float[][]? buffers) ? buffers[1 - s] : shared;
                _bindings[s].BindOutput(name, Track(OrtValue.CreateTensorValueFromMemory(data, shape)));
            }
        }
    }

    public const string Api = "InferenceSession.RunWithBinding (IoBinding, 1 thread)";

    public ReadOnlySpan<float> FirstOutput => _firstOutput;

    public void Step() => _session.RunWithBinding(_runOptions, _bindings[_step++ & (_bindings.Length - 1)]);

    public void Reset()
    {
        _step = 0;
        foreach (float[] buffer in _stateBuffers)
        {
            Array.Clear(buffer);
        }
    }

    public void Dispose()
    {
        foreach (OrtIoBinding binding in _bindings)
        {
            binding.Dispose();
        }

        foreach (OrtValue value in _values)
        {
            value.Dispose();
        }

        _runOptions.Dispose();
        _session.Dispose();
    }

    private OrtValue Track(OrtValue value)
    {
        _values.Add(value);
        return value;
    }

    private static int IndexOf(IReadOnlyList<OnnxValueInfo> values, string name)
    {
        for (int i = 0; i < values.Count; i++)
        {
            if (values[i].Name == name)
            {
                return i;
            }
        }

        throw new ArgumentException($"No graph value '{name}'.", nameof(name));
    }
}
