using System.Text.Json;
using EdgeRnn.Deployment.Cli;
using EdgeRnn.Desktop.Models;
using EdgeRnn.Desktop.Onnx;
using EdgeRnn.Runtime.Onnx;
using EdgeRnn.Runtime;

namespace EdgeRnn.Quantize.Tests;

/// <summary>edgernn-quantize as a user runs it: real command lines, exit codes, files left behind.</summary>
public sealed class QuantizeCommandTests : IDisposable
{
    private readonly string _dir = QuantizeTestHelpers.TempDirectory();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string WriteModel(byte[] bytes, string name = "model.onnx")
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static ToolResult Run(params string[] args) => ToolRun.Run(Program.Run, args);

    private void AssertNoOutput(string output)
    {
        Assert.False(File.Exists(output), $"{output} was written");
        Assert.Empty(Directory.EnumerateFiles(_dir, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public void Help_DescribesModesFormatsAndExitCodes()
    {
        (int code, string output, _) = Run("--help");
        Assert.Equal(0, code);
        foreach (string text in (string[])["--mode", "--format", "--calibration", "--exclude", "--per-tensor", "--max-error", "--json", "Exit codes", "qdq", "ort"])
        {
            Assert.Contains(text, output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Quantize_DefaultDynamic_WritesLoadableModelAndTable()
    {
        string model = WriteModel(BuiltinModels.CreateStreaming(RecurrentCellKind.Lstm, 4, 64, layers: 2));
        string output = Path.Combine(_dir, "out.onnx");
        (int code, string stdout, string stderr) = Run("--model", model, "-o", output, "--timed-steps", "0");
        Assert.True(code == 0, stderr);
        Assert.Contains("SNR dB", stdout, StringComparison.Ordinal);
        Assert.Contains("lstm_0", stdout, StringComparison.Ordinal);
        Assert.Contains("recommendation: int8 for size", stdout, StringComparison.Ordinal);
        RnnModel int8 = RnnModel.Load(output);
        Assert.StartsWith("dynamic qdq", int8.Metadata["edgernn.quantization"], StringComparison.Ordinal);
        Assert.Equal("1", int8.Metadata["edgernn.format"]);
    }

    [Fact]
    public void Quantize_StaticPercentileJson_ReportsRangesAndErrors()
    {
        string model = WriteModel(BuiltinModels.CreateStreaming(RecurrentCellKind.Gru, 3, 64, layers: 2));
        string csv = Path.Combine(_dir, "calibration.csv");
        var rng = new Random(2);
        File.WriteAllLines(csv, ["a,b,c", .. Enumerable.Range(0, 200).Select(_ => $"{rng.NextDouble() - 0.5:F4},{rng.NextDouble():F4},{-rng.NextDouble():F4}")]);
        string output = Path.Combine(_dir, "static.onnx");
        (int code, string stdout, string stderr) = Run("--model", model, "-o", output, "--mode", "static", "--calibration", csv,
            "--calibration-method", "percentile", "--percentile", "99.9", "--timed-steps", "0", "--json", "--max-error", "0.05");
        Assert.True(code == 0, stderr);
        using JsonDocument doc = JsonDocument.Parse(stdout);
        JsonElement root = doc.RootElement;
        Assert.Equal(3, root.GetProperty("ranges").GetArrayLength());
        Assert.All(root.GetProperty("errors").EnumerateArray(), e => Assert.True(e.GetProperty("maxAbsError").GetDouble() < 0.05));
        Assert.True(root.GetProperty("sizeRatio").GetDouble() < 0.35);
        Assert.StartsWith("int8 for size", root.GetProperty("recommendation").GetString(), StringComparison.Ordinal);
        Assert.NotNull(RnnModel.Load(output));
    }

    [Fact]
    public void Quantize_StaticFromTestDataTensors_UsesThem()
    {
        string model = WriteModel(BuiltinModels.CreateSequence(RecurrentCellKind.Lstm, 4, 64));
        for (int set = 0; set < 2; set++)
        {
            string folder = Path.Combine(_dir, "data", $"test_data_set_{set}");
            Directory.CreateDirectory(folder);
            OnnxTensorWriter.Write(Path.Combine(folder, "input_0.pb"), "x", Runtime.Tests.Graph.TestModels.RandomTensor(new Random(set), 1f, 50, 1, 4));
        }

        string output = Path.Combine(_dir, "out.onnx");
        (int code, string stdout, string stderr) = Run("--model", model, "-o", output, "--mode", "static", "--calibration", Path.Combine(_dir, "data"), "--timed-steps", "0");
        Assert.True(code == 0, stderr);
        Assert.Contains("100 steps from 2 tensor file(s)", stdout, StringComparison.Ordinal);
        Assert.Contains("calibrated activation ranges", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Quantize_OverMaxError_ExitsOneAndWritesNothing()
    {
        string model = WriteModel(BuiltinModels.CreateStreaming(RecurrentCellKind.Lstm, 4, 32));
        string output = Path.Combine(_dir, "out.onnx");
        (int code, _, string stderr) = Run("--model", model, "-o", output, "--max-error", "1e-9", "--timed-steps", "0");
        Assert.Equal(ToolExitCodes.ComparisonFailed, code);
        Assert.Contains("--max-error", stderr, StringComparison.Ordinal);
        AssertNoOutput(output);
    }

    [Fact]
    public void Quantize_NotOnnx_ExitsTwoAndWritesNothing()
    {
        string model = WriteModel([.. Enumerable.Range(0, 300).Select(i => (byte)(i * 7))], "garbage.onnx");
        string output = Path.Combine(_dir, "out.onnx");
        (int code, _, string stderr) = Run("--model", model, "-o", output);
        Assert.Equal(ToolExitCodes.BadInput, code);
        Assert.Contains("error:", stderr, StringComparison.Ordinal);
        AssertNoOutput(output);
    }

    [Fact]
    public void Quantize_TruncatedModel_ExitsTwoAndWritesNothing()
    {
        byte[] bytes = BuiltinModels.CreateStreaming(RecurrentCellKind.Lstm, 4, 32);
        string model = WriteModel(bytes[..(bytes.Length / 2)]);
        string output = Path.Combine(_dir, "out.onnx");
        (int code, _, string stderr) = Run("--model", model, "-o", output);
        Assert.Equal(ToolExitCodes.BadInput, code);
        Assert.Contains("error:", stderr, StringComparison.Ordinal);
        AssertNoOutput(output);
    }

    [Fact]
    public void Quantize_UnsupportedOperator_ExitsTwoNamingIt()
    {
        var b = new OnnxGraphBuilder("bad");
        b.AddInput("x", TensorElementType.Float, OnnxDimension.Fixed(1), OnnxDimension.Fixed(4));
        b.AddNode("Erf", ["x"], ["y"], "erf");
        b.AddOutput("y", TensorElementType.Float);
        string model = WriteModel(b.ToBytes());
        string output = Path.Combine(_dir, "out.onnx");
        (int code, _, string stderr) = Run("--model", model, "-o", output);
        Assert.Equal(ToolExitCodes.BadInput, code);
        Assert.Contains("Erf", stderr, StringComparison.Ordinal);
        AssertNoOutput(output);
    }

    [Theory]
    [InlineData("a,b,c\n1,2,3\n", "3 columns")]
    [InlineData("1,2,3,4\n1,NaN,3,4\n", "not a finite number")]
    [InlineData("1,2,3,4\n1,2,x,4\n", "not a finite number")]
    [InlineData("a,b,c,d\n", "no data rows")]
    public void Quantize_BadCalibration_ExitsTwoWithLineAndWritesNothing(string csv, string expected)
    {
        string model = WriteModel(BuiltinModels.CreateStreaming(RecurrentCellKind.Lstm, 4, 32));
        string data = Path.Combine(_dir, "cal.csv");
        File.WriteAllText(data, csv);
        string output = Path.Combine(_dir, "out.onnx");
        (int code, _, string stderr) = Run("--model", model, "-o", output, "--mode", "static", "--calibration", data);
        Assert.Equal(ToolExitCodes.BadInput, code);
        Assert.Contains(expected, stderr, StringComparison.Ordinal);
        AssertNoOutput(output);
    }

    [Fact]
    public void Quantize_MissingFileAndBadOption_ExitTwo()
    {
        Assert.Equal(ToolExitCodes.BadInput, Run("--model", Path.Combine(_dir, "missing.onnx")).Code);
        string model = WriteModel(BuiltinModels.CreateStreaming(RecurrentCellKind.Lstm, 4, 8));
        Assert.Equal(ToolExitCodes.BadInput, Run("--model", model, "--mode", "fancy").Code);
        Assert.Equal(ToolExitCodes.BadInput, Run("--model", model, "--mode", "static", "--format", "ort", "-o", Path.Combine(_dir, "x.onnx")).Code);
        Assert.Equal(ToolExitCodes.BadInput, Run("--model", model, "--mode", "static", "-o", Path.Combine(_dir, "x.onnx")).Code);
        Assert.Equal(ToolExitCodes.BadInput, Run("--model", model, "--calibration-method", "percentile", "--percentile", "0", "-o", Path.Combine(_dir, "x.onnx")).Code);
        (int code, _, string stderr) = Run("--model", model, "--exclude", "no_such_node", "-o", Path.Combine(_dir, "y.onnx"));
        Assert.Equal(ToolExitCodes.BadInput, code);
        Assert.Contains("lstm_0", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Help_EnumValuesLowerCase_SharedModelAndOutOptions()
    {
        string help = Run("--help").Out;

        Assert.Contains("-m, --model <model> (REQUIRED)", help, StringComparison.Ordinal);
        Assert.Contains("-o, --out <out>", help, StringComparison.Ordinal);
        Assert.Contains("--mode <dynamic|static>", help, StringComparison.Ordinal);
        Assert.Contains("--format <qdq|ort>", help, StringComparison.Ordinal);
        Assert.Contains("--calibration-method <minmax|percentile>", help, StringComparison.Ordinal);
        Assert.Contains("[default: qdq]", help, StringComparison.Ordinal);
        Assert.DoesNotContain("--output", help, StringComparison.Ordinal);
        Assert.DoesNotContain("--latency-steps", help, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--percentile", "0", "--percentile must be in (0, 100] (got 0)")]
    [InlineData("--percentile", "101", "--percentile must be in (0, 100] (got 101)")]
    [InlineData("--max-error", "-1", "--max-error must be at least 0 (got -1)")]
    [InlineData("--max-metric-drop", "NaN", "--max-metric-drop must be at least 0 (got NaN)")]
    [InlineData("--timed-steps", "-1", "--timed-steps must be between 0 and 100000000 (got -1)")]
    [InlineData("--format", "int4", "--format must be one of qdq, ort (got 'int4')")]
    public void Quantize_BadOptionValue_ExitsTwoNamingItBeforeReadingTheModel(string option, string value, string message)
    {
        (int code, string stdout, string stderr) = Run("--model", Path.Combine(_dir, "missing.onnx"), option, value);

        Assert.Equal(ToolExitCodes.BadInput, code);
        Assert.Equal("", stdout);
        Assert.Contains("error: " + message, stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("missing.onnx", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Quantize_OldSpellings_PositionalModelOutputLatencyStepsCapitalizedEnums_StillWork()
    {
        string model = WriteModel(BuiltinModels.CreateStreaming(RecurrentCellKind.Gru, 2, 8, layers: 1));
        string output = Path.Combine(_dir, "old.onnx");

        (int code, _, string stderr) = Run(model, "--output", output, "--latency-steps", "0", "--format", "Qdq", "--calibration-method", "MinMax");

        Assert.True(code == 0, stderr);
        Assert.True(File.Exists(output));
    }

    [Theory]
    [InlineData(0.6, 0.80, "int8: 3.3x smaller and 1.25x the speed of float")]
    [InlineData(0.6, 1.04, "int8: 3.3x smaller and 0.96x the speed of float")]
    [InlineData(0.6, 1.40, "float for speed: the int8 EdgeRnn step is 1.40x slower than float on this machine at this size; int8 only if size matters more (3.3x smaller)")]
    public void Recommendation_FollowsTheMeasuredStepRatio(double fp32Us, double ratio, string expected)
    {
        var report = new QuantizeReport("in", "out", "dynamic", "qdq", "per-channel", 1000, 300, "data", [], [], [],
            [new LatencyRow("EdgeRnn (RnnModel.Step)", fp32Us, fp32Us * ratio)], null, []);
        Assert.StartsWith(expected, report.Recommendation, StringComparison.Ordinal);
        Assert.StartsWith("float: the int8 model failed", (report with { Failures = ["max abs error"] }).Recommendation, StringComparison.Ordinal);
    }
}
