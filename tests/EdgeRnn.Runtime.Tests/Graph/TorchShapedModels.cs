using EdgeRnn.Desktop.Onnx;
using EdgeRnn.Runtime.Onnx;
using static EdgeRnn.Runtime.Tests.Graph.TestModels;

namespace EdgeRnn.Runtime.Tests.Graph;

/// <summary>Graphs shaped the way torch.onnx.export writes nn.LSTM models (opset 17, batch_first inputs).</summary>
internal static class TorchShapedModels
{
    /// <summary>
    /// nn.LSTM(num_layers=2, batch_first=True) + nn.Linear, called with (h0, c0): Transpose of the input, Slice of
    /// h0/c0 per layer, Squeeze of each Y, Concat of the final states into hn/cn, Transpose back, MatMul + Add head.
    /// </summary>
    public static byte[] StackedLstm(int input, int hidden, int outputs, int seed)
    {
        var rng = new Random(seed);
        float s = 1f / MathF.Sqrt(hidden);
        var b = new OnnxGraphBuilder("main_graph", 17) { ProducerName = "pytorch" };
        OnnxDimension batch = OnnxDimension.Symbolic("batch_size");
        OnnxDimension seq = OnnxDimension.Symbolic("sequence");
        b.AddInput("input", TensorElementType.Float, batch, seq, OnnxDimension.Fixed(input));
        b.AddInput("h0", TensorElementType.Float, OnnxDimension.Fixed(2), batch, OnnxDimension.Fixed(hidden));
        b.AddInput("c0", TensorElementType.Float, OnnxDimension.Fixed(2), batch, OnnxDimension.Fixed(hidden));
        b.AddInitializer("onnx::Slice_starts0", Tensor.FromInt64([0], 1));
        b.AddInitializer("onnx::Slice_starts1", Tensor.FromInt64([1], 1));
        b.AddInitializer("onnx::Slice_ends1", Tensor.FromInt64([1], 1));
        b.AddInitializer("onnx::Slice_ends2", Tensor.FromInt64([2], 1));
        b.AddInitializer("onnx::Slice_axes", Tensor.FromInt64([0], 1));
        b.AddInitializer("onnx::Squeeze_axes", Tensor.FromInt64([1], 1));
        b.AddNode("Transpose", ["input"], ["/lstm/Transpose_output_0"], "/lstm/Transpose").WithAttribute("perm", new long[] { 1, 0, 2 });
        string x = "/lstm/Transpose_output_0";
        for (int layer = 0; layer < 2; layer++)
        {
            string st = $"onnx::Slice_starts{layer}", en = $"onnx::Slice_ends{layer + 1}";
            b.AddNode("Slice", ["h0", st, en, "onnx::Slice_axes"], [$"/lstm/Slice_{2 * layer}_output_0"], $"/lstm/Slice_{2 * layer}");
            b.AddNode("Slice", ["c0", st, en, "onnx::Slice_axes"], [$"/lstm/Slice_{(2 * layer) + 1}_output_0"], $"/lstm/Slice_{(2 * layer) + 1}");
            int inSize = layer == 0 ? input : hidden;
            b.AddLstm($"/lstm/LSTM_{layer}", x, hidden, RandomTensor(rng, s, 1, 4 * hidden, inSize), RandomTensor(rng, s, 1, 4 * hidden, hidden),
                RandomTensor(rng, s, 1, 8 * hidden), [$"/lstm/LSTM_{layer}_output_0", $"/lstm/LSTM_{layer}_output_1", $"/lstm/LSTM_{layer}_output_2"],
                initialH: $"/lstm/Slice_{2 * layer}_output_0", initialC: $"/lstm/Slice_{(2 * layer) + 1}_output_0");
            b.AddNode("Squeeze", [$"/lstm/LSTM_{layer}_output_0", "onnx::Squeeze_axes"], [$"/lstm/Squeeze_{layer}_output_0"], $"/lstm/Squeeze_{layer}");
            x = $"/lstm/Squeeze_{layer}_output_0";
        }

        b.AddNode("Transpose", [x], ["/lstm/Transpose_1_output_0"], "/lstm/Transpose_1").WithAttribute("perm", new long[] { 1, 0, 2 });
        b.AddNode("Concat", ["/lstm/LSTM_0_output_1", "/lstm/LSTM_1_output_1"], ["hn"], "/lstm/Concat").WithAttribute("axis", 0L);
        b.AddNode("Concat", ["/lstm/LSTM_0_output_2", "/lstm/LSTM_1_output_2"], ["cn"], "/lstm/Concat_1").WithAttribute("axis", 0L);
        b.AddInitializer("fc.weight_T", RandomTensor(rng, s, hidden, outputs));
        b.AddInitializer("fc.bias", RandomTensor(rng, s, outputs));
        b.AddNode("MatMul", ["/lstm/Transpose_1_output_0", "fc.weight_T"], ["/fc/MatMul_output_0"], "/fc/MatMul");
        b.AddNode("Add", ["fc.bias", "/fc/MatMul_output_0"], ["output"], "/fc/Add");
        b.AddOutput("output", TensorElementType.Float, batch, seq, OnnxDimension.Fixed(outputs));
        b.AddOutput("hn", TensorElementType.Float, OnnxDimension.Fixed(2), batch, OnnxDimension.Fixed(hidden));
        b.AddOutput("cn", TensorElementType.Float, OnnxDimension.Fixed(2), batch, OnnxDimension.Fixed(hidden));
        return b.ToBytes();
    }

