using EdgeRnn.Runtime.Onnx.Proto;

namespace EdgeRnn.Quantize;

/// <summary>Static mode: the calibrated activation ranges.</summary>
internal static partial class ModelQuantizer
{
    /// <summary>
    /// QuantizeLinear → DequantizeLinear with the calibrated scale (range / 127, zero point 0) on the node's data input,
    /// so the runtime quantizes the activation with a fixed scale instead of per step.
    /// </summary>
    private static void QuantizeInput(Rewrite pass, NodeProto node, IReadOnlyDictionary<string, float>? ranges)
    {
        string x = node.Input[0];
        if (ranges is null || !ranges.TryGetValue(x, out float range))
        {
            throw new ArgumentException($"No calibrated range for '{x}', the input of node '{node.Name}'.", nameof(ranges));
        }

        float scale = range > 0 && float.IsFinite(range) ? range / 127f : 1f;
        pass.Ranges.Add(new ActivationRange(x, range, scale));
        string s = Unique(pass.Names, x + "_scale");
        string zp = Unique(pass.Names, x + "_zero_point");
        string q = Unique(pass.Names, x + "_quantized");
        string dq = Unique(pass.Names, x + "_dequantized");
        pass.Graph.Initializer.Add(FloatTensor(s, [scale], []));
        pass.Graph.Initializer.Add(Int8Tensor(zp, [0], []));
        pass.Nodes.Add(Helper("QuantizeLinear", [x, s, zp], [q]));
        pass.Nodes.Add(Helper("DequantizeLinear", [q, s, zp], [dq]));
        node.Input[0] = dq;
    }
}
