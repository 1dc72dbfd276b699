using System.Globalization;
using EdgeRnn.Runtime;
using EdgeRnn.Train.Models;
using EdgeRnn.Train.Training;
using EdgeRnn.Desktop.Reference;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using static TorchSharp.torch;
using Tensor = EdgeRnn.Runtime.Tensor;

namespace EdgeRnn.Train.Export;

/// <summary>
/// Largest absolute differences from TorchSharp's forward on the same held-back input, and between ONNX Runtime and
/// EdgeRnn's runtime on the whole-sequence graph (which tells whose computation is off when the check fails).
/// </summary>
public sealed record VerifyErrors(double OrtSequence, double RuntimeSequence, double OrtStreaming, double RuntimeStreaming, int Steps, double OrtVsRuntime = 0)
{
    /// <summary>The largest of the four differences from TorchSharp (NaN counts as infinite).</summary>
    public double Max => new[] { OrtSequence, RuntimeSequence, OrtStreaming, RuntimeStreaming }.Select(e => double.IsNaN(e) ? double.PositiveInfinity : e).Max();

    /// <summary>Whether every difference is within <paramref name="tolerance"/>.</summary>
    public bool Passed(double tolerance) => Max <= tolerance;

    /// <summary>One line with the measured differences.</summary>
    public string Summary => string.Create(CultureInfo.InvariantCulture,
        $"verify ({Steps} held-back steps, max |diff| vs TorchSharp): ORT sequence {OrtSequence:E2}, runtime sequence {RuntimeSequence:E2}, ORT streaming {OrtStreaming:E2}, runtime streaming {RuntimeStreaming:E2}; ORT vs runtime {OrtVsRuntime:E2}");

    /// <summary>The error a user reads when the check fails: what was measured, what it means, what to try.</summary>
    public string FailureMessage(double tolerance)
    {
        string meaning;
        if (double.IsNaN(Max) || double.IsInfinity(Max) || double.IsNaN(OrtVsRuntime))
        {
            meaning = "Some outputs are NaN or infinite: training diverged. Try a smaller --lr, keep --clip-norm on, or check the recording for extreme values.";
        }
        else if (OrtVsRuntime <= tolerance)
        {
            meaning = string.Create(CultureInfo.InvariantCulture,
                $"ONNX Runtime and EdgeRnn agree with each other (max |diff| {OrtVsRuntime:E2}) but not with TorchSharp: the exported graph computes what its weights say, and libtorch's own forward pass computed something else on this machine. EdgeRnn keeps libtorch's recurrent layers off oneDNN, whose LSTM kernels are wrong on some AVX-512 CPUs; if the libtorch package was changed, go back to the pinned one. Otherwise please report it with the command line and the output of `lscpu`.");
        }
        else
        {
            meaning = string.Create(CultureInfo.InvariantCulture,
                $"ONNX Runtime and EdgeRnn disagree with each other (max |diff| {OrtVsRuntime:E2}): a defect in the export or in the EdgeRnn runtime, not in your data. Please report it with the command line.");
        }

        return string.Create(CultureInfo.InvariantCulture, $"export verification FAILED (tolerance {tolerance:E0}); nothing written. {Summary}. {meaning}");
    }
}

/// <summary>
/// The export check: runs the exported graphs in ONNX Runtime and in EdgeRnn's runtime (whole-sequence, and step by
/// step for the streaming graph) on held-back data and compares each with TorchSharp's forward.
/// </summary>
internal static class ExportVerifier
{
    public const double DefaultTolerance = 1e-4;

