using EdgeRnn.Desktop.Models;
using EdgeRnn.Desktop.Onnx;
using EdgeRnn.Runtime.Onnx.Proto;
using EdgeRnn.Runtime.Onnx;
using EdgeRnn.Runtime.Tests.Graph;
using EdgeRnn.Runtime;
using Google.Protobuf;
using Xunit.Abstractions;
using static EdgeRnn.Quantize.Tests.QuantizeTestHelpers;

namespace EdgeRnn.Quantize.Tests;

public class ModelQuantizerTests(ITestOutputHelper log)
{
    // Tolerances. Weights: per-channel int8 rounding leaves each weight within half a step (max|row| / 254). Activations:
    // EdgeRnn also rounds x and h to int8 every step (half a step = max|v| / 254 per element), which ORT does not (it
    // dequantizes the weights and runs float; its DynamicQuantizeLSTM quantizes activations in its own way). With K
    // inputs of magnitude <= 1 and weights ~ 1/sqrt(H), one step's gate error is ~ sqrt(K) / sqrt(H) / 254 / sqrt(3)
    // ≈ 2e-3 worst case; sigmoid / tanh contract it and it does not grow over 40-60 steps. Measured on these models:
    // max abs 0.5e-3 .. 1.3e-3 (RMS ~2e-4 .. 4e-4) for EdgeRnn int8 vs ORT int8 and vs float. The bounds leave ~8x room
    // and still catch a wrong gate order, scale or layout (those give errors of 0.1 and more).
    private const double OursVsOrtInt8 = 0.01;
    private const double Int8VsFloat = 0.01;

    private static Dictionary<string, Tensor> SequenceInput(int steps, int features, int seed) =>
        new() { ["x"] = TestModels.RandomTensor(new Random(seed), 1f, steps, 1, features) };

    [Theory]
    [InlineData(RecurrentCellKind.Lstm, "qdq", false)]
    [InlineData(RecurrentCellKind.Lstm, "qdq", true)]
    [InlineData(RecurrentCellKind.Lstm, "ort", false)]
    [InlineData(RecurrentCellKind.Lstm, "ort", true)]
    [InlineData(RecurrentCellKind.Gru, "qdq", false)]
    [InlineData(RecurrentCellKind.Gru, "ort", true)]
    public void Quantize_Dynamic_RunsInOrtAndEdgeRnnWithinTolerance(RecurrentCellKind cell, string format, bool perTensor)
    {
        byte[] fp32 = BuiltinModels.CreateSequence(cell, inputSize: 4, hiddenSize: 64, layers: 2, seed: 5);
        byte[] int8 = QuantizeBytes(fp32, new QuantizeOptions { Format = format == "ort" ? QuantizeFormat.Ort : QuantizeFormat.Qdq, PerTensor = perTensor });
        (Dictionary<string, Tensor> ortFloat, Dictionary<string, Tensor> ortInt8, IReadOnlyDictionary<string, Tensor> ours) = RunAll(fp32, int8, SequenceInput(60, 4, 1));
        foreach ((string name, Tensor expected) in ortFloat)
        {
            double oursVsOrt = MaxAbs(ortInt8[name], ours[name]);
            double vsFloat = MaxAbs(expected, ours[name]);
            log.WriteLine($"{cell} {format} perTensor={perTensor} {name}: ours-vs-ORT-int8 {oursVsOrt:g3}, ours-vs-float {vsFloat:g3}, ORT-int8-vs-float {MaxAbs(expected, ortInt8[name]):g3}, rms ours-vs-float {Rms(expected, ours[name]):g3}");
            Assert.True(oursVsOrt <= OursVsOrtInt8, $"{name}: EdgeRnn int8 vs ORT int8 {oursVsOrt}");
            Assert.True(vsFloat <= Int8VsFloat, $"{name}: EdgeRnn int8 vs float {vsFloat}");
            Assert.True(MaxAbs(expected, ortInt8[name]) <= Int8VsFloat, $"{name}: ORT int8 vs float");

            // EdgeRnn really ran integer kernels: its activation rounding makes it differ from ORT's dequantized run.
            Assert.True(oursVsOrt > 1e-5, $"{name}: EdgeRnn int8 equals ORT's dequantized float run ({oursVsOrt}); were the int8 kernels used?");
        }
    }

