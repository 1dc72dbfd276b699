using System.Diagnostics;
using System.Text.Json;

namespace EdgeRnn.DeviceHost.Tests;

/// <summary>
/// ONNX's official backend node tests for LSTM, GRU and RNN (test_lstm_*, test_gru_*, test_rnn_*, test_simple_rnn_*),
/// generated here from the cases in Debian's python3-onnx by eng/onnx-node-tests.py, pass `edgernn-device verify` at
/// its default tolerance. They give W, R and B as graph inputs, which the runtime binds when they arrive.
/// </summary>
public sealed class OnnxNodeTests
{
    private const string Python = "/usr/bin/python3";

    [Fact]
    public void Verify_OnnxRecurrentNodeTests_AllPassAtDefaultTolerance()
    {
        using var folder = new TempFolder();
        Generate(folder.Path);
        string[] tests = [.. Directory.GetDirectories(folder.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal)!];
        Assert.Contains("test_lstm_defaults", tests);
        Assert.Contains("test_lstm_with_peepholes", tests);
        Assert.Contains("test_gru_seq_length", tests);
        Assert.Contains("test_simple_rnn_batchwise", tests);
        Assert.True(tests.Length >= 12, $"expected at least 12 recurrent node tests, got {tests.Length}: {string.Join(", ", tests)}");

        (int code, string stdout, string stderr) = ToolRun.Run(Program.Run, "verify", folder.Path, "--json");

        Assert.True(code == 0, $"verify exited {code}: {stderr}\n{stdout}");
        using var doc = JsonDocument.Parse(stdout);
        JsonElement[] folders = [.. doc.RootElement.GetProperty("folders").EnumerateArray()];
        Assert.Equal(tests.Length, folders.Length);
        foreach (JsonElement f in folders)
        {
            JsonElement[] outputs = [.. f.GetProperty("dataSets").EnumerateArray().SelectMany(d => d.GetProperty("outputs").EnumerateArray())];
            Assert.NotEmpty(outputs);
            Assert.All(outputs, o => Assert.True(o.GetProperty("passed").GetBoolean(), $"{f.GetProperty("path")}: {o}"));
        }
    }

    private static void Generate(string output)
    {
        string script = Path.Combine(RepoPaths.Root, "eng", "onnx-node-tests.py");
        if (!File.Exists(Python))
        {
            Assert.Fail($"{Python} is missing: ONNX's node tests are generated with Debian's python3-onnx (eng/test.sh installs it: apt-get install python3-onnx).");
        }

        var start = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(output);
        using Process p = Process.Start(start)!;
        Task<string> err = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        Assert.True(p.WaitForExit(TimeSpan.FromMinutes(2)), "the generator did not finish in 2 minutes");
        Assert.True(p.ExitCode == 0, $"{script} exited {p.ExitCode} (is python3-onnx installed? eng/test.sh installs it): {err.Result}\n{stdout}");
    }
}
