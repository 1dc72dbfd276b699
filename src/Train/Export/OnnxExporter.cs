using System.Globalization;
using EdgeRnn.Desktop.Onnx;
using EdgeRnn.Runtime;
using EdgeRnn.Runtime.Onnx;
using EdgeRnn.Train.Models;
using EdgeRnn.Train.Training;

namespace EdgeRnn.Train.Export;

/// <summary>The ONNX files of one trained model.</summary>
/// <param name="Main">The deployed graph: streaming (forecast) or whole-window (autoencoder, classify).</param>
/// <param name="Sequence">The whole-sequence forecast graph (null for window tasks, whose main graph is already whole-window).</param>
/// <param name="Step">
/// Unidirectional token classifiers: the one-token streaming graph (<c>x</c> int64 [1, 1], state pairs, the
/// probabilities of the prefix so far); after the window's last token it equals the whole-window graph. Else null.
/// </param>
internal sealed record ExportedModel(byte[] Main, byte[]? Sequence, byte[]? Step = null);

/// <summary>
/// Writes a <see cref="SensorNet"/> as ONNX (opset 17, layout 0) with <see cref="OnnxGraphBuilder"/>: one
/// LSTM / GRU / RNN node per layer, then MatMul + Add (or Gemm + Softmax for classification).
/// </summary>
/// <remarks>
/// Gate orders and attributes come from the cell (<see cref="RecurrentCell.TorchGateOrder"/>,
/// <see cref="RecurrentCell.TorchAttributes"/>): torch LSTM blocks (i, f, g, o) become ONNX (i, o, f, c), i.e. torch
/// blocks {0, 3, 1, 2}; torch GRU (r, z, n) becomes ONNX (z, r, h), torch blocks {1, 0, 2}, with
/// linear_before_reset = 1; ONNX B = [W_b; R_b].
/// Forecast graphs: the streaming graph takes <c>x</c> [1, 1, F] and per layer l the state <c>h0_l</c> (and
/// <c>c0_l</c>) [1, 1, H], returns <c>y</c> [1, 1, F] and <c>hn_l</c> (<c>cn_l</c>); the sequence graph takes
/// <c>x</c> [seq, 1, F] with zero initial state and returns <c>y</c> [seq, 1, F].
/// </remarks>
internal static class OnnxExporter
{
    public const int Opset = 17;

    public static ExportedModel Export(SensorNet net, IReadOnlyDictionary<string, string> metadata)
    {
        ArgumentNullException.ThrowIfNull(net);
        ArgumentNullException.ThrowIfNull(metadata);
        ModelConfig c = net.Config;

        // Reading the weights is torch work: it must not overlap training on another thread.
        return TorchRuntime.Exclusive(() => c.Task switch
        {
            TrainTask.Forecast => new ExportedModel(Forecast(net, metadata, streaming: true), Forecast(net, metadata, streaming: false)),
            TrainTask.Autoencoder => new ExportedModel(Autoencoder(net, metadata), null),
            _ => new ExportedModel(Classifier(net, metadata, streaming: false), null,
                c.IsTokenModel && !c.Bidirectional ? Classifier(net, metadata, streaming: true) : null),
        });
    }

    /// <summary>The state pairs of the streaming forecast graph, as <c>edgernn.state_pairs</c> spells them.</summary>
    public static string StatePairs(ModelConfig c) => string.Join(',', Enumerable.Range(0, c.Layers).SelectMany(l =>
        RecurrentCell.For(c.Cell).HasCellState ? new[] { $"h0_{l}:hn_{l}", $"c0_{l}:cn_{l}" } : [$"h0_{l}:hn_{l}"]));

    private static byte[] Forecast(SensorNet net, IReadOnlyDictionary<string, string> metadata, bool streaming)
    {
        ModelConfig c = net.Config;
        OnnxGraphBuilder g = NewGraph(streaming ? "edgernn_forecast_step" : "edgernn_forecast_sequence", metadata);
        if (streaming)
        {
            g.SetMetadata("edgernn.state_pairs", StatePairs(c));
        }
        else
        {
            g.SetMetadata("edgernn.graph", "sequence");
        }

        OnnxDimension one = OnnxDimension.Fixed(1);
        OnnxDimension time = streaming ? one : OnnxDimension.Symbolic("seq");
        g.AddInput("x", TensorElementType.Float, time, one, OnnxDimension.Fixed(c.Features));
        string top = Stack(g, net.Encoder, c, "x", c.Features, "enc", streaming, out _);
        Head(g, net, top);
        g.AddOutput("y", TensorElementType.Float, time, one, OnnxDimension.Fixed(c.Features));
        for (int l = 0; streaming && l < c.Layers; l++)
        {
            g.AddOutput(Name("hn_", l), TensorElementType.Float, one, one, OnnxDimension.Fixed(c.Hidden));
            if (RecurrentCell.For(c.Cell).HasCellState)
            {
                g.AddOutput(Name("cn_", l), TensorElementType.Float, one, one, OnnxDimension.Fixed(c.Hidden));
            }
        }

        return g.ToBytes();
    }