    [Theory]
    [InlineData("qdq")]
    [InlineData("ort")]
    public void Quantize_TorchShapedStackedLstm_RunsInOrtAndEdgeRnn(string format)
    {
        byte[] fp32 = TorchShapedModels.StackedLstm(input: 4, hidden: 64, outputs: 3, seed: 2);
        byte[] int8 = QuantizeBytes(fp32, new QuantizeOptions { Format = format == "ort" ? QuantizeFormat.Ort : QuantizeFormat.Qdq });
        var rng = new Random(3);
        var inputs = new Dictionary<string, Tensor>
        {
            ["input"] = TestModels.RandomTensor(rng, 1f, 1, 50, 4),
            ["h0"] = TestModels.RandomTensor(rng, 0.5f, 2, 1, 64),
            ["c0"] = TestModels.RandomTensor(rng, 0.5f, 2, 1, 64),
        };
        (Dictionary<string, Tensor> ortFloat, Dictionary<string, Tensor> ortInt8, IReadOnlyDictionary<string, Tensor> ours) = RunAll(fp32, int8, inputs);
        foreach ((string name, Tensor expected) in ortFloat)
        {
            Assert.True(MaxAbs(ortInt8[name], ours[name]) <= OursVsOrtInt8, $"{name}: EdgeRnn int8 vs ORT int8");
            Assert.True(MaxAbs(expected, ours[name]) <= Int8VsFloat, $"{name}: EdgeRnn int8 vs float");
        }
    }

    [Fact]
    public void Quantize_BidirectionalTorchClassifier_RunsInOrtAndEdgeRnn()
    {
        byte[] fp32 = TorchShapedModels.BidirectionalClassifier(4, 32, 3, 1);
        byte[] int8 = QuantizeBytes(fp32, new QuantizeOptions());
        RnnModel model = RnnModel.Load(fp32);
        var input = new Dictionary<string, Tensor> { [model.Inputs[0].Name] = TestModels.RandomTensor(new Random(1), 1f, 1, 30, 4) };
        (Dictionary<string, Tensor> ortFloat, Dictionary<string, Tensor> ortInt8, IReadOnlyDictionary<string, Tensor> ours) = RunAll(fp32, int8, input);
        foreach ((string name, Tensor expected) in ortFloat)
        {
            Assert.True(MaxAbs(ortInt8[name], ours[name]) <= OursVsOrtInt8, $"{name}: EdgeRnn int8 vs ORT int8");
            Assert.True(MaxAbs(expected, ours[name]) <= Int8VsFloat, $"{name}: EdgeRnn int8 vs float");
        }
    }

    [Theory]
    [InlineData("LSTM")]
    [InlineData("GRU")]
    [InlineData("RNN")]
    public void Quantize_EveryCellAndGruResetMode_MatchesOrt(string cell)
    {
        foreach (int lbr in cell == "GRU" ? (int[])[0, 1] : [0])
        {
            var spec = new TestModels.RecurrentSpec(cell, Input: 5, Hidden: 48, LinearBeforeReset: lbr);
            byte[] fp32 = TestModels.Recurrent(spec, seed: 11);
            byte[] int8 = QuantizeBytes(fp32, new QuantizeOptions());
            Dictionary<string, Tensor> inputs = TestModels.RecurrentInputs(spec, seqLen: 40, batch: 2, seed: 4);
            (Dictionary<string, Tensor> ortFloat, Dictionary<string, Tensor> ortInt8, IReadOnlyDictionary<string, Tensor> ours) = RunAll(fp32, int8, inputs);
            foreach ((string name, Tensor expected) in ortFloat)
            {
                Assert.True(MaxAbs(ortInt8[name], ours[name]) <= OursVsOrtInt8, $"{cell} lbr={lbr} {name}: EdgeRnn int8 vs ORT int8");
                Assert.True(MaxAbs(expected, ours[name]) <= Int8VsFloat, $"{cell} lbr={lbr} {name}: EdgeRnn int8 vs float");
            }
        }
    }

