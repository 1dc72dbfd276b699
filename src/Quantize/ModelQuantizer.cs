using System.Runtime.InteropServices;
using EdgeRnn.Runtime.Onnx.Proto;
using EdgeRnn.Runtime;
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
/// </summary>
internal static class ModelQuantizer
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

        var decisions = new List<NodeDecision>();
        var usedRanges = new List<ActivationRange>();
        var prelude = new List<NodeProto>();
        var parameters = new ParamWriter(g, names, options.Float16Params);
        var newNodes = new List<NodeProto>();
        bool microsoft = false;
        foreach (NodeProto node in g.Node)
        {
            if (!IsCandidate(node))
            {
                newNodes.Add(node);
                continue;
            }

            if (options.Exclude.Contains(node.Name))
            {
                decisions.Add(new NodeDecision(node.Name, node.OpType, false, "excluded (--exclude)"));
                newNodes.Add(node);
                continue;
            }

            string? why = Quantizable(node, initializers);
            if (why is not null)
            {
                decisions.Add(new NodeDecision(node.Name, node.OpType, false, why));
                newNodes.Add(node);
                continue;
            }

            if (options.Mode == QuantizeMode.Static)
            {
                string x = node.Input[0];
                if (ranges is null || !ranges.TryGetValue(x, out float range))
                {
                    throw new ArgumentException($"No calibrated range for '{x}', the input of node '{node.Name}'.", nameof(ranges));
                }

                float scale = range > 0 && float.IsFinite(range) ? range / 127f : 1f;
                usedRanges.Add(new ActivationRange(x, range, scale));
                string s = Unique(names, x + "_scale");
                string zp = Unique(names, x + "_zero_point");
                string q = Unique(names, x + "_quantized");
                string dq = Unique(names, x + "_dequantized");
                g.Initializer.Add(FloatTensor(s, [scale], []));
                g.Initializer.Add(Int8Tensor(zp, [0], []));
                newNodes.Add(Helper("QuantizeLinear", [x, s, zp], [q]));
                newNodes.Add(Helper("DequantizeLinear", [q, s, zp], [dq]));
                node.Input[0] = dq;
            }

            bool ort = options.Format == QuantizeFormat.Ort;
            RecurrentCell.TryGetByOpType(node.OpType, out RecurrentCell? cell);
            if (ort && cell?.OrtQuantizedOpType is { } ortOp && GetInt(node, "layout", 0) == 0)
            {
                prelude.AddRange(FoldRecurrentBias(node, cell, initializers, parameters, useCount));
                newNodes.Add(ToDynamicQuantizeLstm(node, ortOp, initializers, parameters, options.PerTensor));
                microsoft = true;
                decisions.Add(new NodeDecision(node.Name, node.OpType, true, $"com.microsoft {ortOp}, {Granularity(options)}"));
            }
            else if (ort && node.OpType is "MatMul" or "Gemm" && ToDynamicQuantizeMatMul(node, initializers, parameters, options.PerTensor) is { } dqm)
            {
                newNodes.Add(dqm);
                microsoft = true;
                decisions.Add(new NodeDecision(node.Name, node.OpType, true, $"com.microsoft DynamicQuantizeMatMul, {Granularity(options)}"));
            }
            else
            {
                if (cell is not null)
                {
                    // One scale per gate row over [W_r | R_r] (the row our runtime packs), referenced by both
                    // DequantizeLinear nodes: half the scale bytes, for a slightly coarser step on the smaller half.
                    (float[] Scales, string Name)? shared = null;
                    if (!options.PerTensor)
                    {
                        float[] rowMax = RowMaxAbs(initializers[node.Input[1]], initializers[node.Input[2]]);
                        float[] scales = parameters.Scales(rowMax, out bool half);
                        shared = (scales, parameters.AddScales(node.Input[1] + "_R_scale", scales, [rowMax.Length], half));
                    }

                    prelude.Add(QdqWeight(node, 1, initializers, parameters, options.PerTensor, useCount, shared));
                    prelude.Add(QdqWeight(node, 2, initializers, parameters, options.PerTensor, useCount, shared));
                    prelude.AddRange(FoldRecurrentBias(node, cell, initializers, parameters, useCount));
                }
                else
                {
                    prelude.Add(QdqWeight(node, 1, initializers, parameters, options.PerTensor, useCount));
                }

                newNodes.Add(node);
                string note = ort ? " (qdq: ORT has no integer node for it)" : "";
                decisions.Add(new NodeDecision(node.Name, node.OpType, true, $"qdq, {Granularity(options)}{note}"));
            }
        }

        g.Node.Clear();
        g.Node.AddRange(parameters.Nodes);
        g.Node.AddRange(prelude);
        g.Node.AddRange(newNodes);
        RemoveUnused(g, initializers.Keys);
        if (microsoft && !model.OpsetImport.Any(o => o.Domain == "com.microsoft"))
        {
            model.OpsetImport.Add(new OperatorSetIdProto { Domain = "com.microsoft", Version = 1 });
        }

        // A model with edgernn metadata records this in its provenance instead (QuantizeWorker moves it there).
        string weights = $"int8 symmetric {Granularity(options)}{parameters.Float16Storage}";
        SetMetadata(model, QuantizationKey, $"{options.Mode.ToString().ToLowerInvariant()} {options.Format.ToString().ToLowerInvariant()} {weights}");
        return new QuantizeOutcome(model.ToByteArray(), decisions, usedRanges, weights);
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

    /// <summary>max |w| per gate row (axis 1, over every direction, as the per-channel scale is) of W and R together.</summary>
    private static float[] RowMaxAbs(TensorProto w, TensorProto r)
    {
        int rows = (int)w.Dims[1];
        var max = new float[rows];
        foreach (TensorProto t in (TensorProto[])[w, r])
        {
            float[] v = ReadFloats(t);
            int cols = (int)t.Dims[2];
            for (int i = 0; i < v.Length; i++)
            {
                int row = (i / cols) % rows;
                max[row] = MathF.Max(max[row], MathF.Abs(v[i]));
            }
        }

        return max;
    }

    /// <summary>
    /// A recurrent node's bias B [D, 2·gates·H] holds Wb then Rb; where the cell only uses their sum (every LSTM and RNN
    /// gate, GRU's z and r gates, and GRU's h gate unless linear_before_reset), the sum goes in the Rb half and that
    /// part of Wb becomes zeros: the same function, and one float16 rounding instead of two. Those zeros then lead
    /// each direction's row, so one Pad restores them from a tensor that leaves them out, when they would take
    /// <see cref="ZerosMinBytes"/> or more; smaller, they are stored (Pad has taken its pads as an input since opset 11;
    /// EdgeRnn reads opset 14 and later). Only when B is an initializer that only this node reads, and the rewrite saves
    /// bytes (float16 storage, or zeros worth the Pad).
    /// </summary>
    private static IEnumerable<NodeProto> FoldRecurrentBias(NodeProto node, RecurrentCell cell, Dictionary<string, TensorProto> initializers,
        ParamWriter parameters, Dictionary<string, int> useCount)
    {
        GraphProto g = parameters.Graph;
        if (node.Input.Count <= 3 || !initializers.TryGetValue(node.Input[3], out TensorProto? bias) || useCount.GetValueOrDefault(bias.Name) != 1
            || bias.DataType != FloatType || bias.Dims.Count != 2)
        {
            yield break;
        }

        int hidden = (int)GetInt(node, "hidden_size", 0);
        int gates = cell.Gates;
        int dirs = (int)bias.Dims[0];
        int half = gates * hidden;
        if (hidden <= 0 || bias.Dims[1] != 2 * half)
        {
            yield break;
        }

        // Rows whose Wb part can join Rb (the cell's rule: all but GRU's h gate with linear_before_reset).
        int folded = cell.SummedBiasRows(hidden, GetInt(node, "linear_before_reset", 0) != 0);
        float[] b = ReadFloats(bias);
        var full = new float[b.Length];
        for (int d = 0; d < dirs; d++)
        {
            for (int i = 0; i < half; i++)
            {
                int wb = (d * 2 * half) + i, rb = wb + half;
                full[wb] = i < folded ? 0 : b[wb];
                full[rb] = i < folded ? b[wb] + b[rb] : b[rb];
            }
        }

        int kept = (2 * half) - folded;
        var stored = new float[dirs * kept];
        for (int d = 0; d < dirs; d++)
        {
            Array.Copy(full, (d * 2 * half) + folded, stored, d * kept, kept);
        }

        bool halfStored = parameters.CanHoldBias(stored);
        bool pad = dirs * folded * (halfStored ? 2 : 4) >= ZerosMinBytes;
        if (!pad && !parameters.CanHoldBias(full))
        {
            yield break;
        }

        string output = parameters.TakeName(bias, "_joined", onlyReader: true);
        node.Input[3] = output;
        if (!pad)
        {
            parameters.AddBias(bias.Name + "_folded", full, [dirs, 2 * half], half: true, output);
            yield break;
        }

        string storedName = parameters.AddBias(bias.Name + "_folded", stored, [dirs, kept], halfStored);
        string padsName = Unique(parameters.Names, bias.Name + "_pads");
        g.Initializer.Add(Int64Vector(padsName, [0, folded, 0, 0]));
        yield return Helper("Pad", [storedName, padsName], [output]);
    }

    private static NodeProto QdqWeight(NodeProto node, int index, Dictionary<string, TensorProto> initializers, ParamWriter parameters, bool perTensor,
        Dictionary<string, int> useCount, (float[] Scales, string Name)? shared = null)
    {
        GraphProto g = parameters.Graph;
        HashSet<string> names = parameters.Names;
        TensorProto t = initializers[node.Input[index]];
        float[] w = ReadFloats(t);
        int[] dims = [.. t.Dims.Select(d => (int)d)];

        // The output channel: recurrent W/R [D, rows, cols] → axis 1; Gemm B [N, K] (transB) → 0; B [K, N] → 1.
        int axis = node.OpType is "Gemm" && GetInt(node, "transB", 0) != 0 ? 0 : 1;
        int channels = dims[axis];
        int inner = 1;
        for (int d = axis + 1; d < dims.Length; d++)
        {
            inner *= dims[d];
        }

        var maxAbs = new float[perTensor ? 1 : channels];
        for (int i = 0; i < w.Length; i++)
        {
            int c = perTensor ? 0 : (i / inner) % channels;
            maxAbs[c] = MathF.Max(maxAbs[c], MathF.Abs(w[i]));
        }

        bool halfScales = false;
        float[] scales = shared?.Scales ?? parameters.Scales(maxAbs, out halfScales);
        var q = new sbyte[w.Length];
        for (int i = 0; i < w.Length; i++)
        {
            q[i] = Round(w[i] / scales[perTensor ? 0 : (i / inner) % channels]);
        }

        string baseName = node.Input[index];
        string qName = Unique(names, baseName + "_quantized");
        string sName = shared?.Name ?? parameters.AddScales(baseName + "_scale", scales, perTensor ? [] : [channels], halfScales);
        string dqName = parameters.TakeName(t, "_dequantized", onlyReader: useCount.GetValueOrDefault(t.Name) == 1);
        g.Initializer.Add(Int8Tensor(qName, q, dims));

        // No zero point: it defaults to 0, and the int8 input type already says int8 (saves a byte per channel).
        NodeProto dq = Helper("DequantizeLinear", [qName, sName], [dqName]);
        if (!perTensor && axis != 1) // 1 is DequantizeLinear's default axis
        {
            dq.Attribute.Add(new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = axis });
        }

        node.Input[index] = dqName;
        return dq;
    }

    /// <summary>An LSTM node as ONNX Runtime's com.microsoft <paramref name="opType"/> (DynamicQuantizeLSTM: LSTM's inputs plus int8 W, R and their scales).</summary>
    private static NodeProto ToDynamicQuantizeLstm(NodeProto node, string opType, Dictionary<string, TensorProto> initializers, ParamWriter parameters,
        bool perTensor)
    {
        GraphProto g = parameters.Graph;
        HashSet<string> names = parameters.Names;
        var inputs = new string[12];
        for (int i = 0; i < 8; i++)
        {
            inputs[i] = i < node.Input.Count ? node.Input[i] : "";
        }

        // One scale per gate row (or per direction) over [W_r | R_r], one initializer that both W_scale and R_scale
        // name, and one all-zero zero point for both: the qdq format does the same (half the scale bytes).
        TensorProto wt = initializers[node.Input[1]], rt = initializers[node.Input[2]];
        int dirs = (int)wt.Dims[0], rows = (int)wt.Dims[1];
        float[] rowMax = RowMaxAbs(wt, rt);
        var maxAbs = new float[perTensor ? dirs : dirs * rows];
        for (int d = 0; d < dirs; d++)
        {
            for (int r = 0; r < rows; r++)
            {
                // RowMaxAbs merges the directions row by row, so both directions get the same row scales.
                int s = perTensor ? d : (d * rows) + r;
                maxAbs[s] = MathF.Max(maxAbs[s], rowMax[r]);
            }
        }

        float[] scales = parameters.Scales(maxAbs, out bool halfScales);
        int[] scaleDims = perTensor ? [dirs] : [dirs, rows];
        string sName = parameters.AddScales(wt.Name + "_R_scale", scales, scaleDims, halfScales);
        string zName = parameters.AddInt8Zeros(wt.Name + "_R_zero_point", scaleDims);
        for (int k = 0; k < 2; k++)
        {
            // ONNX [D, 4H, cols] → ORT [D, cols, 4H].
            TensorProto t = k == 0 ? wt : rt;
            float[] w = ReadFloats(t);
            int cols = (int)t.Dims[2];
            var q = new sbyte[w.Length];
            for (int d = 0; d < dirs; d++)
            {
                for (int r = 0; r < rows; r++)
                {
                    float s = scales[perTensor ? d : (d * rows) + r];
                    for (int c = 0; c < cols; c++)
                    {
                        q[(((d * cols) + c) * rows) + r] = Round(w[(((d * rows) + r) * cols) + c] / s);
                    }
                }
            }

            string qName = Unique(names, t.Name + "_quantized");
            g.Initializer.Add(Int8Tensor(qName, q, [dirs, cols, rows]));
            inputs[1 + k] = qName;
            inputs[8 + (2 * k)] = sName;
            inputs[9 + (2 * k)] = zName;
        }

        NodeProto result = Node(opType, inputs, node.Output, node.Name);
        result.Domain = "com.microsoft";
        result.Attribute.AddRange(node.Attribute.Where(a => a.Name != "layout"));
        return result;
    }

    private static NodeProto? ToDynamicQuantizeMatMul(NodeProto node, Dictionary<string, TensorProto> initializers, ParamWriter parameters, bool perTensor)
    {
        GraphProto g = parameters.Graph;
        HashSet<string> names = parameters.Names;
        string? bias = null;
        bool transB = false;
        if (node.OpType == "Gemm")
        {
            if (GetInt(node, "transA", 0) != 0 || GetFloat(node, "alpha", 1f) != 1f || GetFloat(node, "beta", 1f) != 1f)
            {
                return null;
            }

            transB = GetInt(node, "transB", 0) != 0;
            if (node.Input.Count > 2 && node.Input[2].Length > 0)
            {
                if (!initializers.TryGetValue(node.Input[2], out TensorProto? c) || c.Dims.Count != 1)
                {
                    return null;
                }

                bias = c.Name;
            }
        }

        TensorProto t = initializers[node.Input[1]];
        float[] w = ReadFloats(t);
        int d0 = (int)t.Dims[0], d1 = (int)t.Dims[1];
        int k = transB ? d1 : d0, n = transB ? d0 : d1;
        var bkn = new float[k * n];
        for (int i = 0; i < k; i++)
        {
            for (int j = 0; j < n; j++)
            {
                bkn[(i * n) + j] = transB ? w[(j * k) + i] : w[(i * n) + j];
            }
        }

        var maxAbs = new float[perTensor ? 1 : n];
        for (int i = 0; i < bkn.Length; i++)
        {
            int c = perTensor ? 0 : i % n;
            maxAbs[c] = MathF.Max(maxAbs[c], MathF.Abs(bkn[i]));
        }

        float[] scales = parameters.Scales(maxAbs, out bool halfScales);

        var q = new sbyte[bkn.Length];
        for (int i = 0; i < bkn.Length; i++)
        {
            q[i] = Round(bkn[i] / scales[perTensor ? 0 : i % n]);
        }

        string baseName = t.Name;
        string qName = Unique(names, baseName + "_quantized");
        string sName = parameters.AddScales(baseName + "_scale", scales, [scales.Length], halfScales);
        string zName = Unique(names, baseName + "_zero_point");
        g.Initializer.Add(Int8Tensor(qName, q, [k, n]));
        g.Initializer.Add(Int8Tensor(zName, new sbyte[scales.Length], [scales.Length]));
        string[] inputs = bias is null ? [node.Input[0], qName, sName, zName] : [node.Input[0], qName, sName, zName, bias];
        NodeProto result = Node("DynamicQuantizeMatMul", inputs, node.Output, node.Name);
        result.Domain = "com.microsoft";
        return result;
    }

    private static sbyte Round(float v) => (sbyte)Math.Clamp(MathF.Round(v), -127f, 127f);

    /// <summary>
    /// Drops the initializers nothing reads any more (the float weights that were quantized), and the graph inputs that
    /// only declared such an initializer (IR 3 models list initializers as inputs): left behind, they would be inputs
    /// the int8 model demands with no default.
    /// </summary>
    private static void RemoveUnused(GraphProto g, IReadOnlyCollection<string> sourceInitializers)
    {
        var used = new HashSet<string>(g.Node.SelectMany(n => n.Input), StringComparer.Ordinal);
        used.UnionWith(g.Output.Select(o => o.Name));
        var keep = g.Initializer.Where(t => used.Contains(t.Name)).ToList();
        g.Initializer.Clear();
        g.Initializer.AddRange(keep);
        var defined = new HashSet<string>(keep.Select(t => t.Name), StringComparer.Ordinal);
        var inputs = g.Input.Where(i => defined.Contains(i.Name) || !sourceInitializers.Contains(i.Name)).ToList();
        g.Input.Clear();
        g.Input.AddRange(inputs);
    }

    private static string Unique(HashSet<string> names, string name)
    {
        string candidate = name;
        for (int i = 1; !names.Add(candidate); i++)
        {
            candidate = $"{name}_{i}";
        }

        return candidate;
    }

    /// <summary>
    /// A node the quantizer adds to feed an original one (DequantizeLinear, Cast, Pad, ConstantOfShape, static mode's
    /// QuantizeLinear): unnamed, as ONNX allows. A name would only repeat its output's name and op type, about 25
    /// bytes a node in every int8 file; tools identify it by op and position (EdgeRnn's errors call it
    /// '&lt;op&gt;_&lt;index&gt;'), and Netron by op and output.
    /// </summary>
    private static NodeProto Helper(string op, IEnumerable<string> inputs, IEnumerable<string> outputs) => Node(op, inputs, outputs, "");

    private static NodeProto Node(string op, IEnumerable<string> inputs, IEnumerable<string> outputs, string name)
    {
        var n = new NodeProto { OpType = op, Name = name };
        n.Input.AddRange(inputs);
        n.Output.AddRange(outputs);
        return n;
    }

    private static long GetInt(NodeProto node, string name, long fallback) => node.Attribute.FirstOrDefault(a => a.Name == name)?.I ?? fallback;

    private static float GetFloat(NodeProto node, string name, float fallback) => node.Attribute.FirstOrDefault(a => a.Name == name)?.F ?? fallback;

    public static float[] ReadFloats(TensorProto t)
    {
        if (t.DataLocation == TensorProto.Types.DataLocation.External)
        {
            throw new ModelFormatException($"Initializer '{t.Name}' keeps its data in an external file, which edgernn-quantize does not read.");
        }

        long count = t.Dims.Aggregate(1L, (a, d) => a * d);
        if (t.RawData.Length > 0)
        {
            if (t.RawData.Length != count * sizeof(float))
            {
                throw new ModelFormatException($"Initializer '{t.Name}' holds {t.RawData.Length} bytes; its shape needs {count * sizeof(float)}.");
            }

            return MemoryMarshal.Cast<byte, float>(t.RawData.Span).ToArray();
        }

        return t.FloatData.Count == count
            ? [.. t.FloatData]
            : throw new ModelFormatException($"Initializer '{t.Name}' holds {t.FloatData.Count} floats; its shape needs {count}.");
    }

    private static TensorProto FloatTensor(string name, float[] values, int[] dims)
    {
        var t = new TensorProto { Name = name, DataType = FloatType, RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan())) };
        t.Dims.AddRange(dims.Select(d => (long)d));
        return t;
    }

    /// <summary>A 1-D INT64 initializer (a shape or pads).</summary>
    private static TensorProto Int64Vector(string name, long[] values)
    {
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
        t.Dims.Add(values.Length);
        t.Int64Data.AddRange(values);
        return t;
    }

    private static TensorProto Int8Tensor(string name, sbyte[] values, int[] dims)
    {
        var t = new TensorProto { Name = name, DataType = Int8Type, RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan())) };
        t.Dims.AddRange(dims.Select(d => (long)d));
        return t;
    }

    /// <summary>
    /// Adds the float tensors that sit beside the int8 weights (scales, folded biases) to the graph: as FLOAT
    /// initializers, or, when float16 storage is on and the tensor is large enough and fits, as a FLOAT16 initializer
    /// and a Cast to FLOAT named as the float tensor would have been (Cast with an INT 'to' is in every opset since 6,
    /// and ConstantOfShape since 9; the models EdgeRnn evaluates are opset 14 and later, and ORT and EdgeRnn fold both
    /// at load). llama.cpp's Q8_0 blocks keep their scales in float16 for the same reason.
    /// </summary>
    private sealed class ParamWriter(GraphProto graph, HashSet<string> names, bool float16)
    {
        private bool _halfScales;
        private bool _halfBiases;

        public GraphProto Graph { get; } = graph;

        public HashSet<string> Names { get; } = names;

        /// <summary>The nodes that make parameter tensors (Cast, ConstantOfShape); they go first in the graph.</summary>
        public List<NodeProto> Nodes { get; } = [];

        /// <summary>
        /// Symmetric int8 scales (max |w| / 127; 1 for an all-zero channel). When they will be stored as float16
        /// (<paramref name="half"/>), each is rounded up to the next float16, so |w| / scale stays within 127.
        /// </summary>
        public float[] Scales(float[] maxAbs, out bool half)
        {
            float[] scales = [.. maxAbs.Select(m => m > 0 ? m / 127f : 1f)];
            half = float16 && scales.Length >= HalfMinElements && scales.All(s => s is >= HalfMinNormal and <= HalfMax);
            if (half)
            {
                for (int i = 0; i < scales.Length; i++)
                {
                    Half h = (Half)scales[i];
                    scales[i] = (float)h < scales[i] ? (float)BitConverter.UInt16BitsToHalf((ushort)(BitConverter.HalfToUInt16Bits(h) + 1)) : (float)h;
                }
            }

            return scales;
        }

        /// <summary>True when float16 storage is on and the bias tensor is large enough and within float16's range.</summary>
        public bool CanHoldBias(float[] values) =>
            float16 && values.Length >= HalfMinElements && values.All(v => float.IsFinite(v) && MathF.Abs(v) <= HalfMax);

        /// <summary>
        /// The name for the tensor that replaces initializer <paramref name="original"/>: its own name when this node
        /// is its only reader and it is not also a graph input (then the initializer is removed, and the rewritten
        /// node reads the same names as in the float model), else a new one ending in <paramref name="suffix"/>.
        /// </summary>
        public string TakeName(TensorProto original, string suffix, bool onlyReader)
        {
            if (onlyReader && !Graph.Input.Any(i => i.Name == original.Name) && Graph.Initializer.Remove(original))
            {
                return original.Name;
            }

            return Unique(Names, original.Name + suffix);
        }

        /// <summary>What is stored as float16, for the model's record: "", ", float16 scales", ", float16 biases" or both.</summary>
        public string Float16Storage => (_halfScales, _halfBiases) switch
        {
            (true, true) => ", float16 scales and biases",
            (true, false) => ", float16 scales",
            (false, true) => ", float16 biases",
            _ => "",
        };

        /// <summary><see cref="Add"/> for int8 scales.</summary>
        public string AddScales(string baseName, float[] values, int[] dims, bool half)
        {
            _halfScales |= half;
            return Add(baseName, values, dims, half);
        }

        /// <summary><see cref="Add"/> for a folded bias.</summary>
        public string AddBias(string baseName, float[] values, int[] dims, bool half, string? output = null)
        {
            _halfBiases |= half;
            return Add(baseName, values, dims, half, output);
        }

        /// <summary>
        /// Adds <paramref name="values"/> as the float tensor <paramref name="output"/>, or <paramref name="baseName"/>
        /// made unique, and returns its name; stored as float16 + Cast when <paramref name="half"/> (values are rounded
        /// to the nearest float16).
        /// </summary>
        private string Add(string baseName, float[] values, int[] dims, bool half, string? output = null)
        {
            string name = output ?? Unique(Names, baseName);
            if (!half)
            {
                Graph.Initializer.Add(FloatTensor(name, values, dims));
                return name;
            }

            var bits = new ushort[values.Length];
            for (int i = 0; i < bits.Length; i++)
            {
                bits[i] = BitConverter.HalfToUInt16Bits((Half)values[i]);
            }

            string stored = Unique(Names, baseName + "_fp16");
            var t = new TensorProto { Name = stored, DataType = Float16Type, RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(bits.AsSpan())) };
            t.Dims.AddRange(dims.Select(d => (long)d));
            Graph.Initializer.Add(t);
            NodeProto cast = Helper("Cast", [stored], [name]);
            cast.Attribute.Add(new AttributeProto { Name = "to", Type = AttributeProto.Types.AttributeType.Int, I = FloatType });
            Nodes.Add(cast);
            return name;
        }

        /// <summary>
        /// Adds an all-zero int8 tensor (a zero point) named after <paramref name="baseName"/>: a ConstantOfShape when
        /// float16 storage is on and it has <see cref="HalfMinElements"/> or more elements (ORT and EdgeRnn fold it at
        /// load), else an initializer.
        /// </summary>
        public string AddInt8Zeros(string baseName, int[] dims)
        {
            string name = Unique(Names, baseName);
            int count = dims.Aggregate(1, (a, d) => a * d);
            if (!float16 || count < HalfMinElements)
            {
                Graph.Initializer.Add(Int8Tensor(name, new sbyte[count], dims));
                return name;
            }

            string shapeName = Unique(Names, baseName + "_shape");
            Graph.Initializer.Add(Int64Vector(shapeName, [.. dims.Select(d => (long)d)]));
            NodeProto zeros = Helper("ConstantOfShape", [shapeName], [name]);
            zeros.Attribute.Add(new AttributeProto { Name = "value", Type = AttributeProto.Types.AttributeType.Tensor, T = Int8Tensor("", [0], [1]) });
            Nodes.Add(zeros);
            return name;
        }
    }
}
