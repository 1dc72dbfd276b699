extern alias Train;
using System.Text.Json;
using TrainProgram = Train::EdgeRnn.Train.Program;

namespace EdgeRnn.Tools.Tests;

public sealed class TrainCommandTests : IDisposable
{
    private readonly TestFolders _folders = new();

    public void Dispose() => _folders.Dispose();

    private static ToolResult Edgernn(params string[] args) => ToolRun.Run(TrainProgram.Run, args);

    [Fact]
    public void Verify_SameOutputAsDevice()
    {
        string folder = _folders.Write("gru", perturb: 1e-3f);

        (int code, string stdout, _) = Edgernn("verify", folder);
        (int deviceCode, string deviceOut, _) = ToolRun.Run(DeviceHostProgram, "verify", folder);

        Assert.Equal(1, code);
        Assert.Equal(deviceCode, code);
        Assert.Equal(deviceOut, stdout);
        Assert.Contains("FAIL", stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("lstm", "2")]
    [InlineData("gru", "1")]
    public void TestData_Builtin_WritesOrtGoldenThatDeviceVerifies(string cell, string layers)
    {
        string folder = Path.Combine(_folders.Root, "golden-" + cell);
        (int code, string stdout, string stderr) = Edgernn("testdata", "--builtin", cell, "--hidden", "24", "--layers", layers, "--seq-len", "120", "--out", folder);
        Assert.True(code == 0, stderr);
        Assert.Contains("edgernn-device verify", stdout, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(folder, "test_data_set_1", "output_0.pb")));

        (int verify, string report, string verifyErr) = ToolRun.Run(DeviceHostProgram, "verify", folder, "--json");
        Assert.True(verify == 0, report + verifyErr);
        using JsonDocument doc = JsonDocument.Parse(report);
        Assert.Equal("Passed", doc.RootElement.GetProperty("status").GetString());
    }

    [Fact]
    public void TestData_MissingModel_ExitsTwo()
    {
        (int code, _, string stderr) = Edgernn("testdata", "--model", Path.Combine(_folders.Root, "nope.onnx"), "--out", Path.Combine(_folders.Root, "x"));
        Assert.Equal(2, code);
        Assert.Contains("nope.onnx", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Bench_BuiltinLstmJson_HasBothRuntimesAndRatio()
    {
        (int code, string stdout, string stderr) = Edgernn("bench", "--builtin", "lstm", "--timed-steps", "200", "--warmup", "20", "--json");

        Assert.Equal(0, code);
        Assert.Contains("bench:", stderr, StringComparison.Ordinal);
        using var doc = JsonDocument.Parse(stdout);
        JsonElement root = doc.RootElement;
        Assert.Equal("step", root.GetProperty("mode").GetString());
        Assert.Equal(2, root.GetProperty("statePairs").GetArrayLength());
        foreach (string runtime in new[] { "ours", "ort" })
        {
            JsonElement stats = root.GetProperty(runtime);
            foreach (string p in new[] { "headlineUs", "medianUs", "p99Us", "meanUs", "allocatedBytesPerStep" })
            {
                Assert.Equal(JsonValueKind.Number, stats.GetProperty(p).ValueKind);
            }

            Assert.Equal(200, stats.GetProperty("steps").GetInt32());
        }

        Assert.Equal("EdgeRnn", root.GetProperty("ours").GetProperty("runtime").GetString());
        Assert.Equal("OnnxRuntime", root.GetProperty("ort").GetProperty("runtime").GetString());
        Assert.True(root.GetProperty("ratioOrtToOurs").GetDouble() > 0);
        Assert.True(root.GetProperty("maxAbsDifference").GetDouble() < 1e-4);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("deviceRow").ValueKind); // a built-in model has no scorer
    }

    [Fact]
    public void Bench_ModelWithScorer_TimesTheDevicesWholeRow()
    {
        string model = Path.Combine(RepoPaths.Devices, "models", "temperature-forecast.onnx");

        (int code, string stdout, string stderr) = Edgernn("bench", "--model", model, "--timed-steps", "200", "--warmup", "20", "--json");

        Assert.True(code == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        JsonElement row = doc.RootElement.GetProperty("deviceRow");
        Assert.Equal("EdgeRnn+scorer", row.GetProperty("runtime").GetString());
        Assert.True(row.GetProperty("headlineUs").GetDouble() > 0);
        Assert.Equal(0, row.GetProperty("allocatedBytesPerStep").GetDouble());
    }

    [Fact]
    public void Bench_TestFolder_Table()
    {
        string folder = _folders.Write("gru");

        (int code, string stdout, _) = Edgernn("bench", "-m", folder, "--timed-steps", "50", "--warmup", "5");

        Assert.Equal(0, code);
        Assert.Contains("EdgeRnn", stdout, StringComparison.Ordinal);
        Assert.Contains("OnnxRuntime", stdout, StringComparison.Ordinal);
        Assert.Contains("ORT / EdgeRnn", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Bench_MissingModel_ExitsTwo()
    {
        string missing = Path.Combine(_folders.Root, "missing.onnx");

        (int code, _, string stderr) = Edgernn("bench", "--model", missing);

        Assert.Equal(2, code);
        Assert.Contains(missing, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Bench_NeitherModelNorBuiltin_ExitsTwo()
    {
        Assert.Equal(2, Edgernn("bench").Code);
    }

    [Fact]
    public void Bench_UnknownBuiltin_ExitsTwo()
    {
        (int code, _, string stderr) = Edgernn("bench", "--builtin", "transformer");

        Assert.Equal(2, code);
        Assert.Contains("transformer", stderr, StringComparison.Ordinal);
    }

    private static int DeviceHostProgram(string[] args, TextWriter stdout, TextWriter stderr) =>
        DeviceHostAlias.Run(args, stdout, stderr);
}