    [Theory]
    [InlineData("LSTM", "qdq", false)]
    [InlineData("LSTM", "ort", false)]
    [InlineData("LSTM", "ort", true)]
    [InlineData("GRU", "qdq", false)]
    public void Quantize_Bidirectional_MatchesOrt(string cell, string format, bool perTensor)
    {
        // Two directions: per-row scales, folded biases and (ort) DynamicQuantizeLSTM's [D, 4H] scales span both.
        var spec = new TestModels.RecurrentSpec(cell, Input: 5, Hidden: 40, Direction: "bidirectional", LinearBeforeReset: cell == "GRU" ? 1 : 0);
        byte[] fp32 = TestModels.Recurrent(spec, seed: 21);
        byte[] int8 = QuantizeBytes(fp32, new QuantizeOptions { Format = format == "ort" ? QuantizeFormat.Ort : QuantizeFormat.Qdq, PerTensor = perTensor });
        Dictionary<string, Tensor> inputs = TestModels.RecurrentInputs(spec, seqLen: 30, batch: 2, seed: 8);
        (Dictionary<string, Tensor> ortFloat, Dictionary<string, Tensor> ortInt8, IReadOnlyDictionary<string, Tensor> ours) = RunAll(fp32, int8, inputs);
        foreach ((string name, Tensor expected) in ortFloat)
        {
            log.WriteLine($"{cell} {format} perTensor={perTensor} {name}: ours-vs-ORT-int8 {MaxAbs(ortInt8[name], ours[name]):g3}, ours-vs-float {MaxAbs(expected, ours[name]):g3}");
            Assert.True(MaxAbs(ortInt8[name], ours[name]) <= OursVsOrtInt8, $"{name}: EdgeRnn int8 vs ORT int8");
            Assert.True(MaxAbs(expected, ours[name]) <= Int8VsFloat, $"{name}: EdgeRnn int8 vs float");
            Assert.True(MaxAbs(expected, ortInt8[name]) <= Int8VsFloat, $"{name}: ORT int8 vs float");
        }
    }

    [Theory]
    [InlineData("qdq")]
    [InlineData("ort")]
    public void Quantize_GemmBothTranspositionsAndAlpha_MatchesOrt(string format)
    {
        var rng = new Random(12);
        var b = new OnnxGraphBuilder("dense", 17);
        b.AddInput("x", TensorElementType.Float, OnnxDimension.Fixed(3), OnnxDimension.Fixed(24));
        b.AddGemm("fc1", "x", TestModels.RandomTensor(rng, 0.3f, 40, 24), TestModels.RandomTensor(rng, 0.1f, 40), "h", transB: true);
        b.AddNode("Relu", ["h"], ["hr"], "relu");
        b.AddGemm("fc2", "hr", TestModels.RandomTensor(rng, 0.3f, 40, 5), TestModels.RandomTensor(rng, 0.1f, 5), "g", transB: false).WithAttribute("alpha", 0.5f);
        b.AddMatMul("fc3", "g", TestModels.RandomTensor(rng, 0.3f, 5, 6), "y");
        b.AddOutput("y", TensorElementType.Float);
        byte[] fp32 = b.ToBytes();
        QuantizeOutcome outcome = ModelQuantizer.Quantize(ModelQuantizer.Parse(fp32), new QuantizeOptions { Format = format == "ort" ? QuantizeFormat.Ort : QuantizeFormat.Qdq });
        Assert.All(outcome.Nodes, n => Assert.True(n.Quantized, n.Detail));
        var inputs = new Dictionary<string, Tensor> { ["x"] = TestModels.RandomTensor(rng, 2f, 3, 24) };
        (Dictionary<string, Tensor> ortFloat, Dictionary<string, Tensor> ortInt8, IReadOnlyDictionary<string, Tensor> ours) = RunAll(fp32, outcome.Model, inputs);
        double scale = ortFloat["y"].FloatData!.Max(MathF.Abs);
        Assert.True(MaxAbs(ortInt8["y"], ours["y"]) <= 0.02 * scale, $"EdgeRnn vs ORT int8: {MaxAbs(ortInt8["y"], ours["y"])} (output scale {scale})");
        Assert.True(MaxAbs(ortFloat["y"], ours["y"]) <= 0.02 * scale, $"EdgeRnn int8 vs float: {MaxAbs(ortFloat["y"], ours["y"])}");
    }

