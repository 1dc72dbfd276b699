using EdgeRnn.Desktop.Onnx;
using EdgeRnn.Desktop.Reference;
using EdgeRnn.Runtime.Onnx.Proto;
using EdgeRnn.Runtime.Onnx;
using EdgeRnn.Runtime.Tests.Graph;
using Google.Protobuf;

namespace EdgeRnn.Runtime.Tests.Onnx;

/// <summary>
/// FLOAT16 tensors: int8 models keep their scales and biases as FLOAT16 initializers widened by a Cast. The runtime
/// reads them (raw_data and int32_data), folds the Cast, writes them back as FLOAT16, and refuses every other use.
/// </summary>
public class Float16Tests
{
    private static readonly float[] s_halves = [0f, -0f, 1f, -2.5f, 0.33325195f, 65504f, 6.1035156e-5f, 5.9604645e-8f, float.PositiveInfinity];

    /// <summary>X [n] + Cast(c16) where c16 is a FLOAT16 initializer: the widened values must be exactly what ORT adds.</summary>
    private static byte[] AddCastModel(TensorProto c16)
    {
        var b = new OnnxGraphBuilder("f16", 17);
        b.AddInput("X", TensorElementType.Float, OnnxDimension.Fixed(c16.Dims[0]));
        b.AddNode("Cast", ["c16"], ["c"]).WithAttribute("to", 1L);
        b.AddNode("Add", ["X", "c"], ["Y"]);
        b.AddOutput("Y", TensorElementType.Float);
        ModelProto model = b.BuildModel();
        c16.Name = "c16";
        model.Graph.Initializer.Add(c16);
        return model.ToByteArray();
    }

    private static TensorProto RawHalves(float[] values)
    {
        var raw = new byte[values.Length * 2];
        for (int i = 0; i < values.Length; i++)
        {
            BitConverter.TryWriteBytes(raw.AsSpan(i * 2), BitConverter.HalfToUInt16Bits((Half)values[i]));
        }

        var t = new TensorProto { DataType = (int)TensorProto.Types.DataType.Float16, RawData = ByteString.CopyFrom(raw) };
        t.Dims.Add(values.Length);
        return t;
    }

    [Fact]
    public void CastFromFloat16Initializer_RawData_MatchesOrtExactly()
    {
        byte[] model = AddCastModel(RawHalves(s_halves));
        var inputs = new Dictionary<string, Tensor> { ["X"] = Tensor.FromFloat(new float[s_halves.Length], s_halves.Length) };
        float[] ort = OrtReference.Run(model, inputs)["Y"].FloatData!;
        float[] ours = RnnModel.Load(model).Run(inputs)["Y"].FloatData!;
        Assert.Equal(s_halves, ours);
        Assert.Equal(ort, ours);
    }

    [Fact]
    public void CastFromFloat16Initializer_Int32Data_ReadsBitPatterns()
    {
        var t = new TensorProto { DataType = (int)TensorProto.Types.DataType.Float16 };
        t.Dims.Add(3);
        t.Int32Data.AddRange([BitConverter.HalfToUInt16Bits((Half)1.5f), BitConverter.HalfToUInt16Bits((Half)(-0.25f)), 0x7BFF]);
        byte[] model = AddCastModel(t);
        float[] ours = RnnModel.Load(model).Run(new Dictionary<string, Tensor> { ["X"] = Tensor.FromFloat([1f, 1f, 1f], 3) })["Y"].FloatData!;
        Assert.Equal([2.5f, 0.75f, 65505f], ours);
    }

    [Fact]
    public void Float16Int32Data_OutOfRange_IsRejected()
    {
        var t = new TensorProto { DataType = (int)TensorProto.Types.DataType.Float16 };
        t.Dims.Add(2);
        t.Int32Data.AddRange([1, 70000]);
        OnnxModelReaderTests.Reject(AddCastModel(t), null, "70000", "float16 bit pattern");
    }