    /// <summary>
    /// nn.LSTM(bidirectional=True, batch_first=True) called without states, + Linear + Softmax: the zero initial
    /// states are built from Shape / Gather / Unsqueeze / Concat / Expand of the input, as torch.onnx.export does.
    /// </summary>
    public static byte[] BidirectionalClassifier(int input, int hidden, int classes, int seed)
    {
        var rng = new Random(seed);
        float s = 1f / MathF.Sqrt(hidden);
        var b = new OnnxGraphBuilder("main_graph", 17) { ProducerName = "pytorch" };
        OnnxDimension batch = OnnxDimension.Symbolic("batch_size");
        OnnxDimension seq = OnnxDimension.Symbolic("sequence");
        b.AddInput("input", TensorElementType.Float, batch, seq, OnnxDimension.Fixed(input));
        b.AddNode("Shape", ["input"], ["/lstm/Shape_output_0"], "/lstm/Shape");
        b.AddNode("Constant", [], ["/lstm/Constant_output_0"], "/lstm/Constant").WithAttribute("value", Tensor.FromInt64([0]));
        b.AddNode("Gather", ["/lstm/Shape_output_0", "/lstm/Constant_output_0"], ["/lstm/Gather_output_0"], "/lstm/Gather").WithAttribute("axis", 0L);
        b.AddNode("Constant", [], ["/lstm/Constant_1_output_0"], "/lstm/Constant_1").WithAttribute("value", Tensor.FromInt64([0], 1));
        b.AddNode("Unsqueeze", ["/lstm/Gather_output_0", "/lstm/Constant_1_output_0"], ["/lstm/Unsqueeze_output_0"], "/lstm/Unsqueeze");
        b.AddNode("Constant", [], ["/lstm/Constant_2_output_0"], "/lstm/Constant_2").WithAttribute("value", Tensor.FromInt64([2], 1));
        b.AddNode("Constant", [], ["/lstm/Constant_3_output_0"], "/lstm/Constant_3").WithAttribute("value", Tensor.FromInt64([hidden], 1));
        b.AddNode("Concat", ["/lstm/Constant_2_output_0", "/lstm/Unsqueeze_output_0", "/lstm/Constant_3_output_0"], ["/lstm/Concat_output_0"], "/lstm/Concat").WithAttribute("axis", 0L);
        b.AddNode("ConstantOfShape", ["/lstm/Concat_output_0"], ["/lstm/ConstantOfShape_output_0"], "/lstm/ConstantOfShape").WithAttribute("value", Tensor.FromFloat([0f], 1));
        b.AddInitializer("zeros_2_1_h", Tensor.Zeros(TensorElementType.Float, 2, 1, hidden));
        b.AddNode("Expand", ["zeros_2_1_h", "/lstm/Concat_output_0"], ["/lstm/Expand_output_0"], "/lstm/Expand");
        b.AddNode("Transpose", ["input"], ["/lstm/Transpose_output_0"], "/lstm/Transpose").WithAttribute("perm", new long[] { 1, 0, 2 });
        b.AddLstm("/lstm/LSTM", "/lstm/Transpose_output_0", hidden, RandomTensor(rng, s, 2, 4 * hidden, input), RandomTensor(rng, s, 2, 4 * hidden, hidden),
            RandomTensor(rng, s, 2, 8 * hidden), ["/lstm/LSTM_output_0", "", ""], "bidirectional",
            initialH: "/lstm/ConstantOfShape_output_0", initialC: "/lstm/Expand_output_0");
        b.AddNode("Transpose", ["/lstm/LSTM_output_0"], ["/lstm/Transpose_1_output_0"], "/lstm/Transpose_1").WithAttribute("perm", new long[] { 2, 0, 1, 3 });
        b.AddNode("Constant", [], ["/lstm/Constant_4_output_0"], "/lstm/Constant_4").WithAttribute("value", Tensor.FromInt64([0, 0, -1], 3));
        b.AddNode("Reshape", ["/lstm/Transpose_1_output_0", "/lstm/Constant_4_output_0"], ["/lstm/Reshape_output_0"], "/lstm/Reshape");
        b.AddNode("Flatten", ["/lstm/Reshape_output_0"], ["/lstm/Reshape_flat"], "/fc/Flatten").WithAttribute("axis", 2L);
        b.AddGemm("/fc/Gemm", "/lstm/Reshape_flat", RandomTensor(rng, s, classes, 2 * hidden), RandomTensor(rng, s, classes), "/fc/Gemm_output_0");
        b.AddNode("Softmax", ["/fc/Gemm_output_0"], ["probs"], "/Softmax").WithAttribute("axis", -1L);
        b.AddOutput("probs", TensorElementType.Float);
        return b.ToBytes();
    }
}
