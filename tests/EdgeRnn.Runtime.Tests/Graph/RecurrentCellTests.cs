using EdgeRnn.Desktop.Models;
using EdgeRnn.Desktop.Onnx;
using EdgeRnn.Desktop.Reference;
using EdgeRnn.Runtime.Graph;
using EdgeRnn.Runtime.Onnx;

namespace EdgeRnn.Runtime.Tests.Graph;

/// <summary>
/// A recurrent cell lives in one place: every <see cref="RecurrentCellKind"/> has one registered
/// <see cref="RecurrentCell"/> whose answers agree with each other, the planner, the streaming plan and ONNX Runtime,
/// and nothing unknown falls back to another cell.
/// </summary>
public class RecurrentCellTests
{
    public static TheoryData<RecurrentCellKind> Kinds() => [.. Enum.GetValues<RecurrentCellKind>()];

    [Fact]
    public void All_EveryKind_RegisteredOnceInKindOrder()
    {
        RecurrentCellKind[] kinds = Enum.GetValues<RecurrentCellKind>();

        Assert.Equal(kinds, RecurrentCell.All.Select(c => c.Kind));
        Assert.Equal(kinds.Length, RecurrentCell.All.Select(c => c.OpType).Distinct(StringComparer.Ordinal).Count());
        Assert.All(kinds, k => Assert.Same(RecurrentCell.All[(int)k], RecurrentCell.For(k)));
    }

