using EdgeRnn.Desktop.Onnx;
using EdgeRnn.Desktop.Reference;
using EdgeRnn.Runtime.Onnx;
using static EdgeRnn.Runtime.Tests.Graph.TestModels;

namespace EdgeRnn.Runtime.Tests.Graph;

/// <summary>Every non-recurrent operator against ONNX Runtime on small graphs with run-time (not folded) inputs.</summary>
public class OperatorOrtTests
{
    private static readonly Random s_rng = new(12345);

    /// <summary>Builds a graph with float input X of <paramref name="shape"/>, lets <paramref name="body"/> add nodes ending in "Y", and compares.</summary>
    private static void Check(int[] shape, Action<OnnxGraphBuilder> body, int opset = 17)
    {
        var b = new OnnxGraphBuilder("op", opset);
        b.AddInput("X", TensorElementType.Float, [.. shape.Select(d => OnnxDimension.Fixed(d))]);
        body(b);
        b.AddOutput("Y", TensorElementType.Float);
        byte[] bytes = b.ToBytes();
        var inputs = new Dictionary<string, Tensor> { ["X"] = RandomTensor(s_rng, 2f, shape) };
        Tensor expected = OrtReference.Run(bytes, inputs)["Y"];
        Tensor actual = RnnModel.Load(bytes).Run(inputs)["Y"];
        Compare.MaxAbs(expected, actual, 1e-5, "Y");
    }

    private static Tensor Ints(params long[] v) => Tensor.FromInt64(v, v.Length);

    [Fact] public void Add_Broadcast_MatchesOrt() => Check([2, 3, 4], b => { b.AddInitializer("c", RandomTensor(s_rng, 1f, 3, 1)); b.AddNode("Add", ["X", "c"], ["Y"]); });
    [Fact] public void Sub_ScalarLeft_MatchesOrt() => Check([5, 4], b => { b.AddInitializer("c", Tensor.FromFloat([1.5f])); b.AddNode("Sub", ["c", "X"], ["Y"]); });
    [Fact] public void Div_ScalarRight_MatchesOrt() => Check([3, 37], b => { b.AddInitializer("c", Tensor.FromFloat([0.37f])); b.AddNode("Div", ["X", "c"], ["Y"]); });
    [Fact] public void Sub_ScalarRightRank1_MatchesOrt() => Check([70], b => { b.AddInitializer("c", Tensor.FromFloat([1.25f], 1)); b.AddNode("Sub", ["X", "c"], ["Y"]); });
    [Fact] public void Mul_SameShape_MatchesOrt() => Check([3, 7], b => { b.AddNode("Mul", ["X", "X"], ["Y"]); });
    [Fact] public void Div_RowBroadcast_MatchesOrt() => Check([4, 6], b => { b.AddInitializer("c", Tensor.FromFloat([1, 2, 3, 4, 5, 6], 6)); b.AddNode("Div", ["X", "c"], ["Y"]); });
    [Fact] public void Sigmoid_MatchesOrt() => Check([300], b => b.AddNode("Sigmoid", ["X"], ["Y"]));
    [Fact] public void Tanh_MatchesOrt() => Check([257], b => b.AddNode("Tanh", ["X"], ["Y"]));
    [Fact] public void Relu_MatchesOrt() => Check([33], b => b.AddNode("Relu", ["X"], ["Y"]));
    [Fact] public void Softmax_MiddleAxis_MatchesOrt() => Check([2, 5, 3], b => b.AddNode("Softmax", ["X"], ["Y"]).WithAttribute("axis", 1L));
    [Fact] public void Identity_MatchesOrt() => Check([3], b => b.AddNode("Identity", ["X"], ["Y"]));
    [Fact] public void Flatten_MatchesOrt() => Check([2, 3, 4], b => b.AddNode("Flatten", ["X"], ["Y"]).WithAttribute("axis", 2L));
    [Fact] public void Transpose_MatchesOrt() => Check([2, 3, 4], b => b.AddNode("Transpose", ["X"], ["Y"]).WithAttribute("perm", new long[] { 2, 0, 1 }));
    [Fact] public void Reshape_ZeroAndMinusOne_MatchesOrt() => Check([2, 3, 4], b => { b.AddInitializer("s", Ints(0, -1)); b.AddNode("Reshape", ["X", "s"], ["Y"]); });
    [Fact] public void Expand_MatchesOrt() => Check([3, 1], b => { b.AddInitializer("s", Ints(2, 3, 4)); b.AddNode("Expand", ["X", "s"], ["Y"]); });
    [Fact] public void Tile_MatchesOrt() => Check([2, 3], b => { b.AddInitializer("r", Ints(2, 3)); b.AddNode("Tile", ["X", "r"], ["Y"]); });
    [Fact] public void Slice_NegativeStep_MatchesOrt() => Check([6, 5], b =>
    {
        b.AddInitializer("st", Ints(-1, 1)); b.AddInitializer("en", Ints(-100, 5)); b.AddInitializer("ax", Ints(0, 1)); b.AddInitializer("sp", Ints(-2, 2));
        b.AddNode("Slice", ["X", "st", "en", "ax", "sp"], ["Y"]);
    });
    [Fact] public void Pad_ConstantValueAndCrop_MatchesOrt() => Check([3, 4, 5], b =>
    {
        b.AddInitializer("p", Ints(1, 0, 2, 0, -2, 3)); b.AddInitializer("v", Tensor.FromFloat([-0.75f]));
        b.AddNode("Pad", ["X", "p", "v"], ["Y"]);
    });
    [Fact]
    public void Pad_DefaultZeroesOnInitializer_FoldsAndMatchesOrt()
    {
        static void Body(OnnxGraphBuilder b)
        {
            b.AddInitializer("c", RandomTensor(s_rng, 1f, 2, 3)); b.AddInitializer("p", Ints(0, 4, 0, 0));
            b.AddNode("Pad", ["c", "p"], ["cp"]); b.AddNode("Add", ["X", "cp"], ["Y"]);
        }

        Check([2, 7], Body);
        var b = new OnnxGraphBuilder("op", 17);
        b.AddInput("X", TensorElementType.Float, OnnxDimension.Fixed(2), OnnxDimension.Fixed(7));
        Body(b);
        b.AddOutput("Y", TensorElementType.Float);
        Assert.Equal(1, RnnModel.Load(b.ToBytes()).Streaming.Plan.KernelCount); // the Add; the Pad became a constant
    }
    [Fact] public void Pad_Edge_MatchesOrt() => Check([3, 4], b => { b.AddInitializer("p", Ints(2, 1, 0, 3)); b.AddNode("Pad", ["X", "p"], ["Y"]).WithAttribute("mode", "edge"); });
    [Fact] public void Pad_Reflect_MatchesOrt() => Check([4, 5], b => { b.AddInitializer("p", Ints(3, 1, 2, 4)); b.AddNode("Pad", ["X", "p"], ["Y"]).WithAttribute("mode", "reflect"); });