    [Fact]
    public void Quantize_StaticDense_EdgeRnnUsesCalibratedScalesAndMatchesOrt()
    {
        // Static qdq: every dense input is DequantizeLinear(QuantizeLinear(a, s), s). EdgeRnn quantizes it with the same s
        // (not from the row's own range), so its integer result is ORT's math exactly, up to float rounding.
        var rng = new Random(21);
        var b = new OnnxGraphBuilder("dense", 17);
        b.AddInput("x", TensorElementType.Float, OnnxDimension.Fixed(4), OnnxDimension.Fixed(24));
        b.AddGemm("fc1", "x", TestModels.RandomTensor(rng, 0.3f, 40, 24), TestModels.RandomTensor(rng, 0.1f, 40), "h", transB: true);
        b.AddNode("Relu", ["h"], ["hr"], "relu");
        b.AddMatMul("fc2", "hr", TestModels.RandomTensor(rng, 0.3f, 40, 6), "y");
        b.AddOutput("y", TensorElementType.Float);
        byte[] fp32 = b.ToBytes();
        var inputs = new Dictionary<string, Tensor> { ["x"] = TestModels.RandomTensor(rng, 2f, 4, 24) };
        var ranges = new Dictionary<string, float> { ["x"] = 1.5f, ["hr"] = 2f };
        byte[] int8 = QuantizeBytes(fp32, new QuantizeOptions { Mode = QuantizeMode.Static }, ranges);
        (Dictionary<string, Tensor> ortFloat, Dictionary<string, Tensor> ortInt8, IReadOnlyDictionary<string, Tensor> ours) = RunAll(fp32, int8, inputs);
        double scale = ortFloat["y"].FloatData!.Max(MathF.Abs);
        log.WriteLine($"static dense: EdgeRnn vs ORT int8 {MaxAbs(ortInt8["y"], ours["y"]):g3}, vs float {MaxAbs(ortFloat["y"], ours["y"]):g3} (output scale {scale:g3})");
        Assert.True(MaxAbs(ortInt8["y"], ours["y"]) <= 1e-5 * scale, $"EdgeRnn vs ORT int8: {MaxAbs(ortInt8["y"], ours["y"])}");
        Assert.True(MaxAbs(ortFloat["y"], ours["y"]) > 1e-4 * scale, "x was clipped to 1.5, so int8 must differ from float");
    }

    [Theory]
    [InlineData(RecurrentCellKind.Lstm, "qdq")]
    [InlineData(RecurrentCellKind.Lstm, "ort")]
    [InlineData(RecurrentCellKind.Gru, "qdq")]
    public void Quantize_Hidden64_FileAtMost30PercentOfFloat(RecurrentCellKind cell, string format)
    {
        byte[] fp32 = BuiltinModels.CreateStreaming(cell, inputSize: 4, hiddenSize: 64, layers: 2);
        byte[] int8 = QuantizeBytes(fp32, new QuantizeOptions { Format = format == "ort" ? QuantizeFormat.Ort : QuantizeFormat.Qdq });
        Assert.True(int8.Length <= 0.30 * fp32.Length, $"{int8.Length} of {fp32.Length} bytes");
    }

