using EdgeRnn.Runtime.Onnx;
using EdgeRnn.Runtime.Onnx.Proto;
using Google.Protobuf;

namespace EdgeRnn.Runtime.Tests.Onnx;

/// <summary>The load budget: its accounting, its errors, and the parse-cost estimate it is charged with.</summary>
public class LoadBudgetTests
{
    [Fact]
    public void Charge_WithinLimit_CountsUsedAndRemaining()
    {
        var budget = new LoadBudget(1000, "m.onnx", used: 100);
        budget.Charge(400, "a");
        Assert.True(budget.TryCharge(500));
        Assert.Equal(1000, budget.Used);
        Assert.Equal(0, budget.Remaining);
        budget.Charge(0, "nothing");
    }

    [Fact]
    public void Charge_OverLimit_ThrowsNamingWhatAndOptionWithoutCharging()
    {
        var budget = new LoadBudget(1L << 20, "m.onnx");
        budget.Charge(1000, "first");
        var e = Assert.Throws<ModelFormatException>(() => budget.Charge(3L << 20, "node 'big' (Expand, #2) output"));
        Assert.Equal(1000, budget.Used);
        Assert.StartsWith("m.onnx: node 'big' (Expand, #2) output would take 3.0 MiB (3145728 bytes)", e.Message, StringComparison.Ordinal);
        Assert.Contains("the limit is 1.0 MiB (1048576 bytes) (ModelLoadOptions.MaxLoadBytes)", e.Message, StringComparison.Ordinal);
        Assert.False(budget.TryCharge(1L << 20));
        Assert.Equal(1000, budget.Used);
    }

    [Fact]
    public void ChargeElements_ProductOverflowsLong_SaturatesAndThrows()
    {
        var budget = new LoadBudget(long.MaxValue - 1, "m.onnx");
        var e = Assert.Throws<ModelFormatException>(() => budget.ChargeElements(long.MaxValue / 2, 8, "a huge tensor"));
        Assert.Contains("more than 8 EiB", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, budget.Used);
        Assert.Equal(long.MaxValue, LoadBudget.Multiply(long.MaxValue, 2));
        Assert.Equal(long.MaxValue, LoadBudget.Add(long.MaxValue - 1, 2));
        Assert.Equal(24, LoadBudget.Multiply(3, 8));
    }

    [Fact]
    public void Charge_NegativeBytes_Throws()
    {
        var budget = new LoadBudget(10, "m.onnx");
        Assert.Throws<ArgumentOutOfRangeException>(() => budget.Charge(-1, "x"));
    }

    [Fact]
    public void Default_MaxLoadBytes_Is48MiBAndBoundsTheFile()
    {
        Assert.Equal(48L << 20, ModelLoadOptions.Default.MaxLoadBytes);
        Assert.True(ModelLoadOptions.Default.MaxFileBytes <= ModelLoadOptions.Default.MaxLoadBytes);
    }

