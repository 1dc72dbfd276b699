using EdgeRnn.Runtime;
using EdgeRnn.Runtime.Onnx.Proto;

namespace EdgeRnn.Quantize;

/// <summary>qdq format: int8 weights behind DequantizeLinear, per gate row or per tensor, and the recurrent bias folding.</summary>
internal static partial class ModelQuantizer
{
    /// <summary>
    /// The node stays as it is and reads its weights through DequantizeLinear: W and R of a recurrent cell (with one
    /// scale per gate row shared by both, per channel) and its folded bias, or input #1 of a dense layer.
    /// </summary>
    private static void QdqWeights(Rewrite pass, NodeProto node, RecurrentCell? cell, string note)
    {
        QuantizeOptions options = pass.Options;
        if (cell is not null)
        {
            // One scale per gate row over [W_r | R_r] (the row our runtime packs), referenced by both
            // DequantizeLinear nodes: half the scale bytes, for a slightly coarser step on the smaller half.
            (float[] Scales, string Name)? shared = null;
            if (!options.PerTensor)
            {
                float[] rowMax = RowMaxAbs(pass.Initializers[node.Input[1]], pass.Initializers[node.Input[2]]);
                float[] scales = pass.Parameters.Scales(rowMax, out bool half);
                shared = (scales, pass.Parameters.AddScales(node.Input[1] + "_R_scale", scales, [rowMax.Length], half));
            }

            pass.Prelude.Add(QdqWeight(node, 1, pass.Initializers, pass.Parameters, options.PerTensor, pass.UseCount, shared));
            pass.Prelude.Add(QdqWeight(node, 2, pass.Initializers, pass.Parameters, options.PerTensor, pass.UseCount, shared));
            pass.Prelude.AddRange(FoldRecurrentBias(node, cell, pass.Initializers, pass.Parameters, pass.UseCount));
        }
        else
        {
            pass.Prelude.Add(QdqWeight(node, 1, pass.Initializers, pass.Parameters, options.PerTensor, pass.UseCount));
        }

        pass.Nodes.Add(node);
        pass.Decisions.Add(new NodeDecision(node.Name, node.OpType, true, $"qdq, {Granularity(options)}{note}"));
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

    private static sbyte Round(float v) => (sbyte)Math.Clamp(MathF.Round(v), -127f, 127f);
}