    [Theory]
    [InlineData(RecurrentCellKind.Lstm, "qdq")]
    [InlineData(RecurrentCellKind.Gru, "qdq")]
    [InlineData(RecurrentCellKind.Lstm, "ort")]
    public void Quantize_Hidden64SingleLayer_FileAtMost30PercentOfFloatAndRunsInOrt(RecurrentCellKind cell, string format)
    {
        // One layer is the hard case: the float part (biases, scales, graph) weighs most against the int8 matrices.
        var options = new QuantizeOptions { Format = format == "ort" ? QuantizeFormat.Ort : QuantizeFormat.Qdq };
        byte[] fp32 = BuiltinModels.CreateStreaming(cell, inputSize: 4, hiddenSize: 64, layers: 1);
        byte[] int8 = QuantizeBytes(fp32, options);
        byte[] seqFp32 = BuiltinModels.CreateSequence(cell, inputSize: 4, hiddenSize: 64, layers: 1, seed: 5);
        (Dictionary<string, Tensor> ortFloat, Dictionary<string, Tensor> ortInt8, IReadOnlyDictionary<string, Tensor> ours) =
            RunAll(seqFp32, QuantizeBytes(seqFp32, options), SequenceInput(200, 4, 1));
        log.WriteLine($"{cell} {format} hidden 64 x 1: {fp32.Length} -> {int8.Length} bytes ({100.0 * int8.Length / fp32.Length:F1}%); "
            + $"ours vs float max {MaxAbs(ortFloat["y"], ours["y"]):g3} rms {Rms(ortFloat["y"], ours["y"]):g3}; ORT int8 vs float max {MaxAbs(ortFloat["y"], ortInt8["y"]):g3}");
        Assert.True(MaxAbs(ortFloat["y"], ours["y"]) <= Int8VsFloat);
        Assert.True(MaxAbs(ortFloat["y"], ortInt8["y"]) <= Int8VsFloat);
        Assert.True(int8.Length <= 0.30 * fp32.Length, $"{int8.Length} of {fp32.Length} bytes");
    }

