using EdgeRnn.Runtime;
using EdgeRnn.Runtime.Onnx.Proto;

namespace EdgeRnn.Quantize;

/// <summary>ort format: ONNX Runtime's com.microsoft integer nodes (DynamicQuantizeLSTM, DynamicQuantizeMatMul).</summary>
internal static partial class ModelQuantizer
{
    /// <summary>An LSTM (layout 0) becomes com.microsoft DynamicQuantizeLSTM; false when the cell has no such node.</summary>
    private static bool TryOrtRecurrent(Rewrite pass, NodeProto node, RecurrentCell? cell)
    {
        if (cell?.OrtQuantizedOpType is not { } ortOp || GetInt(node, "layout", 0) != 0)
        {
            return false;
        }

        pass.Prelude.AddRange(FoldRecurrentBias(node, cell, pass.Initializers, pass.Parameters, pass.UseCount));
        pass.Nodes.Add(ToDynamicQuantizeLstm(node, ortOp, pass.Initializers, pass.Parameters, pass.Options.PerTensor));
        pass.UsesMicrosoftDomain = true;
        pass.Decisions.Add(new NodeDecision(node.Name, node.OpType, true, $"com.microsoft {ortOp}, {Granularity(pass.Options)}"));
        return true;
    }

    /// <summary>A MatMul or Gemm becomes com.microsoft DynamicQuantizeMatMul; false when it cannot.</summary>
    private static bool TryOrtMatMul(Rewrite pass, NodeProto node)
    {
        if (node.OpType is not ("MatMul" or "Gemm")
            || ToDynamicQuantizeMatMul(node, pass.Initializers, pass.Parameters, pass.Options.PerTensor) is not { } dqm)
        {
            return false;
        }

        pass.Nodes.Add(dqm);
        pass.UsesMicrosoftDomain = true;
        pass.Decisions.Add(new NodeDecision(node.Name, node.OpType, true, $"com.microsoft DynamicQuantizeMatMul, {Granularity(pass.Options)}"));
        return true;
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
}
