using EdgeRnn.Desktop.Models;
using EdgeRnn.Desktop.Onnx;
using EdgeRnn.Runtime.Onnx.Proto;
using EdgeRnn.Runtime.Onnx;
using EdgeRnn.Runtime.Tests.Graph;
using EdgeRnn.Runtime;
using Google.Protobuf;
using static EdgeRnn.Quantize.Tests.QuantizeTestHelpers;

namespace EdgeRnn.Quantize.Tests;

/// <summary>
/// Scales and folded biases stored as FLOAT16 + Cast (the default): half their bytes, no weight clips, and both
/// runtimes read them; --float32-scales and values float16 cannot hold keep float32.
/// </summary>
public class Float16ParamsTests
{
    private const int Float16 = (int)TensorProto.Types.DataType.Float16;

    private static ModelProto QuantizeProto(byte[] fp32, QuantizeOptions options) => ModelQuantizer.Parse(QuantizeBytes(fp32, options));

    private static float[] Floats(ModelProto m, string name)
    {
        TensorProto t = m.Graph.Initializer.Single(i => i.Name == name);
        Assert.Equal(Float16, t.DataType);
        ReadOnlySpan<byte> raw = t.RawData.Span;
        var values = new float[raw.Length / 2];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)BitConverter.ToHalf(raw.Slice(i * 2, 2));
        }

        return values;
    }

    private static sbyte[] Int8s(ModelProto m, string name) =>
        [.. m.Graph.Initializer.Single(i => i.Name == name).RawData.Span.ToArray().Select(b => (sbyte)b)];

    [Fact]
    public void DefaultQdq_RowScalesAndFoldedBiasAreFloat16_AndNoWeightClips()
    {
        byte[] fp32 = BuiltinModels.CreateStreaming(RecurrentCellKind.Lstm, inputSize: 4, hiddenSize: 64, layers: 1);
        ModelProto source = ModelQuantizer.Parse(fp32);
        ModelProto q = QuantizeProto(fp32, new QuantizeOptions());

        string[] halves = [.. q.Graph.Initializer.Where(t => t.DataType == Float16).Select(t => t.Name)];
        Assert.Contains(halves, n => n.EndsWith("_R_scale_fp16", StringComparison.Ordinal));
        Assert.Contains(halves, n => n.EndsWith("_folded_fp16", StringComparison.Ordinal));
        Assert.Equal(halves.Length, q.Graph.Node.Count(n => n.OpType == "Cast"));
        Assert.Contains("float16 scales and biases", q.MetadataProps.Single(p => p.Key == "edgernn.quantization").Value, StringComparison.Ordinal);

        // Every weight is within half a step of its int8 value: rounding the scales up to float16 clipped none.
        NodeProto lstm = q.Graph.Node.Single(n => n.OpType == "LSTM");
        float[] scales = Floats(q, halves.Single(n => n.EndsWith("_R_scale_fp16", StringComparison.Ordinal)));
        for (int k = 1; k <= 2; k++)
        {
            NodeProto dq = q.Graph.Node.Single(n => n.OpType == "DequantizeLinear" && n.Output[0] == lstm.Input[k]);
            sbyte[] ints = Int8s(q, dq.Input[0]);
            TensorProto original = source.Graph.Initializer.Single(t => dq.Input[0].StartsWith(t.Name + "_quantized", StringComparison.Ordinal));
            float[] w = ModelQuantizer.ReadFloats(original);
            int cols = (int)original.Dims[2];
            for (int i = 0; i < w.Length; i++)
            {
                float s = scales[i / cols];
                Assert.InRange(ints[i], -127, 127);
                Assert.True(Math.Abs(w[i] - (ints[i] * (double)s)) <= (s / 2) * (1 + 1e-6), $"W/R element {i}: {w[i]} vs {ints[i]} x {s}");
            }
        }
    }

    [Theory]
    [InlineData(false, true, "int8 symmetric per-channel, float16 scales and biases")]
    [InlineData(true, true, "int8 symmetric per-tensor, float16 biases")]
    [InlineData(false, false, "int8 symmetric per-channel")]
    public void Record_SaysWhatIsFloat16(bool perTensor, bool float16, string expected)
    {
        // Per-tensor scales are single values (under HalfMinElements), so only the folded bias is float16 there.
        byte[] fp32 = BuiltinModels.CreateStreaming(RecurrentCellKind.Lstm, inputSize: 4, hiddenSize: 64, layers: 1);
        ModelProto q = QuantizeProto(fp32, new QuantizeOptions { PerTensor = perTensor, Float16Params = float16 });
        Assert.Equal("dynamic qdq " + expected, q.MetadataProps.Single(p => p.Key == "edgernn.quantization").Value);
        Assert.Equal(expected.Contains("scales", StringComparison.Ordinal), q.Graph.Initializer.Any(t => t.DataType == Float16 && t.Name.Contains("_scale", StringComparison.Ordinal)));
        Assert.Equal(expected.Contains("biases", StringComparison.Ordinal), q.Graph.Initializer.Any(t => t.DataType == Float16 && t.Name.Contains("_folded", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("qdq")]
    [InlineData("ort")]
    public void Float32Scales_KeepsFloatInitializersAndNoCast_AndIsLarger(string format)
    {
        byte[] fp32 = BuiltinModels.CreateStreaming(RecurrentCellKind.Lstm, inputSize: 4, hiddenSize: 64, layers: 1);
        QuantizeFormat f = format == "ort" ? QuantizeFormat.Ort : QuantizeFormat.Qdq;
        byte[] half = QuantizeBytes(fp32, new QuantizeOptions { Format = f });
        byte[] full = QuantizeBytes(fp32, new QuantizeOptions { Format = f, Float16Params = false });
        ModelProto q = ModelQuantizer.Parse(full);
        Assert.DoesNotContain(q.Graph.Initializer, t => t.DataType == Float16);
        Assert.DoesNotContain(q.Graph.Node, n => n.OpType == "Cast");

        // 256 row scales and 256 folded biases: 1,024 bytes saved, less two Cast nodes (the ort format also makes its zero
        // point with ConstantOfShape).
        Assert.InRange(full.Length - half.Length, 700, 1300);

        Dictionary<string, Tensor> inputs = new() { ["x"] = TestModels.RandomTensor(new Random(2), 1f, 1, 1, 4) };
        foreach (byte[] model in (byte[][])[half, full])
        {
            RnnModel loaded = RnnModel.Load(model);
            var y = new float[4];
            loaded.Step(loaded.CreateState(), inputs["x"].FloatData!, y);
            Assert.All(y, v => Assert.True(float.IsFinite(v)));
        }
    }

    [Fact]
    public void ScalesBelowFloat16Normal_StayFloat32_BiasStillFloat16()
    {
        // max |w| of 1e-3 gives scales of ~8e-6, below float16's smallest normal (6.1e-5): float16 would keep only a few
        // bits of them, so the scale tensor stays float32.
        var rng = new Random(4);
        var b = new OnnxGraphBuilder("tiny", 17);
        b.AddInput("x", TensorElementType.Float, OnnxDimension.Fixed(5), OnnxDimension.Fixed(1), OnnxDimension.Fixed(4));
        b.AddLstm("lstm", "x", 64, TestModels.RandomTensor(rng, 1e-3f, 1, 256, 4), TestModels.RandomTensor(rng, 1e-3f, 1, 256, 64),
            TestModels.RandomTensor(rng, 0.5f, 1, 512), ["y", "", ""]);
        b.AddOutput("y", TensorElementType.Float);
        byte[] fp32 = b.ToBytes();
        ModelProto q = QuantizeProto(fp32, new QuantizeOptions());
        TensorProto scale = q.Graph.Initializer.Single(t => t.Name.Contains("_R_scale", StringComparison.Ordinal));
        Assert.Equal((int)TensorProto.Types.DataType.Float, scale.DataType);
        Assert.Contains(q.Graph.Initializer, t => t.DataType == Float16 && t.Name.EndsWith("_folded_fp16", StringComparison.Ordinal));

        Dictionary<string, Tensor> inputs = new() { ["x"] = TestModels.RandomTensor(rng, 1f, 5, 1, 4) };
        (Dictionary<string, Tensor> ortFloat, Dictionary<string, Tensor> ortInt8, IReadOnlyDictionary<string, Tensor> ours) = RunAll(fp32, q.ToByteArray(), inputs);
        Assert.True(MaxAbs(ortFloat["y"], ours["y"]) <= 1e-3);
        Assert.True(MaxAbs(ortFloat["y"], ortInt8["y"]) <= 1e-3);
    }

    [Theory]
    [InlineData("qdq")]
    [InlineData("ort")]
    public void Int8StreamingModel_WithoutStatePairsMetadata_StepsLikeTheSequenceModel(string format)
    {
        // The builtin streaming graph pairs h0/c0 with hn/cn by data flow only (no edgernn.state_pairs): the pairing must
        // see through com.microsoft DynamicQuantizeLSTM too, and streaming must equal the whole-sequence run.
        var options = new QuantizeOptions { Format = format == "ort" ? QuantizeFormat.Ort : QuantizeFormat.Qdq };
        RnnModel streaming = RnnModel.Load(QuantizeBytes(BuiltinModels.CreateStreaming(RecurrentCellKind.Lstm, 4, 64, layers: 2, seed: 9), options));
        RnnModel sequence = RnnModel.Load(QuantizeBytes(BuiltinModels.CreateSequence(RecurrentCellKind.Lstm, 4, 64, layers: 2, seed: 9), options));
        Tensor x = TestModels.RandomTensor(new Random(6), 1f, 30, 1, 4);
        float[] whole = sequence.Run(new Dictionary<string, Tensor> { ["x"] = x })["y"].FloatData!;
        RnnState state = streaming.CreateState();
        var y = new float[4];
        for (int t = 0; t < 30; t++)
        {
            streaming.Step(state, x.FloatData.AsSpan(t * 4, 4), y);
            for (int i = 0; i < 4; i++)
            {
                Assert.True(Math.Abs(whole[(t * 4) + i] - y[i]) <= 1e-5, $"step {t} output {i}: stream {y[i]} vs sequence {whole[(t * 4) + i]}");
            }
        }
    }
}