    private static byte[] Autoencoder(SensorNet net, IReadOnlyDictionary<string, string> metadata)
    {
        ModelConfig c = net.Config;
        OnnxGraphBuilder g = NewGraph("edgernn_autoencoder", metadata);
        OnnxDimension one = OnnxDimension.Fixed(1), window = OnnxDimension.Fixed(c.Window);
        g.AddInput("x", TensorElementType.Float, window, one, OnnxDimension.Fixed(c.Features));
        _ = Stack(g, net.Encoder, c, "x", c.Features, "enc", streaming: false, out string encoded);
        g.AddInitializer("repeat", Tensor.FromInt64([c.Window, 1, 1], 3));
        g.AddNode("Tile", [encoded, "repeat"], ["encoded_repeated"], "repeat_encoding");
        string top = Stack(g, net.Decoder!, c, "encoded_repeated", c.Hidden * c.Directions, "dec", streaming: false, out _);
        Head(g, net, top);
        g.AddOutput("y", TensorElementType.Float, window, one, OnnxDimension.Fixed(c.Features));
        return g.ToBytes();
    }

    private static byte[] Classifier(SensorNet net, IReadOnlyDictionary<string, string> metadata, bool streaming)
    {
        ModelConfig c = net.Config;
        OnnxGraphBuilder g = NewGraph(streaming ? "edgernn_classifier_step" : "edgernn_classifier", metadata);
        OnnxDimension one = OnnxDimension.Fixed(1);
        if (streaming)
        {
            g.SetMetadata("edgernn.state_pairs", StatePairs(c));
            g.SetMetadata("edgernn.graph", "step");
        }

        int width = c.Hidden * c.Directions;
        string stackInput = "x";
        if (c.IsTokenModel)
        {
            // Token ids [W, 1] (int64) → Gather(embedding table [V, E], ids) → [W, 1, E]: torch's nn.Embedding.
            g.AddInput("x", TensorElementType.Int64, OnnxDimension.Fixed(streaming ? 1 : c.Window), one);
            g.AddInitializer("embedding.weight", Tensor.FromFloat(SensorNet.ToArray(net.TokenEmbedding!.weight!), c.Vocabulary, c.EmbeddingDim));
            g.AddNode("Gather", ["embedding.weight", "x"], ["embedded"], "embedding").WithAttribute("axis", 0L);
            stackInput = "embedded";
        }
        else
        {
            g.AddInput("x", TensorElementType.Float, OnnxDimension.Fixed(c.Window), one, OnnxDimension.Fixed(c.Features));
        }

        _ = Stack(g, net.Encoder, c, stackInput, c.IsTokenModel ? c.EmbeddingDim : c.Features, "enc", streaming, out string last);
        g.AddInitializer("flat_shape", Tensor.FromInt64([1, width], 2));
        g.AddNode("Reshape", [last, "flat_shape"], ["last_hidden"], "flatten_last");
        g.AddGemm("head", "last_hidden", Tensor.FromFloat(SensorNet.ToArray(net.Head.weight!), c.Classes, width),
            Tensor.FromFloat(SensorNet.ToArray(net.Head.bias!), c.Classes), "logits");
        g.AddNode("Softmax", ["logits"], ["probabilities"], "softmax").WithAttribute("axis", -1L);
        g.AddOutput("probabilities", TensorElementType.Float, one, OnnxDimension.Fixed(c.Classes));
        for (int l = 0; streaming && l < c.Layers; l++)
        {
            g.AddOutput(Name("hn_", l), TensorElementType.Float, one, one, OnnxDimension.Fixed(c.Hidden));
            if (RecurrentCell.For(c.Cell).HasCellState)
            {
                g.AddOutput(Name("cn_", l), TensorElementType.Float, one, one, OnnxDimension.Fixed(c.Hidden));
            }
        }

        return g.ToBytes();
    }

    private static OnnxGraphBuilder NewGraph(string name, IReadOnlyDictionary<string, string> metadata)
    {
        var g = new OnnxGraphBuilder(name, Opset) { ProducerName = "edgernn train" };
        foreach ((string key, string value) in metadata)
        {
            g.SetMetadata(key, value);
        }

        return g;
    }

