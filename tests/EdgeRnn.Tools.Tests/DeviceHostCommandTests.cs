extern alias DeviceHost;
using System.Text.Json;
using DeviceProgram = DeviceHost::EdgeRnn.DeviceHost.Program;

namespace EdgeRnn.Tools.Tests;

public sealed class DeviceHostCommandTests : IDisposable
{
    private readonly TestFolders _folders = new();

    public void Dispose() => _folders.Dispose();

    private static ToolResult Device(params string[] args) => ToolRun.Run(DeviceProgram.Run, args);

    [Fact]
    public void Verify_PassingFolder_ExitsZeroWithTable()
    {
        string folder = _folders.Write("gru");

        (int code, string stdout, string stderr) = Device("verify", folder);

        Assert.Equal(0, code);
        Assert.Contains("max abs err", stdout, StringComparison.Ordinal);
        Assert.Contains("test_data_set_0", stdout, StringComparison.Ordinal);
        Assert.Contains("PASSED: 2 of 2 outputs", stdout, StringComparison.Ordinal);
        Assert.Equal("", stderr);
    }

    [Fact]
    public void Verify_PerturbedOutput_ExitsOneAndJsonReportsFailure()
    {
        string folder = _folders.Write("gru", perturb: 1e-3f);

        (int code, string stdout, _) = Device("verify", folder, "--atol", "1e-5", "--rtol", "1e-5", "--json");

        Assert.Equal(1, code);
        using var doc = JsonDocument.Parse(stdout);
        Assert.Equal("Failed", doc.RootElement.GetProperty("status").GetString());
        Assert.Equal(1, doc.RootElement.GetProperty("exitCode").GetInt32());
        JsonElement y = doc.RootElement.GetProperty("folders")[0].GetProperty("dataSets")[0].GetProperty("outputs")[0];
        Assert.Equal("y", y.GetProperty("name").GetString());
        Assert.False(y.GetProperty("passed").GetBoolean());
        Assert.Equal(1e-3, y.GetProperty("maxAbsError").GetDouble(), 1e-6);
        Assert.Equal(3, y.GetProperty("actualShape").GetArrayLength());
    }

    [Fact]
    public void Verify_LooseTolerance_Passes()
    {
        string folder = _folders.Write("gru", perturb: 1e-3f);

        Assert.Equal(0, Device("verify", folder, "--atol", "0.01").Code);
    }

    [Fact]
    public void Verify_MissingFolder_ExitsTwoNamingIt()
    {
        string missing = Path.Combine(_folders.Root, "does-not-exist");

        (int code, _, string stderr) = Device("verify", missing);

        Assert.Equal(2, code);
        Assert.Contains(missing, stderr, StringComparison.Ordinal);
        Assert.Contains("does not exist", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_MalformedModel_ExitsTwoNamingModelFile()
    {
        string folder = _folders.Write("bad");
        File.WriteAllText(Path.Combine(folder, "model.onnx"), "not a model");

        (int code, _, string stderr) = Device("verify", folder);

        Assert.Equal(2, code);
        Assert.Contains("model.onnx", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_NoPath_ExitsTwo()
    {
        (int code, _, string stderr) = Device("verify");

        Assert.Equal(2, code);
        Assert.Contains("error:", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownOption_ExitsTwo()
    {
        Assert.Equal(2, Device("verify", ".", "--tolerance", "3").Code);
    }

    [Fact]
    public void Info_Text_ShowsShapesStreamingAndState()
    {
        string folder = _folders.Write("gru");

        (int code, string stdout, _) = Device("info", "--model", Path.Combine(folder, "model.onnx"));

        Assert.Equal(0, code);
        Assert.Contains("float", stdout, StringComparison.Ordinal);
        Assert.Contains("[1, 1, 2]", stdout, StringComparison.Ordinal);
        Assert.Contains("streaming yes", stdout, StringComparison.Ordinal);
        Assert.Contains("hn_0 -> h0_0", stdout, StringComparison.Ordinal);
        Assert.Contains("GRU x1", stdout, StringComparison.Ordinal);
        Assert.Contains("edgernn.builtin", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Info_Json_HasStructure()
    {
        string folder = _folders.Write("gru");

        (int code, string stdout, _) = Device("info", "-m", folder, "--json");

        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(stdout);
        JsonElement root = doc.RootElement;
        Assert.True(root.GetProperty("canStream").GetBoolean());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("streamingError").ValueKind);
        Assert.Equal(17, root.GetProperty("opset").GetInt32());
        Assert.Equal(["x", "h0_0"], root.GetProperty("inputs").EnumerateArray().Select(e => e.GetProperty("name").GetString()));
        Assert.Equal("h0_0", root.GetProperty("statePairs")[0].GetProperty("input").GetString());
        Assert.Equal(1, root.GetProperty("operators").GetProperty("GRU").GetInt32());
    }

    [Fact]
    public void Info_MissingModel_ExitsTwo()
    {
        (int code, _, string stderr) = Device("info", "--model", Path.Combine(_folders.Root, "nope.onnx"));

        Assert.Equal(2, code);
        Assert.Contains("nope.onnx", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Help_DocumentsExitCodes()
    {
        (int code, string stdout, _) = Device("verify", "--help");

        Assert.Equal(0, code);
        Assert.Contains("Exit codes", stdout, StringComparison.Ordinal);
        Assert.Contains("--atol", stdout, StringComparison.Ordinal);
    }
}