    [Theory]
    [InlineData((RecurrentCellKind)(-1))]
    [InlineData((RecurrentCellKind)3)]
    [InlineData((RecurrentCellKind)int.MaxValue)]
    public void For_UndefinedKind_Throws(RecurrentCellKind kind)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => RecurrentCell.For(kind));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void TryGetByOpType_OpTypeOfEveryCell_RoundTrips(RecurrentCellKind kind)
    {
        RecurrentCell cell = RecurrentCell.For(kind);

        Assert.True(RecurrentCell.TryGetByOpType(cell.OpType, out RecurrentCell? found));
        Assert.Same(cell, found);
        Assert.True(Operators.TryGet(cell.OpType, out _), $"{cell.OpType} has no plan builder");
        Assert.Contains(cell.OpType, Operators.SupportedList.Split(", "));
        Assert.Equal(cell.OpType, cell.ToString());
    }

    [Theory]
    [InlineData("Lstm")]
    [InlineData("lstm")]
    [InlineData("DynamicQuantizeLSTM")]
    [InlineData("LSTMCell")]
    [InlineData("")]
    public void TryGetByOpType_NotACellsOperator_ReturnsFalse(string opType)
    {
        Assert.False(RecurrentCell.TryGetByOpType(opType, out RecurrentCell? cell));
        Assert.Null(cell);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Cell_GatesStateAndRules_AreConsistent(RecurrentCellKind kind)
    {
        RecurrentCell cell = RecurrentCell.For(kind);
        const int Hidden = 24, Input = 5;

        Assert.InRange(cell.Gates, 1, 8);
        Assert.Equal(Enumerable.Range(0, cell.Gates), cell.TorchGateOrder.Order());
        Assert.NotEmpty(cell.DefaultActivations);
        Assert.All(cell.DefaultActivations, a => Assert.Equal(a.ToLowerInvariant(), a));
        Assert.Equal((long)cell.Gates * Hidden * (Input + Hidden), cell.MultiplyAdds(Hidden, Input));
        foreach (bool lbr in new[] { false, true })
        {
            Assert.InRange(cell.SummedBiasRows(Hidden, lbr), 0, cell.Gates * Hidden);
        }

        // The float step writes the gate pre-activations into its scratch; the int8 scratch holds up to 8H floats of gates.
        Assert.True(cell.ScratchLength(Hidden, Input) >= cell.Gates * Hidden);
        Assert.True(!cell.HasPeepholes || cell.HasCellState, "peepholes read the cell state");
    }

    [Theory]
    [InlineData(RecurrentCellKind.Lstm, false, 4)]
    [InlineData(RecurrentCellKind.Lstm, true, 4)]
    [InlineData(RecurrentCellKind.Gru, false, 3)]
    [InlineData(RecurrentCellKind.Gru, true, 2)]
    [InlineData(RecurrentCellKind.Rnn, false, 1)]
    [InlineData(RecurrentCellKind.Rnn, true, 1)]
    public void SummedBiasRows_LinearBeforeReset_KeepsGruHGateApart(RecurrentCellKind kind, bool linearBeforeReset, int gates)
    {
        Assert.Equal(gates * 10, RecurrentCell.For(kind).SummedBiasRows(10, linearBeforeReset));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Sizes_Negative_Throw(RecurrentCellKind kind)
    {
        RecurrentCell cell = RecurrentCell.For(kind);

        Assert.Throws<ArgumentOutOfRangeException>(() => cell.MultiplyAdds(-1, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => cell.MultiplyAdds(4, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => cell.SummedBiasRows(-1, false));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void BuiltinSequence_EveryCell_MatchesOnnxRuntimeAndItsStreamingTwin(RecurrentCellKind kind)
    {
        RecurrentCell cell = RecurrentCell.For(kind);
        const int Input = 3, Hidden = 12, Steps = 60, Layers = 2;
        byte[] sequence = BuiltinModels.CreateSequence(kind, Input, Hidden, Layers, seed: 5);
        var random = new Random(17);
        float[] x = [.. Enumerable.Range(0, Steps * Input).Select(_ => (random.NextSingle() * 2) - 1)];
        var feed = new Dictionary<string, Tensor> { ["x"] = Tensor.FromFloat(x, Steps, 1, Input) };

        RnnModel model = RnnModel.Load(sequence);
        Tensor ours = model.Run(feed)["y"];
        Compare.MaxAbs(OrtReference.Run(sequence, feed)["y"], ours, 1e-5, $"{cell} vs ORT");

        RnnModel streaming = RnnModel.Load(BuiltinModels.CreateStreaming(kind, Input, Hidden, Layers, seed: 5));
        Assert.Equal(Layers * (cell.HasCellState ? 2 : 1), streaming.StatePairs.Count);
        // The kernels ask the cell: layer 0 over the input, the next over the hidden state, then the head's MatMul.
        long expected = cell.MultiplyAdds(Hidden, Input) + ((Layers - 1) * cell.MultiplyAdds(Hidden, Hidden)) + ((long)Hidden * Input);
        Assert.Equal(expected, streaming.StepMultiplyAdds);
        RnnState state = streaming.CreateState();
        var y = new float[Input];
        for (int t = 0; t < Steps; t++)
        {
            streaming.Step(state, x.AsSpan(t * Input, Input), y);
            for (int i = 0; i < Input; i++)
            {
                Assert.Equal(ours.FloatData![(t * Input) + i], y[i], 1e-5f);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void AddRecurrent_InitialCForCellWithoutState_Throws(RecurrentCellKind kind)
    {
        RecurrentCell cell = RecurrentCell.For(kind);
        var g = new OnnxGraphBuilder("cell");
        g.AddInput("x", TensorElementType.Float, OnnxDimension.Fixed(1), OnnxDimension.Fixed(1), OnnxDimension.Fixed(2));
        Tensor w = Tensor.FromFloat(new float[cell.Gates * 4 * 2], 1, cell.Gates * 4, 2);
        Tensor r = Tensor.FromFloat(new float[cell.Gates * 4 * 4], 1, cell.Gates * 4, 4);
        if (cell.HasCellState)
        {
            Assert.Equal(cell.OpType, g.AddRecurrent(kind, "n", "x", 4, w, r, null, ["y"], initialC: "c0").OpType);
        }
        else
        {
            Assert.Throws<ArgumentException>(() => g.AddRecurrent(kind, "n", "x", 4, w, r, null, ["y"], initialC: "c0"));
        }
    }
}