    [Theory]
    [InlineData("edge")]
    [InlineData("reflect")]
    [InlineData("wrap")]
    public void Pad_CropsThenPadsWhatIsLeft_MatchesOrt(string mode) => Check([5, 6], b =>
    {
        b.AddInitializer("p", Ints(-2, 2, 1, -3)); b.AddNode("Pad", ["X", "p"], ["Y"]).WithAttribute("mode", mode);
    }, opset: 19);

    [Fact]
    public void Pad_Int64ConstantValueBeyondFloatPrecision_MatchesOrt()
    {
        var b = new OnnxGraphBuilder("pad64", 18);
        b.AddInput("ids", TensorElementType.Int64, OnnxDimension.Fixed(2), OnnxDimension.Fixed(3));
        b.AddInitializer("p", Ints(0, 1, 1, 2));
        b.AddInitializer("v", Tensor.FromInt64([16_777_217]));
        b.AddNode("Pad", ["ids", "p", "v"], ["Y"]);
        b.AddOutput("Y", TensorElementType.Int64);
        byte[] bytes = b.ToBytes();
        var inputs = new Dictionary<string, Tensor> { ["ids"] = Tensor.FromInt64([1, -2, 3, 4_000_000_001, 5, 6], 2, 3) };
        long[] expected = OrtReference.Run(bytes, inputs)["Y"].Int64Data!;
        Assert.Contains(16_777_217L, expected);
        Assert.Equal(expected, RnnModel.Load(bytes).Run(inputs)["Y"].Int64Data!);
    }
    [Fact] public void Pad_WrapOnAxes_MatchesOrt() => Check([2, 3, 4], b =>
    {
        b.AddInitializer("p", Ints(2, 1, 5, 0)); b.AddInitializer("a", Ints(-1, 1));
        b.AddNode("Pad", ["X", "p", "", "a"], ["Y"]).WithAttribute("mode", "wrap");
    }, opset: 19);