    /// <summary>Compares every exported graph with TorchSharp on <paramref name="input"/>: normalized held-back rows, row-major [steps, features] (one window for window tasks).</summary>
    public static VerifyErrors Verify(SensorNet net, ExportedModel model, float[] input)
    {
        ModelConfig c = net.Config;
        int steps = input.Length / c.Features;
        float[] expected = TorchForward(net, input, steps);
        var x = Tensor.FromFloat(input, steps, 1, c.Features);
        byte[] sequenceGraph = model.Sequence ?? model.Main;
        string outputName = c.Task == TrainTask.Classify ? "probabilities" : "y";
        float[] ort = OrtReference.Run(sequenceGraph, new Dictionary<string, Tensor> { ["x"] = x })[outputName].FloatData!;
        RnnModel runtime = RnnModel.Load(sequenceGraph);
        float[] ours = runtime.Run(new Dictionary<string, Tensor> { ["x"] = x })[outputName].FloatData!;
        double ortStream = 0, oursStream = 0;
        if (c.Task == TrainTask.Forecast)
        {
            ortStream = MaxAbs(expected, OrtStream(model.Main, c, input, steps));
            oursStream = MaxAbs(expected, RuntimeStream(model.Main, input, steps, c.Features));
        }

        return new VerifyErrors(MaxAbs(expected, ort), MaxAbs(expected, ours), ortStream, oursStream, steps, MaxAbs(ort, ours));
    }

    /// <summary>
    /// The export check of a token classifier on held-back sequences: <paramref name="ids"/> holds one or more
    /// windows of int64 ids back to back; TorchSharp's probabilities are compared with ONNX Runtime's and the EdgeRnn
    /// runtime's whole-window graph for each window (the largest difference is reported).
    /// </summary>
    public static VerifyErrors VerifyTokens(SensorNet net, ExportedModel model, long[] ids)
    {
        ArgumentNullException.ThrowIfNull(net);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(ids);
        int w = net.Config.Window;
        if (ids.Length == 0 || ids.Length % w != 0)
        {
            throw new ArgumentException($"{ids.Length} held-back ids are not whole windows of {w}.", nameof(ids));
        }

        RnnModel runtime = RnnModel.Load(model.Main);
        RnnModel? step = model.Step is null ? null : RnnModel.Load(model.Step);
        double ortError = 0, oursError = 0, ortStream = 0, oursStream = 0, ortVsOurs = 0;
        for (int at = 0; at < ids.Length; at += w)
        {
            long[] window = ids[at..(at + w)];
            float[] expected = TorchForwardTokens(net, window);
            var x = Tensor.FromInt64(window, w, 1);
            float[] ort = OrtReference.Run(model.Main, new Dictionary<string, Tensor> { ["x"] = x })["probabilities"].FloatData!;
            float[] ours = runtime.Run(new Dictionary<string, Tensor> { ["x"] = x })["probabilities"].FloatData!;
            ortError = Math.Max(ortError, MaxAbs(expected, ort));
            oursError = Math.Max(oursError, MaxAbs(expected, ours));
            ortVsOurs = Math.Max(ortVsOurs, MaxAbs(ort, ours));
            if (step is not null)
            {
                oursStream = Math.Max(oursStream, MaxAbs(expected, RuntimeStreamTokens(step, window)));
                ortStream = Math.Max(ortStream, MaxAbs(expected, OrtStreamTokens(model.Step!, net.Config, window)));
            }
        }

        return new VerifyErrors(ortError, oursError, ortStream, oursStream, ids.Length, ortVsOurs);
    }

    /// <summary>Streams token ids through a step graph with the EdgeRnn runtime (GetInt64Input + Step); returns the probabilities after the last one.</summary>
    public static float[] RuntimeStreamTokens(RnnModel step, long[] ids)
    {
        ArgumentNullException.ThrowIfNull(step);
        ArgumentNullException.ThrowIfNull(ids);
        RnnState state = step.CreateState();
        Span<long> input = state.GetInt64Input("x");
        foreach (long id in ids)
        {
            input[0] = id;
            step.Step(state);
        }

        return state.GetOutput("probabilities").ToArray();
    }

    private static float[] OrtStreamTokens(byte[] graph, ModelConfig c, long[] ids)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        using var session = new InferenceSession(graph, options);
        string[] stateInputs = [.. session.InputMetadata.Keys.Where(k => k != "x")];
        var states = stateInputs.ToDictionary(s => s, _ => new float[c.Hidden], StringComparer.Ordinal);
        int[] stateShape = [1, 1, c.Hidden];
        float[] probabilities = [];
        foreach (long id in ids)
        {
            var feeds = new List<NamedOnnxValue> { NamedOnnxValue.CreateFromTensor("x", new DenseTensor<long>(new[] { id }, [1, 1])) };
            feeds.AddRange(stateInputs.Select(s => NamedOnnxValue.CreateFromTensor(s, new DenseTensor<float>(states[s], stateShape))));
            using IDisposableReadOnlyCollection<DisposableNamedOnnxValue> outputs = session.Run(feeds);
            foreach (DisposableNamedOnnxValue o in outputs)
            {
                float[] values = ((DenseTensor<float>)o.Value).ToArray();
                if (o.Name == "probabilities")
                {
                    probabilities = values;
                }
                else
                {
                    states[o.Name.Replace("hn_", "h0_", StringComparison.Ordinal).Replace("cn_", "c0_", StringComparison.Ordinal)] = values;
                }
            }
        }

