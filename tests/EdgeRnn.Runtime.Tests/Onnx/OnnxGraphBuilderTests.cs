using EdgeRnn.Desktop.Onnx;
using EdgeRnn.Runtime.Onnx;
using Microsoft.ML.OnnxRuntime.Tensors;
using Microsoft.ML.OnnxRuntime;

namespace EdgeRnn.Runtime.Tests.Onnx;

public class OnnxGraphBuilderTests
{
    [Fact]
    public void ToBytes_LstmWithOptionalInputs_RoundTripsThroughReader()
    {
        var g = new OnnxGraphBuilder("rt", opset: 17) { ProducerName = "tests" };
        g.AddInput("X", TensorElementType.Float, OnnxDimension.Symbolic("seq"), OnnxDimension.Symbolic("batch"), OnnxDimension.Fixed(3));
        g.AddInput("h0", TensorElementType.Float, OnnxDimension.Fixed(2), OnnxDimension.Symbolic("batch"), OnnxDimension.Fixed(5));
        Tensor w = OnnxTestModels.RandomFloat(1, 2, 20, 3);
        Tensor r = OnnxTestModels.RandomFloat(2, 2, 20, 5);
        Tensor p = OnnxTestModels.RandomFloat(3, 2, 15);
        g.AddLstm("lstm", "X", 5, w, r, null, ["Y", "", "Y_c"], direction: "bidirectional", initialH: "h0", peepholes: p)
            .WithAttribute("clip", 3.5f)
            .WithAttribute("activations", ["Sigmoid", "Tanh", "Tanh", "Sigmoid", "Tanh", "Tanh"]);
        g.AddNode("Constant", [], ["k"], "const").WithAttribute("value", Tensor.FromInt64([1, -2, 3], 3));
        g.AddNode("Custom", ["Y", "k"], ["Z"], "custom", domain: "com.example")
            .WithAttribute("ints", [1L, 2L])
            .WithAttribute("floats", [0.5f, -1f])
            .WithAttribute("s", "héllo");
        g.AddOutput("Z", TensorElementType.Float);
        g.AddOutput("Y_c", TensorElementType.Float, OnnxDimension.Fixed(2), OnnxDimension.Symbolic("batch"), OnnxDimension.Fixed(5));
        g.SetMetadata("edgernn.format", "0");
        g.SetMetadata("edgernn.format", "1");
        g.SetMetadata("edgernn.task", "forecast");

        OnnxModel m = OnnxModelReader.Read(g.ToBytes(), ModelLoadOptions.Default, "rt.onnx");

        Assert.Equal("rt", m.GraphName);
        Assert.Equal("tests", m.ProducerName);
        Assert.Equal(17, m.OnnxOpset);
        Assert.Equal(8, m.IrVersion);
        Assert.Equal(1, m.Opsets["com.example"]);
        Assert.Equal(["X", "h0"], m.Inputs.Select(i => i.Name));
        Assert.Equal("X: float[seq, batch, 3]", m.Inputs[0].ToString());
        Assert.Null(m.Outputs[0].Shape);
        Assert.Equal(new Dictionary<string, string> { ["edgernn.format"] = "1", ["edgernn.task"] = "forecast" }, m.Metadata);
        Assert.Equal(["lstm.P", "lstm.R", "lstm.W"], m.Initializers.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(w.FloatData, m.Initializers["lstm.W"].FloatData);
        Assert.Equal([2, 20, 3], m.Initializers["lstm.W"].GetShape());
        Assert.Equal(p.FloatData, m.Initializers["lstm.P"].FloatData);

        Assert.Equal(3, m.Nodes.Count);
        OnnxNode lstm = m.Nodes[0];
        Assert.Equal("LSTM", lstm.OpType);
        Assert.Equal(["X", "lstm.W", "lstm.R", "", "", "h0", "", "lstm.P"], lstm.Inputs);
        Assert.Equal(["Y", "", "Y_c"], lstm.Outputs);
        Assert.Equal(5, lstm.GetInt("hidden_size", 0));
        Assert.Equal("bidirectional", lstm.GetString("direction", "forward"));
        Assert.Equal(3.5f, lstm.GetFloat("clip", 0));
        Assert.Equal(0, lstm.GetInt("layout", 0));
        Assert.Equal(6, lstm.GetStrings("activations")!.Length);
        Assert.Equal("node 'lstm' (LSTM, #0)", lstm.Describe());

        Tensor k = m.Nodes[1].GetTensor("value")!;
        Assert.Equal(TensorElementType.Int64, k.ElementType);
        Assert.Equal(new long[] { 1, -2, 3 }, k.Int64Data);

        OnnxNode custom = m.Nodes[2];
        Assert.Equal("com.example", custom.Domain);
        Assert.Equal(new long[] { 1, 2 }, custom.GetInts("ints"));
        Assert.Equal(new[] { 0.5f, -1f }, custom.GetFloats("floats"));
        Assert.Equal("héllo", custom.GetString("s", ""));
        Assert.Null(custom.GetInts("missing"));
        Assert.False(custom.HasAttribute("missing"));
    }

    [Fact]
    public void AddInitializer_EveryElementType_RoundTripsWithItsWidth()
    {
        var g = new OnnxGraphBuilder();
        g.AddInput("X", TensorElementType.Float, OnnxDimension.Fixed(2));
        Tensor[] tensors =
        [
            Tensor.FromFloat([1.5f, -2f, float.MaxValue], 3),
            Tensor.FromInt64([long.MinValue, long.MaxValue], 2),
            Tensor.FromInt64(TensorElementType.Int32, [int.MinValue, int.MaxValue], 2),
            Tensor.FromInt64(TensorElementType.Int8, [-128, 127, 0, 5], 2, 2),
            Tensor.FromInt64(TensorElementType.UInt8, [0, 255], 2),
            Tensor.FromInt64(TensorElementType.Bool, [1, 0, 1], 3),
            Tensor.FromFloat([7f]),
            Tensor.FromFloat([], 0, 3),
        ];
        for (int i = 0; i < tensors.Length; i++)
        {
            g.AddInitializer($"t{i}", tensors[i]);
        }

        g.AddNode("Identity", ["X"], ["Y"]);
        g.AddOutput("Y", TensorElementType.Float, OnnxDimension.Fixed(2));

        OnnxModel m = OnnxModelReader.Read(g.ToBytes(), ModelLoadOptions.Default, "types.onnx");

        for (int i = 0; i < tensors.Length; i++)
        {
            Tensor read = m.Initializers[$"t{i}"];
            Assert.Equal(tensors[i].ElementType, read.ElementType);
            Assert.Equal(tensors[i].GetShape(), read.GetShape());
            Assert.Equal(tensors[i].FloatData, read.FloatData);
            Assert.Equal(tensors[i].Int64Data, read.Int64Data);
        }

        Assert.Equal("Identity_0", m.Nodes[0].Name);
    }

    [Fact]
    public void AddLstm_BatchFirstLayout_WritesLayoutAttribute()
    {
        var g = new OnnxGraphBuilder();
        g.AddInput("X", TensorElementType.Float, OnnxDimension.Symbolic("batch"), OnnxDimension.Symbolic("seq"), OnnxDimension.Fixed(2));
        g.AddLstm("l", "X", 3, OnnxTestModels.RandomFloat(1, 1, 12, 2), OnnxTestModels.RandomFloat(2, 1, 12, 3), null, ["Y"], layout: 1);
        g.AddOutput("Y", TensorElementType.Float);
        OnnxModel m = OnnxModelReader.Read(g.ToBytes(), ModelLoadOptions.Default, "bf.onnx");
        Assert.Equal(1, m.Nodes[0].GetInt("layout", 0));
        Assert.Equal(["X", "l.W", "l.R"], m.Nodes[0].Inputs);
    }

    [Fact]
    public void AddNode_DuplicateOutput_Throws()
    {
        var g = new OnnxGraphBuilder();
        g.AddInput("X", TensorElementType.Float, OnnxDimension.Fixed(2));
        g.AddNode("Relu", ["X"], ["Y"]);
        Assert.Throws<ArgumentException>(() => g.AddNode("Relu", ["X"], ["Y"]));
        Assert.Throws<ArgumentException>(() => g.AddNode("Relu", ["X"], ["X"]));
    }

    [Fact]
    public void WithAttribute_Duplicate_Throws()
    {
        var g = new OnnxGraphBuilder();
        OnnxNodeBuilder node = g.AddNode("Relu", ["X"], ["Y"]).WithAttribute("a", 1L);
        Assert.Throws<ArgumentException>(() => node.WithAttribute("a", 2f));
    }

    [Fact]
    public void Save_WritesReadableFileAndNoTemporaryFiles()
    {
        string dir = Directory.CreateTempSubdirectory("edgernn-onnx-").FullName;
        try
        {
            string path = Path.Combine(dir, "m.onnx");
            File.WriteAllText(path, "old");
            OnnxTestModels.SmallLstm().Save(path);
            OnnxModel m = OnnxModelReader.ReadFile(path, ModelLoadOptions.Default);
            Assert.Equal("m.onnx", m.SourceName);
            Assert.Equal(["m.onnx"], Directory.GetFiles(dir).Select(Path.GetFileName));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void OnnxRuntime_RunsBuilderLstm()
    {
        var g = new OnnxGraphBuilder("lstm");
        g.AddInput("X", TensorElementType.Float, OnnxDimension.Symbolic("seq"), OnnxDimension.Fixed(2), OnnxDimension.Fixed(3));
        g.AddInput("h0", TensorElementType.Float, OnnxDimension.Fixed(1), OnnxDimension.Fixed(2), OnnxDimension.Fixed(4));
        g.AddInput("c0", TensorElementType.Float, OnnxDimension.Fixed(1), OnnxDimension.Fixed(2), OnnxDimension.Fixed(4));
        g.AddLstm("lstm", "X", 4, OnnxTestModels.RandomFloat(1, 1, 16, 3), OnnxTestModels.RandomFloat(2, 1, 16, 4),
            OnnxTestModels.RandomFloat(3, 1, 32), ["Y", "Y_h", "Y_c"], initialH: "h0", initialC: "c0",
            peepholes: OnnxTestModels.RandomFloat(4, 1, 12));
        g.AddOutput("Y", TensorElementType.Float);
        g.AddOutput("Y_h", TensorElementType.Float);
        g.AddOutput("Y_c", TensorElementType.Float);

        Dictionary<string, int[]> shapes = RunOrt(g.ToBytes(), ("X", [5, 2, 3]), ("h0", [1, 2, 4]), ("c0", [1, 2, 4]));

        Assert.Equal([5, 1, 2, 4], shapes["Y"]);
        Assert.Equal([1, 2, 4], shapes["Y_h"]);
        Assert.Equal([1, 2, 4], shapes["Y_c"]);
    }

    [Fact]
    public void OnnxRuntime_RunsBuilderBidirectionalGru()
    {
        var g = new OnnxGraphBuilder("gru", opset: 22);
        g.AddInput("X", TensorElementType.Float, OnnxDimension.Symbolic("seq"), OnnxDimension.Fixed(1), OnnxDimension.Fixed(3));
        g.AddGru("gru", "X", 6, OnnxTestModels.RandomFloat(1, 2, 18, 3), OnnxTestModels.RandomFloat(2, 2, 18, 6),
            OnnxTestModels.RandomFloat(3, 2, 36), ["Y", "Y_h"], direction: "bidirectional", linearBeforeReset: 1);
        g.AddOutput("Y", TensorElementType.Float);
        g.AddOutput("Y_h", TensorElementType.Float);

        Dictionary<string, int[]> shapes = RunOrt(g.ToBytes(), ("X", [7, 1, 3]));

        Assert.Equal([7, 2, 1, 6], shapes["Y"]);
        Assert.Equal([2, 1, 6], shapes["Y_h"]);
    }

    [Fact]
    public void OnnxRuntime_RunsBuilderRnnWithoutBias()
    {
        var g = new OnnxGraphBuilder("rnn", opset: 14);
        g.AddInput("X", TensorElementType.Float, OnnxDimension.Fixed(4), OnnxDimension.Fixed(2), OnnxDimension.Fixed(3));
        g.AddRnn("rnn", "X", 5, OnnxTestModels.RandomFloat(1, 1, 5, 3), OnnxTestModels.RandomFloat(2, 1, 5, 5), null, ["", "Y_h"]);
        g.AddOutput("Y_h", TensorElementType.Float);

        Dictionary<string, int[]> shapes = RunOrt(g.ToBytes(), ("X", [4, 2, 3]));

        Assert.Equal([1, 2, 5], shapes["Y_h"]);
    }

    [Fact]
    public void OnnxRuntime_RunsBuilderGemmAndMatMul()
    {
        var g = new OnnxGraphBuilder("dense");
        g.AddInput("X", TensorElementType.Float, OnnxDimension.Symbolic("batch"), OnnxDimension.Fixed(8));
        g.AddGemm("fc1", "X", OnnxTestModels.RandomFloat(1, 6, 8), OnnxTestModels.RandomFloat(2, 6), "H");
        g.AddGemm("fc2", "H", OnnxTestModels.RandomFloat(3, 6, 4), null, "G", transB: false);
        g.AddMatMul("proj", "G", OnnxTestModels.RandomFloat(4, 4, 2), "Y");
        g.AddOutput("Y", TensorElementType.Float, OnnxDimension.Symbolic("batch"), OnnxDimension.Fixed(2));

        Dictionary<string, int[]> shapes = RunOrt(g.ToBytes(), ("X", [3, 8]));

        Assert.Equal([3, 2], shapes["Y"]);
        OnnxModel m = OnnxModelReader.Read(g.ToBytes(), ModelLoadOptions.Default, "dense.onnx");
        Assert.Equal(["H", "fc2.W"], m.Nodes[1].Inputs);
        Assert.Equal(1, m.Nodes[0].GetInt("transB", 0));
        Assert.False(m.Nodes[1].HasAttribute("transB"));
    }

    private static Dictionary<string, int[]> RunOrt(byte[] model, params (string Name, int[] Shape)[] inputs)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        using var session = new InferenceSession(model, options);
        var values = new List<NamedOnnxValue>();
        foreach ((string name, int[] shape) in inputs)
        {
            Tensor t = OnnxTestModels.RandomFloat(42, shape);
            values.Add(NamedOnnxValue.CreateFromTensor(name, new DenseTensor<float>(t.FloatData, shape)));
        }

        using IDisposableReadOnlyCollection<DisposableNamedOnnxValue> results = session.Run(values);
        var shapes = new Dictionary<string, int[]>();
        foreach (DisposableNamedOnnxValue result in results)
        {
            var tensor = result.AsTensor<float>();
            Assert.All(tensor.ToArray(), v => Assert.True(float.IsFinite(v)));
            shapes[result.Name] = tensor.Dimensions.ToArray();
        }

        return shapes;
    }
}