    [Fact] public void Concat_WithInitializer_MatchesOrt() => Check([2, 3], b => { b.AddInitializer("c", RandomTensor(s_rng, 1f, 2, 2)); b.AddNode("Concat", ["X", "c", "X"], ["Y"]).WithAttribute("axis", -1L); });
    [Fact] public void Gather_ConstantNegativeIndices_MatchesOrt() => Check([4, 5], b => { b.AddInitializer("i", Tensor.FromInt64([-1, 0, 2], 3)); b.AddNode("Gather", ["X", "i"], ["Y"]).WithAttribute("axis", 1L); });
    [Fact] public void SqueezeUnsqueeze_MatchesOrt() => Check([3, 1, 4], b =>
    {
        b.AddInitializer("a1", Ints(1)); b.AddInitializer("a2", Ints(0, 3));
        b.AddNode("Squeeze", ["X", "a1"], ["s"]); b.AddNode("Unsqueeze", ["s", "a2"], ["Y"]);
    });
    [Fact] public void CastRoundTrip_Truncates_MatchesOrt() => Check([10], b =>
    {
        b.AddNode("Cast", ["X"], ["i"]).WithAttribute("to", 7L); b.AddNode("Cast", ["i"], ["Y"]).WithAttribute("to", 1L);
    });
    [Fact] public void Gemm_TransAAlphaBetaMatrixC_MatchesOrt() => Check([4, 3], b =>
    {
        b.AddInitializer("B", RandomTensor(s_rng, 1f, 5, 4)); b.AddInitializer("C", RandomTensor(s_rng, 1f, 3, 1));
        b.AddNode("Gemm", ["X", "B", "C"], ["Y"]).WithAttribute("transA", 1L).WithAttribute("transB", 1L).WithAttribute("alpha", 0.7f).WithAttribute("beta", -1.3f);
    });
    [Fact] public void Gemm_ConstantWeightsRowBias_MatchesOrt() => Check([3, 70], b => b.AddGemm("fc", "X", RandomTensor(s_rng, 0.2f, 65, 70), RandomTensor(s_rng, 1f, 65), "Y"));
    [Fact] public void MatMul_Batched3dDynamic_MatchesOrt() => Check([2, 3, 4], b =>
    {
        b.AddNode("Transpose", ["X"], ["xt"]).WithAttribute("perm", new long[] { 0, 2, 1 }); b.AddNode("MatMul", ["X", "xt"], ["Y"]);
    });
    [Fact] public void MatMul_ConstantWeights3d_MatchesOrt() => Check([2, 5, 7], b => b.AddMatMul("mm", "X", RandomTensor(s_rng, 1f, 7, 66), "Y"));
    [Fact] public void MatMul_VectorLeft_MatchesOrt() => Check([4], b => { b.AddInitializer("B", RandomTensor(s_rng, 1f, 2, 4, 3)); b.AddNode("MatMul", ["X", "B"], ["Y"]); });

    [Fact]
    public void ShapeGatherConcatConstantOfShape_FoldAtLoad_MatchesOrt() => Check([3, 2, 5], b =>
    {
        b.AddNode("Shape", ["X"], ["sh"]).WithAttribute("start", 1L);
        b.AddNode("Constant", [], ["one"]).WithAttribute("value", Ints(1));
        b.AddNode("Concat", ["one", "sh"], ["shape"]).WithAttribute("axis", 0L);
        b.AddNode("ConstantOfShape", ["shape"], ["z"]).WithAttribute("value", Tensor.FromFloat([0.25f], 1));
        b.AddNode("Add", ["X", "z"], ["Y"]);
    });

    [Fact]
    public void Gather_RunTimeIndices_EmbeddingLookupMatchesOrt()
    {
        var b = new OnnxGraphBuilder("emb", 17);
        b.AddInput("ids", TensorElementType.Int64, OnnxDimension.Fixed(2), OnnxDimension.Fixed(6));
        b.AddInitializer("table", RandomTensor(s_rng, 1f, 10, 4));
        b.AddNode("Gather", ["table", "ids"], ["Y"]);
        b.AddOutput("Y", TensorElementType.Float);
        byte[] bytes = b.ToBytes();
        var inputs = new Dictionary<string, Tensor> { ["ids"] = Tensor.FromInt64([0, 9, 3, 3, -1, 2, 5, 6, 7, 8, 1, 0], 2, 6) };
        Compare.MaxAbs(OrtReference.Run(bytes, inputs)["Y"], RnnModel.Load(bytes).Run(inputs)["Y"], 0, "Y");
    }