    /// <summary>
    /// Adds the layers of one stack; returns the [T, 1, D*H] output of the last layer and (out) its final hidden
    /// state [1, 1, D*H] (D = 2 for bidirectional stacks: forward then reverse, as torch concatenates them).
    /// </summary>
    /// <remarks>
    /// A bidirectional layer's W, R and B hold the forward direction at index 0 and torch's <c>_reverse</c> weights at
    /// index 1 (same gate reordering); its Y [T, 2, 1, H] goes through Transpose [0, 2, 1, 3] and Reshape to
    /// [T, 1, 2H], and its Y_h [2, 1, H] is reshaped to [1, 1, 2H].
    /// </remarks>
    private static string Stack(OnnxGraphBuilder g, TorchSharp.torch.nn.Module stack, ModelConfig c, string input, int inputSize, string prefix,
        bool streaming, out string lastHidden)
    {
        int h = c.Hidden, directions = c.Directions;
        string shapeName = prefix + "_step_shape";
        g.AddInitializer(shapeName, Tensor.FromInt64([streaming ? 1 : -1, 1, directions * h], 3));
        if (directions == 2)
        {
            g.AddInitializer(prefix + "_hidden_shape", Tensor.FromInt64([1, 1, directions * h], 3));
        }

        RecurrentCell cell = RecurrentCell.For(c.Cell);
        IReadOnlyList<int> order = cell.TorchGateOrder;
        int gates = cell.Gates;
        string layerInput = input;
        int features = inputSize;
        lastHidden = "";
        for (int l = 0; l < c.Layers; l++)
        {
            var wData = new List<float>();
            var rData = new List<float>();
            var bData = new List<float>();
            for (int d = 0; d < directions; d++)
            {
                (float[] wih, float[] whh, float[] bih, float[] bhh) = SensorNet.LayerWeights(stack, l, reverse: d == 1);
                wData.AddRange(Reorder(wih, order, h, features));
                rData.AddRange(Reorder(whh, order, h, h));
                bData.AddRange(Reorder(bih, order, h, 1));
                bData.AddRange(Reorder(bhh, order, h, 1));
            }

            Tensor w = Tensor.FromFloat([.. wData], directions, gates * h, features);
            Tensor r = Tensor.FromFloat([.. rData], directions, gates * h, h);
            Tensor b = Tensor.FromFloat([.. bData], directions, 2 * gates * h);
            string direction = directions == 2 ? "bidirectional" : "forward";
            string node = $"{prefix}_{c.Cell.ToString().ToLowerInvariant()}_{l}";
            string y = $"{prefix}_y_{l}";
            string hn = streaming ? Name("hn_", l) : $"{prefix}_hn_{l}";
            string cn = streaming ? Name("cn_", l) : "";
            string? h0 = null, c0 = null;
            if (streaming)
            {
                h0 = Name("h0_", l);
                g.AddInput(h0, TensorElementType.Float, OnnxDimension.Fixed(1), OnnxDimension.Fixed(1), OnnxDimension.Fixed(h));
                if (cell.HasCellState)
                {
                    c0 = Name("c0_", l);
                    g.AddInput(c0, TensorElementType.Float, OnnxDimension.Fixed(1), OnnxDimension.Fixed(1), OnnxDimension.Fixed(h));
                }
            }

            OnnxNodeBuilder recurrent = g.AddRecurrent(c.Cell, node, layerInput, h, w, r, b, cell.HasCellState && cn.Length > 0 ? [y, hn, cn] : [y, hn], direction: direction,
                initialH: h0, initialC: c0);
            foreach ((string attribute, long value) in cell.TorchAttributes)
            {
                recurrent.WithAttribute(attribute, value);
            }

            string reshaped = $"{prefix}_out_{l}";
            if (directions == 2)
            {
                string transposed = $"{prefix}_y_t_{l}";
                g.AddNode("Transpose", [y], [transposed], $"{prefix}_transpose_{l}").WithAttribute("perm", new long[] { 0, 2, 1, 3 });
                g.AddNode("Reshape", [transposed, shapeName], [reshaped], $"{prefix}_reshape_{l}");
            }
            else
            {
                g.AddNode("Reshape", [y, shapeName], [reshaped], $"{prefix}_reshape_{l}");
            }

            layerInput = reshaped;
            features = directions * h;
            lastHidden = hn;
        }

        if (directions == 2)
        {
            string joined = prefix + "_hn_joined";
            g.AddNode("Reshape", [lastHidden, prefix + "_hidden_shape"], [joined], prefix + "_join_directions");
            lastHidden = joined;
        }

        return layerInput;
    }

    private static void Head(OnnxGraphBuilder g, SensorNet net, string input)
    {
        ModelConfig c = net.Config;
        int width = c.Hidden * c.Directions;
        float[] weight = SensorNet.ToArray(net.Head.weight!); // [F, D*H]
        var transposed = new float[weight.Length];
        for (int o = 0; o < c.Features; o++)
        {
            for (int i = 0; i < width; i++)
            {
                transposed[(i * c.Features) + o] = weight[(o * width) + i];
            }
        }

        g.AddMatMul("head", input, Tensor.FromFloat(transposed, width, c.Features), "head_out");
        g.AddInitializer("head.B", Tensor.FromFloat(SensorNet.ToArray(net.Head.bias!), c.Features));
        g.AddNode("Add", ["head_out", "head.B"], ["y"], "head_add");
    }

    /// <summary>Reorders gate blocks of <paramref name="hidden"/> rows × <paramref name="columns"/>: output block k is torch block order[k].</summary>
    internal static float[] Reorder(float[] torchBlocks, IReadOnlyList<int> order, int hidden, int columns)
    {
        int block = hidden * columns;
        var result = new float[torchBlocks.Length];
        for (int k = 0; k < order.Count; k++)
        {
            Array.Copy(torchBlocks, order[k] * block, result, k * block, block);
        }

        return result;
    }

    private static string Name(string prefix, int layer) => prefix + layer.ToString(CultureInfo.InvariantCulture);
}
