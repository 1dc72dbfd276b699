using System.Globalization;
using EdgeRnn.Desktop.Onnx;
using EdgeRnn.Runtime;

namespace EdgeRnn.Desktop.Models;

/// <summary>
/// Streaming benchmark graphs built with <see cref="OnnxGraphBuilder"/>, shared by <c>edgernn bench</c> and the
/// BenchmarkDotNet project so both measure the same model. Needs no ONNX Runtime.
/// </summary>
/// <remarks>
/// The graph takes one time step of one stream: input <c>x</c> float [1, 1, input]; per layer <c>l</c> the state
/// inputs <c>h0_l</c> (and <c>c0_l</c> for a cell with a cell state, LSTM) of shape [1, 1, hidden], fed to the node's
/// initial_h / initial_c. Each layer is the cell's ONNX node in the form its PyTorch module computes
/// (<see cref="RecurrentCell.TorchAttributes"/>: GRU with <c>linear_before_reset = 1</c>).
/// Each layer's Y [1, 1, 1, hidden] is reshaped to [1, 1, hidden] and feeds the next layer; Y_h and Y_c are the
/// graph outputs <c>hn_l</c> and <c>cn_l</c>. A MatMul + Add head maps the last layer to <c>y</c> [1, 1, input]
/// (a one-step forecast). Weights are uniform in ±1/sqrt(hidden) (PyTorch's initialization) from a fixed seed.
/// Inputs are ordered x, h0_0, c0_0, h0_1, ...; outputs y, hn_0, cn_0, hn_1, ....
/// </remarks>
public static class BuiltinModels
{
    /// <summary>The default seed of the weights.</summary>
    public const int DefaultSeed = 1234;

    /// <summary>Builds the streaming graph and returns the model file's bytes.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is zero or negative.</exception>
    public static byte[] CreateStreaming(RecurrentCellKind cell, int inputSize, int hiddenSize, int layers = 1, int seed = DefaultSeed) =>
        Create(cell, inputSize, hiddenSize, layers, seed, sequence: false);

    /// <summary>
    /// Builds the same network (same weights for the same seed) as a whole-sequence graph: input <c>x</c> float
    /// [seq, 1, input] with a symbolic time axis, zero initial states (no state inputs or outputs), output
    /// <c>y</c> [seq, 1, input]. ONNX Runtime runs it as is, and EdgeRnn also streams it (each layer carries its state).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is zero or negative.</exception>
    public static byte[] CreateSequence(RecurrentCellKind cell, int inputSize, int hiddenSize, int layers = 1, int seed = DefaultSeed) =>
        Create(cell, inputSize, hiddenSize, layers, seed, sequence: true);

    private static byte[] Create(RecurrentCellKind cell, int inputSize, int hiddenSize, int layers, int seed, bool sequence)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(hiddenSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(layers);
        if (!Enum.IsDefined(cell))
        {
            throw new ArgumentOutOfRangeException(nameof(cell), cell, "Unknown cell.");
        }

        RecurrentCell recurrent = RecurrentCell.For(cell);
        string cellName = cell.ToString().ToLowerInvariant();
        var random = new Random(seed);
        float scale = 1f / MathF.Sqrt(hiddenSize);
        int gates = recurrent.Gates;
        var g = new OnnxGraphBuilder("edgernn_bench_" + cellName);
        g.SetMetadata("edgernn.format", "1");
        g.SetMetadata("edgernn.builtin", string.Create(CultureInfo.InvariantCulture,
            $"{cell} input={inputSize} hidden={hiddenSize} layers={layers} seed={seed}"));
        OnnxDimension one = OnnxDimension.Fixed(1);
        OnnxDimension time = sequence ? OnnxDimension.Symbolic("seq") : one;
        g.AddInput("x", TensorElementType.Float, time, one, OnnxDimension.Fixed(inputSize));
        g.AddInitializer("step_shape", Tensor.FromInt64([sequence ? -1 : 1, 1, hiddenSize], 3));
        string layerInput = "x";
        int features = inputSize;
        for (int l = 0; l < layers; l++)
        {
            string h0 = Name("h0_", l), c0 = Name("c0_", l), hn = Name("hn_", l), cn = Name("cn_", l), y = Name("y_", l);
            if (sequence)
            {
                (h0, c0, hn, cn) = ("", "", "", "");
            }
            else
            {
                g.AddInput(h0, TensorElementType.Float, one, one, OnnxDimension.Fixed(hiddenSize));
            }

            Tensor w = Uniform(random, scale, 1, gates * hiddenSize, features);
            Tensor r = Uniform(random, scale, 1, gates * hiddenSize, hiddenSize);
            Tensor b = Uniform(random, scale, 1, 2 * gates * hiddenSize);
            if (recurrent.HasCellState && !sequence)
            {
                g.AddInput(c0, TensorElementType.Float, one, one, OnnxDimension.Fixed(hiddenSize));
            }

            OnnxNodeBuilder node = g.AddRecurrent(cell, Name(cellName + "_", l), layerInput, hiddenSize, w, r, b,
                recurrent.HasCellState ? [y, hn, cn] : [y, hn], initialH: NullIfEmpty(h0), initialC: recurrent.HasCellState ? NullIfEmpty(c0) : null);
            foreach ((string attribute, long value) in recurrent.TorchAttributes)
            {
                node.WithAttribute(attribute, value);
            }

            string reshaped = Name("layer_out_", l);
            g.AddNode("Reshape", [y, "step_shape"], [reshaped], Name("reshape_", l));
            layerInput = reshaped;
            features = hiddenSize;
        }

        g.AddMatMul("head", layerInput, Uniform(random, scale, hiddenSize, inputSize), "head_out");
        g.AddInitializer("head.B", Uniform(random, scale, inputSize));
        g.AddNode("Add", ["head_out", "head.B"], ["y"], "head_add");
        g.AddOutput("y", TensorElementType.Float, time, one, OnnxDimension.Fixed(inputSize));
        for (int l = 0; !sequence && l < layers; l++)
        {
            g.AddOutput(Name("hn_", l), TensorElementType.Float, one, one, OnnxDimension.Fixed(hiddenSize));
            if (recurrent.HasCellState)
            {
                g.AddOutput(Name("cn_", l), TensorElementType.Float, one, one, OnnxDimension.Fixed(hiddenSize));
            }
        }

        return g.ToBytes();
    }

    private static string? NullIfEmpty(string s) => s.Length == 0 ? null : s;

    private static string Name(string prefix, int layer) => prefix + layer.ToString(CultureInfo.InvariantCulture);

    private static Tensor Uniform(Random random, float scale, params int[] shape)
    {
        var data = new float[Tensor.ElementCount(shape)];
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = ((2 * random.NextSingle()) - 1) * scale;
        }

        return Tensor.FromFloat(data, shape);
    }
}
