using EdgeRnn.Desktop.Onnx;
using EdgeRnn.Desktop.Reference;
using EdgeRnn.Runtime.Onnx;
using static EdgeRnn.Runtime.Tests.Graph.TestModels;

namespace EdgeRnn.Runtime.Tests.Graph;

/// <summary>Hand-built quantized graphs (qdq and com.microsoft) against ONNX Runtime.</summary>
public class QuantizedOrtTests
{
    private static long[] RandomInt8(Random rng, int count) => [.. Enumerable.Range(0, count).Select(_ => (long)rng.Next(-127, 128))];

    private static double MaxAbs(Tensor a, Tensor b)
    {
        Assert.Equal(a.GetShape(), b.GetShape());
        double max = 0;
        for (int i = 0; i < a.Length; i++)
        {
            max = Math.Max(max, Math.Abs(a.FloatData![i] - (double)b.FloatData![i]));
        }

        return max;
    }

    /// <summary>int8 W / R through per-axis DequantizeLinear into an LSTM, then a per-tensor qdq MatMul head.</summary>
    private static byte[] QdqLstm(int input, int hidden, int seed)
    {
        var rng = new Random(seed);
        var b = new OnnxGraphBuilder("qdq", 17);
        b.AddInput("X", TensorElementType.Float, OnnxDimension.Symbolic("seq"), OnnxDimension.Fixed(1), OnnxDimension.Fixed(input));
        float scale = 1f / MathF.Sqrt(hidden) / 127f;
        b.AddInitializer("Wq", Tensor.FromInt64(TensorElementType.Int8, RandomInt8(rng, 4 * hidden * input), 1, 4 * hidden, input));
        b.AddInitializer("Rq", Tensor.FromInt64(TensorElementType.Int8, RandomInt8(rng, 4 * hidden * hidden), 1, 4 * hidden, hidden));
        b.AddInitializer("Ws", Tensor.FromFloat([.. Uniform(rng, 4 * hidden, scale).Select(v => MathF.Abs(v) + (scale / 4))], 4 * hidden));
        b.AddInitializer("Rs", Tensor.FromFloat([.. Uniform(rng, 4 * hidden, scale).Select(v => MathF.Abs(v) + (scale / 4))], 4 * hidden));
        b.AddInitializer("B", RandomTensor(rng, 0.1f, 1, 8 * hidden));
        b.AddNode("DequantizeLinear", ["Wq", "Ws"], ["W"], "dq_w").WithAttribute("axis", 1L);
        b.AddNode("DequantizeLinear", ["Rq", "Rs"], ["R"], "dq_r").WithAttribute("axis", 1L);
        b.AddNode("LSTM", ["X", "W", "R", "B"], ["Y", "Y_h"], "lstm").WithAttribute("hidden_size", (long)hidden);
        b.AddNode("Squeeze", ["Y", "axes"], ["Ys"], "squeeze");
        b.AddInitializer("axes", Tensor.FromInt64([1], 1));
        b.AddInitializer("Hq", Tensor.FromInt64(TensorElementType.Int8, RandomInt8(rng, hidden * 3), hidden, 3));
        b.AddInitializer("Hs", Tensor.FromFloat([0.01f], []));
        b.AddNode("DequantizeLinear", ["Hq", "Hs"], ["H"], "dq_head");
        b.AddNode("MatMul", ["Ys", "H"], ["out"], "head");
        b.AddOutput("out", TensorElementType.Float);
        b.AddOutput("Y_h", TensorElementType.Float);
        return b.ToBytes();
    }

    [Fact]
    public void Run_QdqLstmAndHead_CloseToOrtAndUsesIntegerKernels()
    {
        byte[] model = QdqLstm(input: 5, hidden: 40, seed: 3);
        var inputs = new Dictionary<string, Tensor> { ["X"] = RandomTensor(new Random(1), 1f, 30, 1, 5) };
        Dictionary<string, Tensor> expected = OrtReference.Run(model, inputs);
        IReadOnlyDictionary<string, Tensor> actual = RnnModel.Load(model).Run(inputs);
        foreach ((string name, Tensor e) in expected)
        {
            // Only the per-step int8 rounding of x and h separates EdgeRnn from ORT's dequantized float run; see
            // ModelQuantizerTests for the bound. A difference of exactly 0 would mean the float path ran.
            double d = MaxAbs(e, actual[name]);
            Assert.True(d is > 1e-6 and < 0.01, $"{name}: {d}");
        }
    }

