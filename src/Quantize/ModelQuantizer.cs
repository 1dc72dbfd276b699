using EdgeRnn.Runtime;
using EdgeRnn.Runtime.Onnx.Proto;
using Google.Protobuf;

namespace EdgeRnn.Quantize;

/// <summary>A node the quantizer changed (or left float, with the reason).</summary>
internal sealed record NodeDecision(string Node, string OpType, bool Quantized, string Detail);

/// <summary>A static activation range: the tensor, the largest |value| kept and the int8 scale (range / 127).</summary>
internal sealed record ActivationRange(string Tensor, float Range, float Scale);

/// <summary>
/// The rewritten model, what was done to each node, the static ranges used, and how the weights are stored (e.g. "int8
/// symmetric per-channel, float16 scales and biases").
/// </summary>
internal sealed record QuantizeOutcome(byte[] Model, IReadOnlyList<NodeDecision> Nodes, IReadOnlyList<ActivationRange> Ranges, string Weights);

/// <summary>
/// Rewrites a float ONNX model's weights to symmetric int8 (zero point 0, range [-127, 127]): per output channel (one
/// scale per gate row of W / R, per output column of a dense layer) or per tensor.
/// qdq: int8 initializer → DequantizeLinear → the unchanged LSTM / GRU / RNN / Gemm / MatMul.
/// ort: LSTM → com.microsoft DynamicQuantizeLSTM, Gemm / MatMul → DynamicQuantizeMatMul; GRU and RNN (which ORT's
/// contrib ops do not cover) and LSTMs with layout = 1 stay qdq.
/// Static mode also puts QuantizeLinear → DequantizeLinear with the calibrated scale on each quantized node's input.
/// One file per purpose: this one decides per node; <c>.Static.cs</c> (activation ranges), <c>.Qdq.cs</c> (int8 weights,
/// bias folding), <c>.Ort.cs</c> (com.microsoft nodes), <c>.ParamWriter.cs</c> (scales and float16 storage),
/// <c>.Protos.cs</c> (protobuf helpers), <c>.Rewrite.cs</c> (one model's rewrite in progress).
/// </summary>
internal static partial class ModelQuantizer
{
    private const int Int8Type = (int)TensorProto.Types.DataType.Int8;
    private const int FloatType = (int)TensorProto.Types.DataType.Float;
    private const int Float16Type = (int)TensorProto.Types.DataType.Float16;

    /// <summary>
    /// The smallest scale or bias tensor stored as float16: below it the Cast node costs about what the 2 bytes per value
    /// save.
    /// </summary>
    public const int HalfMinElements = 64;

    /// <summary>The metadata key that says how a model without edgernn provenance was quantized.</summary>
    public const string QuantizationKey = "edgernn.quantization";

    /// <summary>
    /// The fewest bytes of folded-away bias zeros restored by a Pad rather than stored: below it the node and its pads
    /// tensor weigh about as much.
    /// </summary>
    private const int ZerosMinBytes = 128;

    /// <summary>The smallest normal float16 (2^-14): below it float16 keeps fewer than 11 significant bits.</summary>
    private const float HalfMinNormal = 6.1035156e-5f;

    /// <summary>The largest float16 (65504).</summary>
    private const float HalfMax = 65504f;

    /// <summary>The node inputs static calibration needs ranges for (each quantizable node's data input), by node.</summary>
    public static IReadOnlyList<(string Node, string Tensor)> CalibrationPoints(ModelProto model, QuantizeOptions options)
    {
        var points = new List<(string, string)>();
        foreach (NodeProto node in model.Graph.Node)
        {
            if (IsCandidate(node) && !options.Exclude.Contains(node.Name))
            {
                points.Add((node.Name, node.Input[0]));
            }
        }

        return points;
    }

    public static ModelProto Parse(byte[] bytes)
    {
        try
        {
            return ModelProto.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new ModelFormatException($"The file is not an ONNX model (protobuf: {e.Message}).", e);
        }
    }

    public static QuantizeOutcome Quantize(ModelProto source, QuantizeOptions options, IReadOnlyDictionary<string, float>? ranges = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Mode == QuantizeMode.Static && options.Format == QuantizeFormat.Ort)
        {
            throw new ArgumentException("Static quantization writes the qdq format; ORT's com.microsoft nodes quantize activations dynamically. Use --format qdq with --mode static.", nameof(options));
        }

