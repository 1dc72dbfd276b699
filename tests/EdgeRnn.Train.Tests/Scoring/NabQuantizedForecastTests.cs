extern alias quantize;

using System.Diagnostics;
using EdgeRnn.Deployment.Metadata;
using EdgeRnn.Runtime;
using EdgeRnn.Train.Data;
using EdgeRnn.Train.Scoring;
using QuantizeProgram = quantize::EdgeRnn.Quantize.Program;
using Xunit.Abstractions;

namespace EdgeRnn.Train.Tests.Scoring;

/// <summary>
/// Issue 4's accuracy target on nab-sample data: the NAB machine-temperature forecast model (trained on NAB's probationary
/// period as in <see cref="NabMachineTemperatureTests"/>), quantized by edgernn-quantize (dynamic, per-channel, qdq), keeps its
/// forecast MAE within 2% of the float model's and >= 99% of its anomaly flags over the whole file, scored step by step.
/// </summary>
public sealed class NabQuantizedForecastTests(ITestOutputHelper output) : IDisposable
{
    private const string File = "realKnownCause/machine_temperature_system_failure.csv";
    private readonly string _folder = Directory.CreateTempSubdirectory("edgernn-nab-int8-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Int8_MachineTemperature_MaeWithin2PercentAndFlags99PercentIdentical()
    {
        var started = Stopwatch.StartNew();
        string data = Path.Combine(TestPaths.NabData, File);
        string fp32Path = Path.Combine(_folder, "machine.onnx");
        string int8Path = Path.Combine(_folder, "machine.int8.onnx");
        (int code, string stdout, string stderr) = ToolRun.Run(Program.Run, ["train", "--data", data, "--keep-file-order", "--probationary", "--hidden", "16", "--epochs", "30",
            "--seq-len", "32", "--stride", "2", "--short-window", "20", "--min-duration", "6", "--threads", "1", "--out", fp32Path]);
        Assert.True(code == 0, stderr);
        (code, string report, stderr) = ToolRun.Run(QuantizeProgram.Run, ["--model", fp32Path, "-o", int8Path, "--timed-steps", "0"]);
        Assert.True(code == 0, stderr);

        SensorRecording recording = CsvRecordingReader.Read(data, new CsvReadOptions { KeepFileOrder = true });
        (double maeFp32, bool[] flagsFp32, int startsFp32) = Evaluate(fp32Path, recording);
        (double maeInt8, bool[] flagsInt8, int startsInt8) = Evaluate(int8Path, recording);
        int same = flagsFp32.Zip(flagsInt8).Count(p => p.First == p.Second);
        double identical = (double)same / flagsFp32.Length;
        double drift = (maeInt8 - maeFp32) / maeFp32;
        output.WriteLine(stdout + report);
        output.WriteLine($"rows {flagsFp32.Length}; files {new FileInfo(fp32Path).Length} -> {new FileInfo(int8Path).Length} bytes");
        output.WriteLine($"forecast MAE (normalized): fp32 {maeFp32:g5}, int8 {maeInt8:g5} ({drift * 100:+0.000;-0.000}%)");
        output.WriteLine($"anomaly flags: fp32 {flagsFp32.Count(f => f)} active rows / {startsFp32} alarms, int8 {flagsInt8.Count(f => f)} / {startsInt8}; {identical * 100:F3}% of rows identical");
        output.WriteLine($"{started.Elapsed.TotalSeconds:F1} s");

        Assert.True(Math.Abs(drift) <= 0.02, $"MAE fp32 {maeFp32}, int8 {maeInt8}");
        Assert.True(identical >= 0.99, $"{identical:P3} of flags identical");
        Assert.True(flagsFp32.Any(f => f), "the float model flags nothing: the comparison would be empty");
    }

    /// <summary>The forecast MAE (normalized units, prediction at t vs reading at t + 1) and the scorer's flags, both step by step.</summary>
    private static (double Mae, bool[] Flags, int Starts) Evaluate(string path, SensorRecording recording)
    {
        RnnModel model = RnnModel.Load(path);
        EdgeRnnMetadata metadata = EdgeRnnMetadata.Read(model.Metadata)!;
        int features = metadata.Features.Count;
        int rows = recording.Values.Length / features;
        var x = new float[features];
        var y = new float[features];
        var previous = new float[features];
        RnnState state = model.CreateState();
        double sum = 0;
        for (int t = 0; t < rows; t++)
        {
            metadata.Normalize(recording.Values.AsSpan(t * features, features), x);
            for (int f = 0; t > 0 && f < features; f++)
            {
                sum += Math.Abs(previous[f] - x[f]);
            }

            model.Step(state, x, y);
            y.CopyTo(previous, 0);
        }

        ScoredStream scored = StreamScorer.Score(model, metadata, recording.Values, metadata.Scorer!);
        return (sum / ((rows - 1) * (double)features), scored.Active, scored.Starts.Count);
    }
}