    [Fact]
    public void Run_AsymmetricUint8AndActivationQdq_MatchesOrtExactly()
    {
        // A uint8 weight with zero points stays a float constant (no integer kernel), and QuantizeLinear /
        // DequantizeLinear on an activation run as kernels with ORT's rounding (half to even, saturate).
        var rng = new Random(5);
        var b = new OnnxGraphBuilder("asym", 17);
        b.AddInput("x", TensorElementType.Float, OnnxDimension.Fixed(2), OnnxDimension.Fixed(6));
        b.AddInitializer("s", Tensor.FromFloat([0.02f], []));
        b.AddInitializer("z", Tensor.FromInt64(TensorElementType.Int8, [3], []));
        b.AddNode("QuantizeLinear", ["x", "s", "z"], ["xq"], "q");
        b.AddNode("DequantizeLinear", ["xq", "s", "z"], ["xd"], "dq");
        b.AddInitializer("Bq", Tensor.FromInt64(TensorElementType.UInt8, [.. Enumerable.Range(0, 6 * 4).Select(_ => (long)rng.Next(0, 256))], 6, 4));
        b.AddInitializer("Bs", Tensor.FromFloat([0.01f, 0.02f, 0.03f, 0.04f], 4));
        b.AddInitializer("Bz", Tensor.FromInt64(TensorElementType.UInt8, [128, 100, 0, 255], 4));
        b.AddNode("DequantizeLinear", ["Bq", "Bs", "Bz"], ["B"], "dq_b").WithAttribute("axis", 1L);
        b.AddNode("MatMul", ["xd", "B"], ["y"], "mm");
        b.AddOutput("y", TensorElementType.Float);
        byte[] model = b.ToBytes();
        var inputs = new Dictionary<string, Tensor> { ["x"] = RandomTensor(rng, 4f, 2, 6) };
        Dictionary<string, Tensor> expected = OrtReference.Run(model, inputs);
        Tensor actual = RnnModel.Load(model).Run(inputs)["y"];
        Assert.True(MaxAbs(expected["y"], actual) < 1e-5, $"{MaxAbs(expected["y"], actual)}");
    }

    [Theory]
    [InlineData("float zero point")]
    [InlineData("scale count")]
    [InlineData("int32 input")]
    [InlineData("blocked")]
    public void Load_MalformedDequantizeLinear_ThrowsModelFormatException(string defect)
    {
        var b = new OnnxGraphBuilder("bad", 21);
        b.AddInput("x", TensorElementType.Float, OnnxDimension.Fixed(1), OnnxDimension.Fixed(4));
        b.AddInitializer("q", defect == "int32 input"
            ? Tensor.FromInt64(TensorElementType.Int32, new long[12], 4, 3)
            : Tensor.FromInt64(TensorElementType.Int8, new long[12], 4, 3));
        b.AddInitializer("s", Tensor.FromFloat(defect == "scale count" ? [1f, 2f] : [1f, 2f, 3f], defect == "scale count" ? 2 : 3));
        b.AddInitializer("z", defect == "float zero point" ? Tensor.FromFloat([0f, 0f, 0f], 3) : Tensor.FromInt64(TensorElementType.Int8, new long[3], 3));
        OnnxNodeBuilder dq = b.AddNode("DequantizeLinear", ["q", "s", "z"], ["w"], "dq").WithAttribute("axis", 1L);
        if (defect == "blocked")
        {
            dq.WithAttribute("block_size", 2L);
        }

        b.AddNode("MatMul", ["x", "w"], ["y"], "mm");
        b.AddOutput("y", TensorElementType.Float);
        ModelFormatException e = Assert.Throws<ModelFormatException>(() => RnnModel.Load(b.ToBytes()).Run(Tensor.Zeros(TensorElementType.Float, 1, 4)));
        Assert.Contains("dq", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_DynamicQuantizeMatMulWithBias_CloseToOrt()
    {
        var rng = new Random(8);
        var b = new OnnxGraphBuilder("dqmm", 17);
        b.ImportOpset("com.microsoft", 1);
        b.AddInput("a", TensorElementType.Float, OnnxDimension.Fixed(3), OnnxDimension.Fixed(20));
        b.AddInitializer("Bq", Tensor.FromInt64(TensorElementType.Int8, RandomInt8(rng, 20 * 7), 20, 7));
        b.AddInitializer("Bs", Tensor.FromFloat([.. Enumerable.Range(1, 7).Select(i => 0.002f * i)], 7));
        b.AddInitializer("Bz", Tensor.FromInt64(TensorElementType.Int8, new long[7], 7));
        b.AddInitializer("bias", RandomTensor(rng, 1f, 7));
        b.AddNode("DynamicQuantizeMatMul", ["a", "Bq", "Bs", "Bz", "bias"], ["y"], "dqmm", domain: "com.microsoft");
        b.AddOutput("y", TensorElementType.Float);
        byte[] model = b.ToBytes();
        var inputs = new Dictionary<string, Tensor> { ["a"] = RandomTensor(rng, 2f, 3, 20) };
        Tensor expected = OrtReference.Run(model, inputs)["y"];
        Tensor actual = RnnModel.Load(model).Run(inputs)["y"];

        // ORT quantizes a to uint8 with a zero point, EdgeRnn to symmetric int8: each rounds a by at most half a step
        // (range / 255 or max|a| / 127), times Σ|b| ≈ 20 * 64 * 0.014 → below 0.05.
        Assert.True(MaxAbs(expected, actual) < 0.05, $"{MaxAbs(expected, actual)}");
    }
}