    [Fact]
    public void Quantize_RenamesOnlyWhatOneNodeOwns_SharedWeightsAndInitializerInputsStayValid()
    {
        // "w" feeds two MatMuls; "v" is an initializer also listed as a graph input (an IR 3 habit, and torch.onnx.export
        // with keep_initializers_as_inputs). Only an initializer one node reads, not a graph input, gives its name to
        // its DequantizeLinear; the others get new names, and every name in the graph stays defined once.
        var rng = new Random(31);
        var b = new OnnxGraphBuilder("shared", 17);
        b.AddInput("x", TensorElementType.Float, OnnxDimension.Fixed(2), OnnxDimension.Fixed(8));
        b.AddInitializer("w", TestModels.RandomTensor(rng, 0.5f, 8, 8));
        b.AddInitializer("v", TestModels.RandomTensor(rng, 0.5f, 8, 3));
        b.AddNode("MatMul", ["x", "w"], ["a"], "mm1");
        b.AddNode("MatMul", ["a", "w"], ["c"], "mm2");
        b.AddMatMul("own", "c", TestModels.RandomTensor(rng, 0.5f, 8, 8), "d");
        b.AddNode("MatMul", ["d", "v"], ["y"], "mm3");
        b.AddOutput("y", TensorElementType.Float);
        ModelProto source = ModelQuantizer.Parse(b.ToBytes());
        ValueInfoProto vInput = source.Graph.Input[0].Clone();
        vInput.Name = "v";
        vInput.Type.TensorType.Shape.Dim[0].DimValue = 8;
        vInput.Type.TensorType.Shape.Dim[1].DimValue = 3;
        source.Graph.Input.Add(vInput);
        byte[] fp32 = source.ToByteArray();
        ModelProto fp32Proto = source;

        foreach (QuantizeFormat format in (QuantizeFormat[])[QuantizeFormat.Qdq, QuantizeFormat.Ort])
        {
            QuantizeOutcome outcome = ModelQuantizer.Quantize(ModelQuantizer.Parse(fp32), new QuantizeOptions { Format = format });
            Assert.All(outcome.Nodes, n => Assert.True(n.Quantized, n.Detail));
            ModelProto q = ModelQuantizer.Parse(outcome.Model);
            string[] outputs = [.. q.Graph.Node.SelectMany(n => n.Output)];
            Assert.Equal(outputs.Length, outputs.Distinct().Count());
            Assert.Empty(outputs.Intersect(q.Graph.Initializer.Select(t => t.Name)));
            Assert.Empty(outputs.Intersect(q.Graph.Input.Select(i => i.Name)));
            if (format == QuantizeFormat.Qdq)
            {
                NodeProto own = q.Graph.Node.Single(n => n.Name == "own");
                Assert.Equal(fp32Proto.Graph.Node.Single(n => n.Name == "own").Input[1], own.Input[1]);
                Assert.Contains(q.Graph.Node, n => n.OpType == "DequantizeLinear" && n.Output[0] == own.Input[1]);
                Assert.DoesNotContain(q.Graph.Initializer, t => t.Name == own.Input[1]);
                Assert.All(q.Graph.Node.Where(n => n.Name is "mm1" or "mm2" or "mm3"), n => Assert.Contains("_dequantized", n.Input[1], StringComparison.Ordinal));
            }

            var inputs = new Dictionary<string, Tensor> { ["x"] = TestModels.RandomTensor(rng, 1f, 2, 8) };
            (Dictionary<string, Tensor> ortFloat, Dictionary<string, Tensor> ortInt8, IReadOnlyDictionary<string, Tensor> ours) = RunAll(fp32, outcome.Model, inputs);
            double scale = ortFloat["y"].FloatData!.Max(MathF.Abs);
            Assert.True(MaxAbs(ortFloat["y"], ours["y"]) <= 0.03 * scale, $"{format}: EdgeRnn int8 vs float {MaxAbs(ortFloat["y"], ours["y"])} (scale {scale})");
            Assert.True(MaxAbs(ortFloat["y"], ortInt8["y"]) <= 0.03 * scale, $"{format}: ORT int8 vs float {MaxAbs(ortFloat["y"], ortInt8["y"])}");
        }
    }

    [Fact]
    public void Quantize_Exclude_KeepsNodeFloat()
    {
        byte[] fp32 = BuiltinModels.CreateStreaming(RecurrentCellKind.Lstm, 4, 32, layers: 2);
        QuantizeOutcome outcome = ModelQuantizer.Quantize(ModelQuantizer.Parse(fp32), new QuantizeOptions { Exclude = new HashSet<string> { "lstm_1" } });
        NodeDecision excluded = Assert.Single(outcome.Nodes, n => n.Node == "lstm_1");
        Assert.False(excluded.Quantized);
        Assert.True(outcome.Nodes.Single(n => n.Node == "lstm_0").Quantized);
        Assert.NotNull(RnnModel.Load(outcome.Model));
    }

    [Fact]
    public void Step_Int8Model_AllocatesNothing()
    {
        byte[] int8 = QuantizeBytes(BuiltinModels.CreateStreaming(RecurrentCellKind.Lstm, 4, 64, layers: 2), new QuantizeOptions());
        RnnModel model = RnnModel.Load(int8);
        RnnState state = model.CreateState();
        var input = new float[] { 0.5f, -1, 2, 0.25f };
        var output = new float[4];
        for (int i = 0; i < 100; i++)
        {
            model.Step(state, input, output);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 5000; i++)
        {
            model.Step(state, input, output);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
