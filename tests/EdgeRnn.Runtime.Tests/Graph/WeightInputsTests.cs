using EdgeRnn.Desktop.Onnx;
using EdgeRnn.Desktop.Reference;
using EdgeRnn.Runtime.Onnx;
using static EdgeRnn.Runtime.Tests.Graph.TestModels;

namespace EdgeRnn.Runtime.Tests.Graph;

/// <summary>
/// Models that take their weights as graph inputs (as ONNX's backend node tests and IR-3-era exporters write them):
/// Run binds and packs them, caching by content; Step needs them bound first. ONNX Runtime is the oracle.
/// </summary>
public class WeightInputsTests
{
    private const int Input = 4;
    private const int Hidden = 12;

    [Theory]
    [InlineData("LSTM", 4, 1)]
    [InlineData("GRU", 3, 2)]
    [InlineData("RNN", 1, 3)]
    public void Run_WeightsAsGraphInputs_MatchesOnnxRuntime(string cell, int gates, int seed)
    {
        byte[] bytes = WeightInputModel(cell);
        Dictionary<string, Tensor> inputs = Inputs(gates, seqLen: 90, seed);

        IReadOnlyDictionary<string, Tensor> ours = RnnModel.Load(bytes).Run(inputs);
        Dictionary<string, Tensor> expected = OrtReference.Run(bytes, inputs);

        foreach ((string name, Tensor e) in expected)
        {
            Compare.MaxAbs(e, ours[name], 1e-5, $"{cell} output {name}");
        }
    }

    [Fact]
    public void Run_SameWeightsTwice_PacksOnce_NewWeightsPackAgain()
    {
        RnnModel model = RnnModel.Load(WeightInputModel("LSTM"));
        Dictionary<string, Tensor> first = Inputs(4, seqLen: 20, seed: 7);
        Dictionary<string, Tensor> other = Inputs(4, seqLen: 20, seed: 8);
        other["X"] = first["X"];

        Tensor y1 = model.Run(first)["Y"];
        Tensor y1Again = model.Run(new Dictionary<string, Tensor>(first) { ["W"] = Copy(first["W"]) })["Y"];
        Assert.Equal(1, model.CachedBindingCount);
        Assert.Equal(y1.FloatData, y1Again.FloatData);
        Assert.Equal(["W", "R", "B"], model.ConstantInputs);

        Tensor y2 = model.Run(other)["Y"];
        Assert.Equal(2, model.CachedBindingCount);
        Assert.NotEqual(y1.FloatData, y2.FloatData);
        Compare.MaxAbs(OrtReference.Run(WeightInputModel("LSTM"), other)["Y"], y2, 1e-5, "second weights");
    }

    [Fact]
    public void CreateState_UnboundWeightInputs_ThrowsNamingTheInputs()
    {
        RnnModel model = RnnModel.Load(WeightInputModel("GRU"));

        NotSupportedException e = Assert.Throws<NotSupportedException>(model.CreateState);
        Assert.Contains("'W'", e.Message, StringComparison.Ordinal);
        Assert.Contains("BindInputs", e.Message, StringComparison.Ordinal);
        Assert.False(model.CanStream);
    }

    [Theory]
    [InlineData("LSTM", 4)]
    [InlineData("GRU", 3)]
    [InlineData("RNN", 1)]
    public void Step_AfterBindInputs_EqualsWholeSequenceRun(string cell, int gates)
    {
        RnnModel model = RnnModel.Load(WeightInputModel(cell));
        Dictionary<string, Tensor> inputs = Inputs(gates, seqLen: 60, seed: 11);
        Tensor y = model.Run(inputs)["Y"];

        RnnModel bound = model.BindInputs(new Dictionary<string, Tensor> { ["W"] = inputs["W"], ["R"] = inputs["R"], ["B"] = inputs["B"] });
        Assert.Equal(["X"], bound.Inputs.Select(i => i.Name));
        Assert.NotEqual(model.HashHex, bound.HashHex);
        RnnState state = bound.CreateState();
        var output = new float[Hidden];
        for (int t = 0; t < 60; t++)
        {
            bound.Step(state, inputs["X"].FloatData.AsSpan(t * Input, Input), output);
            for (int j = 0; j < Hidden; j++)
            {
                Assert.Equal(y.FloatData![(t * Hidden) + j], output[j], 1e-6f);
            }
        }
    }

    [Fact]
    public void BindInputs_WrongShapeOrUnknownName_ThrowsArgumentException()
    {
        RnnModel model = RnnModel.Load(WeightInputModel("RNN"));

        ArgumentException shape = Assert.Throws<ArgumentException>(() => model.BindInputs(new Dictionary<string, Tensor> { ["W"] = Tensor.FromFloat(new float[3], 1, 3) }));
        Assert.Contains("'W'", shape.Message, StringComparison.Ordinal);
        ArgumentException name = Assert.Throws<ArgumentException>(() => model.BindInputs(new Dictionary<string, Tensor> { ["weights"] = Tensor.FromFloat(new float[3], 3) }));
        Assert.Contains("'weights'", name.Message, StringComparison.Ordinal);
    }

    /// <summary>One recurrent node whose X, W, R and B are all graph inputs; seq and batch are symbolic.</summary>
    private static byte[] WeightInputModel(string cell)
    {
        int gates = cell switch { "LSTM" => 4, "GRU" => 3, _ => 1 };
        var b = new OnnxGraphBuilder("weights_as_inputs", 17);
        b.AddInput("X", TensorElementType.Float, OnnxDimension.Symbolic("seq"), OnnxDimension.Symbolic("batch"), OnnxDimension.Fixed(Input));
        b.AddInput("W", TensorElementType.Float, OnnxDimension.Fixed(1), OnnxDimension.Fixed(gates * Hidden), OnnxDimension.Fixed(Input));
        b.AddInput("R", TensorElementType.Float, OnnxDimension.Fixed(1), OnnxDimension.Fixed(gates * Hidden), OnnxDimension.Fixed(Hidden));
        b.AddInput("B", TensorElementType.Float, OnnxDimension.Fixed(1), OnnxDimension.Fixed(2 * gates * Hidden));
        string[] outputs = cell == "LSTM" ? ["Y", "Y_h", "Y_c"] : ["Y", "Y_h"];
        OnnxNodeBuilder node = b.AddNode(cell, ["X", "W", "R", "B"], outputs, "rnn").WithAttribute("hidden_size", Hidden);
        if (cell == "GRU")
        {
            node.WithAttribute("linear_before_reset", 1L);
        }

        foreach (string o in outputs)
        {
            b.AddOutput(o, TensorElementType.Float);
        }

        return b.ToBytes();
    }

    private static Dictionary<string, Tensor> Inputs(int gates, int seqLen, int seed)
    {
        var rng = new Random(seed);
        float scale = 1f / MathF.Sqrt(Hidden);
        return new Dictionary<string, Tensor>
        {
            ["X"] = RandomTensor(rng, 1.5f, seqLen, 1, Input),
            ["W"] = RandomTensor(rng, scale, 1, gates * Hidden, Input),
            ["R"] = RandomTensor(rng, scale, 1, gates * Hidden, Hidden),
            ["B"] = RandomTensor(rng, scale, 1, 2 * gates * Hidden),
        };
    }

    private static Tensor Copy(Tensor t) => Tensor.FromFloat((float[])t.FloatData!.Clone(), t.GetShape());
}