    [Fact]
    public void Float16RawData_WrongLength_IsRejected()
    {
        TensorProto t = RawHalves([1f, 2f]);
        t.Dims[0] = 3;
        OnnxModelReaderTests.Reject(AddCastModel(t), null, "6 bytes of raw_data", "holds 4 bytes");
    }

    [Fact]
    public void Float16ReadDirectly_ByAnotherOperator_IsAClearError()
    {
        var b = new OnnxGraphBuilder("f16", 17);
        b.AddInput("X", TensorElementType.Float, OnnxDimension.Fixed(2));
        b.AddNode("Add", ["X", "c16"], ["Y"]);
        b.AddOutput("Y", TensorElementType.Float);
        b.AddInitializer("c16", Tensor.FromFloat16([1f, 2f], 2));
        byte[] model = b.ToBytes();
        var ex = Assert.Throws<ModelFormatException>(() => RnnModel.Load(model));
        Assert.Contains("reads FLOAT16 'c16' directly", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Float16GraphInput_IsAClearError()
    {
        var b = new OnnxGraphBuilder("f16", 17);
        b.AddInput("X", TensorElementType.Float, OnnxDimension.Fixed(2));
        b.AddNode("Identity", ["X"], ["Y"]);
        b.AddOutput("Y", TensorElementType.Float);
        ModelProto model = b.BuildModel();
        model.Graph.Input[0].Type.TensorType.ElemType = (int)TensorProto.Types.DataType.Float16;
        OnnxModelReaderTests.Reject(model, null, "FLOAT16", "not as a graph input or output");
    }

    [Fact]
    public void CastFloat16ToInt64_IsAClearError()
    {
        var b = new OnnxGraphBuilder("f16", 17);
        b.AddInput("X", TensorElementType.Float, OnnxDimension.Fixed(2));
        b.AddNode("Cast", ["c16"], ["i"]).WithAttribute("to", 7L);
        b.AddNode("Identity", ["X"], ["Y"]);
        b.AddOutput("Y", TensorElementType.Float);
        b.AddOutput("i", TensorElementType.Int64);
        b.AddInitializer("c16", Tensor.FromFloat16([1f, 2f], 2));
        byte[] model = b.ToBytes();
        var ex = Assert.Throws<ModelFormatException>(() => RnnModel.Load(model));
        Assert.Contains("casts FLOAT16 to ONNX type 7", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ConstantOfShape_Float16Value_FeedsACast()
    {
        var b = new OnnxGraphBuilder("f16", 17);
        b.AddInput("X", TensorElementType.Float, OnnxDimension.Fixed(3));
        b.AddInitializer("shape", Tensor.FromInt64([3], 1));
        b.AddNode("ConstantOfShape", ["shape"], ["z16"]).WithAttribute("value", Tensor.FromFloat16([0.5f], 1));
        b.AddNode("Cast", ["z16"], ["z"]).WithAttribute("to", 1L);
        b.AddNode("Add", ["X", "z"], ["Y"]);
        b.AddOutput("Y", TensorElementType.Float);
        byte[] model = b.ToBytes();
        var inputs = new Dictionary<string, Tensor> { ["X"] = Tensor.FromFloat([1f, 2f, 3f], 3) };
        Assert.Equal([1.5f, 2.5f, 3.5f], RnnModel.Load(model).Run(inputs)["Y"].FloatData!);
        Assert.Equal(OrtReference.Run(model, inputs)["Y"].FloatData!, RnnModel.Load(model).Run(inputs)["Y"].FloatData!);
    }

    [Fact]
    public void ToProto_Float16_RoundTripsAsFloat16()
    {
        Tensor t = Tensor.FromFloat16(s_halves, 3, 3);
        TensorProto proto = OnnxTensorWriter.ToProto(t, "h");
        Assert.Equal((int)TensorProto.Types.DataType.Float16, proto.DataType);
        Assert.Equal(s_halves.Length * 2, proto.RawData.Length);
        Tensor back = OnnxTensorConverter.FromProto(proto, ModelLoadOptions.Default, "h");
        Assert.Equal(TensorElementType.Float16, back.ElementType);
        Assert.Equal(s_halves, back.FloatData!);
        Assert.Equal([3, 3], back.GetShape());
    }

    [Fact]
    public void FromFloat16_ValueNotAFloat16_Throws()
    {
        Assert.Throws<ArgumentException>(() => Tensor.FromFloat16([0.1f], 1));
        Assert.Throws<ArgumentException>(() => Tensor.FromInt64(TensorElementType.Float16, [1], 1));
        Assert.Equal(TensorElementType.Float16, Tensor.Zeros(TensorElementType.Float16, 2).ElementType);
    }

    [Fact]
    public void RandomFloat16Constants_EveryBitPattern_WidenLikeOrt()
    {
        // All 63,488 finite float16 values (NaN payloads aside) through one Cast, compared with ORT bit for bit.
        var values = new List<float>();
        for (int bits = 0; bits <= ushort.MaxValue; bits++)
        {
            Half h = BitConverter.UInt16BitsToHalf((ushort)bits);
            if (Half.IsFinite(h))
            {
                values.Add((float)h);
            }
        }

        byte[] model = AddCastModel(RawHalves([.. values]));
        var inputs = new Dictionary<string, Tensor> { ["X"] = Tensor.FromFloat(new float[values.Count], values.Count) };
        float[] ort = OrtReference.Run(model, inputs)["Y"].FloatData!;
        float[] ours = RnnModel.Load(model).Run(inputs)["Y"].FloatData!;
        Compare.MaxAbs(Tensor.FromFloat(ort, ort.Length), Tensor.FromFloat(ours, ours.Length), 0, "Y");
    }

    [Fact]
    public void Float16InitializerNamedAsGraphOutput_IsAClearError()
    {
        var b = new OnnxGraphBuilder("f16", 17);
        b.AddInput("X", TensorElementType.Float, OnnxDimension.Fixed(2));
        b.AddNode("Identity", ["X"], ["Y"]);
        b.AddOutput("Y", TensorElementType.Float);
        b.AddOutput("c16", TensorElementType.Float);
        b.AddInitializer("c16", Tensor.FromFloat16([1f, 2f], 2));
        byte[] model = b.ToBytes();
        var ex = Assert.Throws<ModelFormatException>(() => RnnModel.Load(model).Run(new Dictionary<string, Tensor> { ["X"] = Tensor.FromFloat([1f, 2f], 2) }));
        Assert.Contains("Graph output 'c16' is a FLOAT16 tensor", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Float16AtTheApiEdges_IsRefused()
    {
        var b = new OnnxGraphBuilder("f16", 17);
        Assert.Throws<ArgumentException>(() => b.AddInput("X", TensorElementType.Float16, OnnxDimension.Fixed(2)));
        Assert.Throws<ArgumentException>(() => OnnxTensorWriter.Write(Path.Combine(Path.GetTempPath(), "never-written.pb"), "h", Tensor.FromFloat16([1f], 1)));

        b.AddInput("X", TensorElementType.Float, OnnxDimension.Fixed(2));
        b.AddNode("Identity", ["X"], ["Y"]);
        b.AddOutput("Y", TensorElementType.Float);
        RnnModel model = RnnModel.Load(b.ToBytes());
        Assert.Throws<ArgumentException>(() => model.Run(new Dictionary<string, Tensor> { ["X"] = Tensor.FromFloat16([1f, 2f], 2) }));

        Tensor changed = Tensor.FromFloat16([1f, 2f], 2);
        changed.AsFloatSpan()[0] = 0.1f;
        Assert.Throws<InvalidOperationException>(() => OnnxTensorWriter.ToProto(changed, "h"));
    }
}