        ModelProto model = source.Clone();
        GraphProto g = model.Graph;
        var initializers = g.Initializer.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (NodeProto n in g.Node)
        {
            names.UnionWith(n.Input);
            names.UnionWith(n.Output);
        }

        names.UnionWith(initializers.Keys);
        var useCount = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (string input in g.Node.SelectMany(n => n.Input).Concat(g.Output.Select(o => o.Name)))
        {
            useCount[input] = useCount.GetValueOrDefault(input) + 1;
        }

        var pass = new Rewrite(g, initializers, names, useCount, new ParamWriter(g, names, options.Float16Params), options);
        foreach (NodeProto node in g.Node)
        {
            string? keepFloat = !IsCandidate(node) ? ""
                : options.Exclude.Contains(node.Name) ? "excluded (--exclude)"
                : Quantizable(node, initializers);
            if (keepFloat is not null)
            {
                if (keepFloat.Length > 0)
                {
                    pass.Decisions.Add(new NodeDecision(node.Name, node.OpType, false, keepFloat));
                }

                pass.Nodes.Add(node);
                continue;
            }

            if (options.Mode == QuantizeMode.Static)
            {
                QuantizeInput(pass, node, ranges);
            }

            RecurrentCell.TryGetByOpType(node.OpType, out RecurrentCell? cell);
            bool ort = options.Format == QuantizeFormat.Ort;
            if (!(ort && (TryOrtRecurrent(pass, node, cell) || TryOrtMatMul(pass, node))))
            {
                QdqWeights(pass, node, cell, note: ort ? " (qdq: ORT has no integer node for it)" : "");
            }
        }

        ParamWriter parameters = pass.Parameters;
        g.Node.Clear();
        g.Node.AddRange(parameters.Nodes);
        g.Node.AddRange(pass.Prelude);
        g.Node.AddRange(pass.Nodes);
        RemoveUnused(g, initializers.Keys);
        if (pass.UsesMicrosoftDomain && !model.OpsetImport.Any(o => o.Domain == "com.microsoft"))
        {
            model.OpsetImport.Add(new OperatorSetIdProto { Domain = "com.microsoft", Version = 1 });
        }

        // A model with edgernn metadata records this in its provenance instead (QuantizeWorker moves it there).
        string weights = $"int8 symmetric {Granularity(options)}{parameters.Float16Storage}";
        SetMetadata(model, QuantizationKey, $"{options.Mode.ToString().ToLowerInvariant()} {options.Format.ToString().ToLowerInvariant()} {weights}");
        return new QuantizeOutcome(model.ToByteArray(), pass.Decisions, pass.Ranges, weights);
    }

    public static void SetMetadata(ModelProto model, string key, string value)
    {
        StringStringEntryProto? entry = model.MetadataProps.FirstOrDefault(e => e.Key == key);
        if (entry is null)
        {
            model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        }
        else
        {
            entry.Value = value;
        }
    }

    private static string Granularity(QuantizeOptions o) => o.PerTensor ? "per-tensor" : "per-channel";

    /// <summary>An ai.onnx node with weights to quantize: a recurrent cell's node, Gemm or MatMul.</summary>
    internal static bool IsCandidate(NodeProto node) =>
        node.Domain is "" or "ai.onnx" && (node.OpType is "Gemm" or "MatMul" || RecurrentCell.TryGetByOpType(node.OpType, out _));

    /// <summary>Null when the node's weights can be quantized, else why not.</summary>
    private static string? Quantizable(NodeProto node, Dictionary<string, TensorProto> initializers)
    {
        int[] weightInputs = RecurrentCell.TryGetByOpType(node.OpType, out _) ? [1, 2] : [1];
        int rank = weightInputs.Length == 2 ? 3 : 2;
        foreach (int i in weightInputs)
        {
            if (node.Input.Count <= i || !initializers.TryGetValue(node.Input[i], out TensorProto? t))
            {
                return $"kept float: input #{i} is not an initializer (computed in the graph)";
            }

            if (t.DataType != FloatType || t.Dims.Count != rank)
            {
                return $"kept float: input #{i} '{t.Name}' is not a {rank}-D float tensor";
            }
        }

        return null;
    }
}
