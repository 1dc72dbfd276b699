using System.Text.Json;

namespace EdgeRnn.Train.Tests.Commands;

/// <summary><c>edgernn demo</c> (README's first command, without the device binary here) and <c>score --plot</c>.</summary>
public sealed class DemoCommandTests : IDisposable
{
    private static readonly byte[] s_pngSignature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];
    private readonly string _folder = Directory.CreateTempSubdirectory("edgernn-demo-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Demo_CommittedRecording_SummarizesAndPlots()
    {
        (int code, string stdout, string stderr) = Edgernn("demo", "--out", _folder, "--json");

        Assert.True(code == 0, stderr);
        Assert.Contains("[6/6]", stderr, StringComparison.Ordinal);
        using JsonDocument doc = JsonDocument.Parse(stdout);
        JsonElement s = doc.RootElement;
        Assert.Equal(22695, s.GetProperty("rows").GetInt32());
        Assert.Equal(750, s.GetProperty("learnedFromRows").GetInt32());
        Assert.True(s.GetProperty("modelBytesInt8").GetInt64() < s.GetProperty("modelBytesFp32").GetInt64() / 2);
        Assert.Equal(4, s.GetProperty("windows").GetInt32());
        // Measured 4 of 4 and a file score of 76.9 (seed 1): a guard against losing the detector, not a tuned target.
        Assert.True(s.GetProperty("windowsDetected").GetInt32() >= 3, stdout);
        Assert.True(s.GetProperty("nabStandard").GetDouble() > 40, stdout);
        Assert.Equal(JsonValueKind.Null, s.GetProperty("deviceVsDesktopMaxAbs").ValueKind);
        Assert.Equal(s_pngSignature, File.ReadAllBytes(s.GetProperty("plot").GetString()!)[..8]);
    }

    [Fact]
    public void Demo_MissingDevice_ExitsTwoNamingIt()
    {
        (int code, _, string stderr) = Edgernn("demo", "--out", _folder, "--device", Path.Combine(_folder, "no-device"));

        Assert.Equal(2, code);
        Assert.Contains("no-device", stderr, StringComparison.Ordinal);
    }

    private static ToolResult Edgernn(params string[] args) => ToolRun.Run(Program.Run, args);
}