    [Fact]
    public void Load_ModelOverASmallBudget_ThrowsNamingTheOption()
    {
        byte[] bytes = OnnxTestModels.SmallLstm(hidden: 32, input: 8).ToBytes();
        var e = Assert.Throws<ModelFormatException>(() => RnnModel.Load(bytes, new ModelLoadOptions { MaxLoadBytes = 16 * 1024 }, "small.onnx"));
        Assert.StartsWith("small.onnx: ", e.Message, StringComparison.Ordinal);
        Assert.Contains("ModelLoadOptions.MaxLoadBytes", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_BudgetBetweenReadAndPlan_RefusedWhilePlanningNamingTheNode()
    {
        // Enough to read the model, too little to pack its weights: the plan gets what reading left.
        byte[] bytes = OnnxTestModels.SmallLstm(hidden: 64, input: 8).ToBytes();
        OnnxModel model = OnnxModelReader.Read(bytes, ModelLoadOptions.Default, "m.onnx");
        var options = new ModelLoadOptions { MaxLoadBytes = model.LoadedBytes + (32 * 1024) };
        var e = Assert.Throws<ModelFormatException>(() => RnnModel.Load(bytes, options, "m.onnx").Run(Tensor.Zeros(TensorElementType.Float, 3, 1, 8)));
        Assert.Contains("node 'lstm' (LSTM, #0) packed weights", e.Message, StringComparison.Ordinal);
        Assert.Contains("ModelLoadOptions.MaxLoadBytes", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_LoadedBytes_CountsFileParseAndTensors()
    {
        byte[] bytes = OnnxTestModels.SmallLstm(hidden: 64, input: 8).ToBytes();
        OnnxModel model = OnnxModelReader.Read(bytes, ModelLoadOptions.Default, "m.onnx");
        long weights = 4L * ((4 * 64 * 8) + (4 * 64 * 64) + (8 * 64));
        Assert.InRange(model.LoadedBytes, bytes.Length + weights, 5L * bytes.Length);
    }

    [Fact]
    public void Read_WholeFileOverBudget_RefusedBeforeParsing()
    {
        byte[] bytes = OnnxTestModels.SmallLstm(hidden: 64, input: 8).ToBytes();
        var e = Assert.Throws<ModelFormatException>(() => OnnxModelReader.Read(bytes, new ModelLoadOptions { MaxLoadBytes = bytes.Length - 1 }, "m.onnx"));
        Assert.Contains($"the file's {bytes.Length} bytes", e.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string> Shapes() => ["empty nodes", "empty strings", "raw initializers", "float_data initializers", "int64 attributes", "value infos", "metadata"];

    [Theory]
    [MemberData(nameof(Shapes))]
    public void EstimateModel_CoversWhatTheParserAllocates(string shape)
    {
        byte[] bytes = ModelShaped(shape).ToByteArray();
        long estimate = OnnxWireScanner.EstimateModel(bytes);
        long before = GC.GetAllocatedBytesForCurrentThread();
        ModelProto parsed = OnnxModelReader.Parse(bytes, ModelProto.Parser, "m.onnx", "ONNX model");
        long actual = GC.GetAllocatedBytesForCurrentThread() - before;
        GC.KeepAlive(parsed);

        // An upper bound, but not a wild one: a legitimate model must not be refused for a tenth of its budget.
        Assert.True(estimate >= actual, $"{shape}: estimated {estimate} bytes, the parser allocated {actual}");
        Assert.True(estimate <= 4 * actual, $"{shape}: estimated {estimate} bytes, the parser allocated only {actual}");
    }

    private static ModelProto ModelShaped(string shape)
    {
        var model = new ModelProto { IrVersion = 8, Graph = new GraphProto { Name = "g" } };
        GraphProto g = model.Graph;
        var random = new Random(5);
        switch (shape)
        {
            case "empty nodes":
                for (int i = 0; i < 20_000; i++)
                {
                    g.Node.Add(new NodeProto());
                }

                break;
            case "empty strings":
                var a = new AttributeProto { Name = "s", Type = AttributeProto.Types.AttributeType.Strings };
                for (int i = 0; i < 50_000; i++)
                {
                    a.Strings.Add(ByteString.Empty);
                }

                g.Node.Add(new NodeProto { OpType = "Identity", Attribute = { a } });
                break;
            case "raw initializers":
                for (int i = 0; i < 20; i++)
                {
                    byte[] raw = new byte[4 * 4096 * (i + 1)];
                    random.NextBytes(raw);
                    g.Initializer.Add(new TensorProto { Name = $"w{i}", DataType = 1, Dims = { 4096L * (i + 1) }, RawData = ByteString.CopyFrom(raw) });
                }

                break;
            case "float_data initializers":
                for (int i = 0; i < 20; i++)
                {
                    var t = new TensorProto { Name = $"w{i}", DataType = 1, Dims = { 1000 } };
                    for (int k = 0; k < 1000; k++)
                    {
                        t.FloatData.Add(random.NextSingle());
                    }

                    g.Initializer.Add(t);
                }

                break;
            case "int64 attributes":
                var ints = new AttributeProto { Name = "i", Type = AttributeProto.Types.AttributeType.Ints };
                for (int k = 0; k < 100_000; k++)
                {
                    ints.Ints.Add(random.Next(0, 100));
                }

                g.Node.Add(new NodeProto { OpType = "Identity", Name = "n", Input = { "x" }, Output = { "y" }, Attribute = { ints } });
                break;
            case "value infos":
                for (int i = 0; i < 2000; i++)
                {
                    var type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = 1, Shape = new TensorShapeProto() } };
                    type.TensorType.Shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = 4 });
                    type.TensorType.Shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = "batch" });
                    g.ValueInfo.Add(new ValueInfoProto { Name = $"value_{i}", Type = type });
                }

                break;
            default:
                for (int i = 0; i < 500; i++)
                {
                    model.MetadataProps.Add(new StringStringEntryProto { Key = $"k{i}", Value = new string('v', 100) });
                }

                break;
        }

        return model;
    }
}