        return probabilities;
    }

    /// <summary>TorchSharp's class probabilities for one token sequence.</summary>
    public static float[] TorchForwardTokens(SensorNet net, long[] ids)
    {
        ArgumentNullException.ThrowIfNull(net);
        ArgumentNullException.ThrowIfNull(ids);
        return TorchRuntime.Exclusive(() =>
        {
            net.eval();
            using IDisposable noGrad = no_grad();
            using var scope = NewDisposeScope();
            return SensorNet.ToArray(nn.functional.softmax(net.call(tensor(ids, [ids.Length, 1])), -1));
        });
    }

    /// <summary>TorchSharp's output for one sequence (softmax probabilities for classification).</summary>
    public static float[] TorchForward(SensorNet net, float[] input, int steps) => TorchRuntime.Exclusive(() =>
    {
        net.eval();
        using IDisposable noGrad = no_grad();
        using var scope = NewDisposeScope();
        TorchSharp.torch.Tensor x = tensor(input, [steps, 1, net.Config.Features]);
        TorchSharp.torch.Tensor y = net.call(x);
        if (net.Config.Task == TrainTask.Classify)
        {
            y = nn.functional.softmax(y, -1);
        }

        return SensorNet.ToArray(y);
    });

    public static float[] RuntimeStream(byte[] graph, float[] input, int steps, int features)
    {
        RnnModel model = RnnModel.Load(graph);
        RnnState state = model.CreateState();
        var output = new float[steps * features];
        for (int t = 0; t < steps; t++)
        {
            model.Step(state, input.AsSpan(t * features, features), output.AsSpan(t * features, features));
        }

        return output;
    }

    private static float[] OrtStream(byte[] graph, ModelConfig c, float[] input, int steps)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        using var session = new InferenceSession(graph, options);
        var states = new Dictionary<string, float[]>(StringComparer.Ordinal);
        string[] stateInputs = [.. session.InputMetadata.Keys.Where(k => k != "x")];
        foreach (string s in stateInputs)
        {
            states[s] = new float[c.Hidden];
        }

        var result = new float[steps * c.Features];
        int[] stateShape = [1, 1, c.Hidden];
        for (int t = 0; t < steps; t++)
        {
            var feeds = new List<NamedOnnxValue>
            {
                NamedOnnxValue.CreateFromTensor("x", new DenseTensor<float>(input.AsMemory(t * c.Features, c.Features), [1, 1, c.Features])),
            };
            feeds.AddRange(stateInputs.Select(s => NamedOnnxValue.CreateFromTensor(s, new DenseTensor<float>(states[s], stateShape))));
            using IDisposableReadOnlyCollection<DisposableNamedOnnxValue> outputs = session.Run(feeds);
            foreach (DisposableNamedOnnxValue o in outputs)
            {
                float[] values = ((DenseTensor<float>)o.Value).ToArray();
                if (o.Name == "y")
                {
                    values.CopyTo(result, t * c.Features);
                }
                else
                {
                    states[o.Name.Replace("hn_", "h0_", StringComparison.Ordinal).Replace("cn_", "c0_", StringComparison.Ordinal)] = values;
                }
            }
        }

        return result;
    }

    private static double MaxAbs(float[] a, float[] b)
    {
        if (a.Length != b.Length)
        {
            return double.PositiveInfinity;
        }

        double max = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double e = Math.Abs((double)a[i] - b[i]);
            max = double.IsNaN(e) ? double.PositiveInfinity : Math.Max(max, e);
        }

        return max;
    }
}