    [Fact]
    public void Load_UnsupportedOperator_NamesOpNodeAndSupportedSet()
    {
        var b = new OnnxGraphBuilder("bad", 17);
        b.AddInput("X", TensorElementType.Float, OnnxDimension.Fixed(3));
        b.AddNode("Erf", ["X"], ["Y"], "my_erf");
        b.AddOutput("Y", TensorElementType.Float);
        ModelFormatException e = Assert.Throws<ModelFormatException>(() => RnnModel.Load(b.ToBytes()));
        Assert.Contains("'Erf'", e.Message, StringComparison.Ordinal);
        Assert.Contains("my_erf", e.Message, StringComparison.Ordinal);
        Assert.Contains("LSTM", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_NonDefaultActivations_ClearUnsupportedError()
    {
        var rng = new Random(1);
        var b = new OnnxGraphBuilder("bad", 17);
        b.AddInput("X", TensorElementType.Float, OnnxDimension.Fixed(2), OnnxDimension.Fixed(1), OnnxDimension.Fixed(3));
        b.AddRnn("rnn", "X", 4, RandomTensor(rng, 1, 1, 4, 3), RandomTensor(rng, 1, 1, 4, 4), null, ["Y"]).WithAttribute("activations", new[] { "Relu" });
        b.AddOutput("Y", TensorElementType.Float);
        ModelFormatException e = Assert.Throws<ModelFormatException>(() => RnnModel.Load(b.ToBytes()));
        Assert.Contains("Relu", e.Message, StringComparison.Ordinal);
        Assert.Contains("default activations", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_WeightShapeMismatch_NamesNodeAndExpectedShape()
    {
        var rng = new Random(1);
        var b = new OnnxGraphBuilder("bad", 17);
        b.AddInput("X", TensorElementType.Float, OnnxDimension.Fixed(2), OnnxDimension.Fixed(1), OnnxDimension.Fixed(3));
        b.AddLstm("enc", "X", 4, RandomTensor(rng, 1, 1, 16, 3), RandomTensor(rng, 1, 1, 16, 5), null, ["Y"]);
        b.AddOutput("Y", TensorElementType.Float);
        ModelFormatException e = Assert.Throws<ModelFormatException>(() => RnnModel.Load(b.ToBytes()));
        Assert.Contains("'enc'", e.Message, StringComparison.Ordinal);
        Assert.Contains("[1, 16, 4]", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("reflect", 4, "shorter than the axis")]
    [InlineData("constant", -5, "crops 5 elements from axis 1 of length 4")]
    [InlineData("mirror", 1, "constant, edge, reflect and wrap")]
    public void Load_PadOutsideItsModes_ClearError(string mode, long pad, string expected)
    {
        var b = new OnnxGraphBuilder("bad", 18);
        b.AddInput("X", TensorElementType.Float, OnnxDimension.Fixed(2), OnnxDimension.Fixed(4));
        b.AddInitializer("p", Ints(0, pad, 0, 0));
        b.AddNode("Pad", ["X", "p"], ["Y"], "my_pad").WithAttribute("mode", mode);
        b.AddOutput("Y", TensorElementType.Float);
        ModelFormatException e = Assert.Throws<ModelFormatException>(() => RnnModel.Load(b.ToBytes()));
        Assert.Contains("my_pad", e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_HugeConstantOfShape_RefusedBeforeAllocating()
    {
        var b = new OnnxGraphBuilder("bad", 17);
        b.AddInput("X", TensorElementType.Float, OnnxDimension.Fixed(1));
        b.AddInitializer("s", Ints(100000, 100000, 100));
        b.AddNode("ConstantOfShape", ["s"], ["z"], "big");
        b.AddNode("Add", ["X", "z"], ["Y"]);
        b.AddOutput("Y", TensorElementType.Float);
        ModelFormatException e = Assert.Throws<ModelFormatException>(() => RnnModel.Load(b.ToBytes()));
        Assert.Contains("MaxTensorElements", e.Message, StringComparison.Ordinal);
    }
}
