using System.Diagnostics;
using EdgeRnn.Runtime;
using EdgeRnn.Runtime.Metadata;
using EdgeRnn.Train.Data;
using EdgeRnn.Train.Scoring;
using Xunit.Abstractions;

namespace EdgeRnn.Train.Tests.Scoring;

/// <summary>
/// NAB's rules on its machine-temperature recording: learn only from the first 15% of the rows, then score every row
/// step by step (no look-ahead) with the exported model and the scorer calibrated into it, as the device does.
/// </summary>
public sealed class NabMachineTemperatureTests(ITestOutputHelper output) : IDisposable
{
    private const string File = "realKnownCause/machine_temperature_system_failure.csv";
    private readonly string _folder = Directory.CreateTempSubdirectory("edgernn-nab-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Forecast_TrainedOnFirst15Percent_FlagsLabelledFailureWindows()
    {
        var started = Stopwatch.StartNew();
        string data = Path.Combine(TestPaths.NabData, File);
        string windowsPath = Path.Combine(TestPaths.NabData, "..", "labels", "combined_windows.json");
        string model = Path.Combine(_folder, "machine.onnx");
        var stdout = new StringWriter();
        var stderr = new StringWriter();

        // The documented command (README, "NAB check"); scorer: a 20-step short average and 6 steps (30 min) at or
        // above the calibrated threshold before an alarm.
        int code = Program.Run(["train", "--data", data, "--keep-file-order", "--head-fraction", "0.15", "--hidden", "16", "--epochs", "30",
            "--seq-len", "32", "--stride", "2", "--short-window", "20", "--min-duration", "6", "--threads", "1", "--out", model], stdout, stderr);
        Assert.True(code == 0, stderr.ToString());

        RnnModel loaded = RnnModel.Load(model);
        EdgeRnnMetadata metadata = EdgeRnnMetadata.Read(loaded.Metadata)!;
        SensorRecording recording = CsvRecordingReader.Read(data, new CsvReadOptions { KeepFileOrder = true });
        ScoredStream scored = StreamScorer.Score(loaded, metadata, recording.Values, metadata.Scorer!);
        WindowReport report = WindowEvaluation.Evaluate(recording.Timestamps, scored.Active, scored.Starts, WindowEvaluation.ReadNabWindows(windowsPath, data));
        output.WriteLine(stdout.ToString());
        output.WriteLine(report.ToTable());
        output.WriteLine($"{started.Elapsed.TotalSeconds:F1} s");

        Assert.Equal(4, report.Windows.Count);
        Assert.True(report.Windows[^1].Detected, "the catastrophic failure (last window) was not detected:\n" + report.ToTable());
        Assert.True(report.Detected >= 3, report.ToTable());
        // 22,695 rows are 79 days of 5-minute samples: at most one alarm outside a window every ~3 days.
        Assert.True(report.FalseAlarms.Count <= 25, report.ToTable());
    }
}
