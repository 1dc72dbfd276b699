using System.Diagnostics;
using EdgeRnn.Deployment.Metadata;
using EdgeRnn.Runtime;
using EdgeRnn.Train.Data;
using EdgeRnn.Train.Scoring;
using Xunit.Abstractions;

namespace EdgeRnn.Train.Tests.Scoring;

/// <summary>
/// NAB's rules on its machine-temperature recording: learn only from the probationary period (the first min(15%, 750)
/// rows: 750 here), then score every row step by step (no look-ahead) with the exported model and the scorer
/// calibrated into it, as the device does.
/// </summary>
public sealed class NabMachineTemperatureTests(ITestOutputHelper output) : IDisposable
{
    private const string File = "realKnownCause/machine_temperature_system_failure.csv";
    private readonly string _folder = Directory.CreateTempSubdirectory("edgernn-nab-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Forecast_TrainedOnProbationaryPeriod_FlagsLabelledFailureWindows()
    {
        var started = Stopwatch.StartNew();
        string data = Path.Combine(TestPaths.NabData, File);
        string windowsPath = Path.Combine(TestPaths.NabData, "..", "labels", "combined_windows.json");
        string model = Path.Combine(_folder, "machine.onnx");
        // The documented command (README, "NAB check"): learn from the probationary period only; the log-tail scorer
        // with 2,000-step error statistics, as edgernn nab run uses.
        (int code, string stdout, string stderr) = ToolRun.Run(Program.Run, ["train", "--data", data, "--keep-file-order", "--probationary", "--hidden", "32", "--epochs", "40",
            "--seq-len", "32", "--scorer", "log-tail", "--long-window", "2000", "--warmup-steps", "0", "--threads", "1", "--out", model]);
        Assert.True(code == 0, stderr);

        RnnModel loaded = RnnModel.Load(model);
        EdgeRnnMetadata metadata = EdgeRnnMetadata.Read(loaded.Metadata)!;
        Assert.Equal(ScorerSettings.LogTailMethod, metadata.Scorer!.Method);
        SensorRecording recording = CsvRecordingReader.Read(data, new CsvReadOptions { KeepFileOrder = true });

        // 150 validation rows are too few to calibrate a threshold for months of data (it floors at 0.5); a device
        // profile sets it ($.alarm.threshold). 0.3 is a tail probability of 1e-3.6 for the 10-step error average.
        ScorerSettings settings = metadata.Scorer with { Threshold = 0.3, ExitThreshold = 0.2, MinDuration = 1 };
        ScoredStream scored = StreamScorer.Score(loaded, metadata, recording.Values, settings);
        WindowReport report = WindowEvaluation.Evaluate(recording.Timestamps, scored.Active, scored.Starts, WindowEvaluation.ReadNabWindows(windowsPath, data));
        output.WriteLine(stdout);
        output.WriteLine(report.ToTable());
        output.WriteLine($"{started.Elapsed.TotalSeconds:F1} s");

        Assert.Equal(4, report.Windows.Count);
        Assert.True(report.Windows[^1].Detected, "the catastrophic failure (last window) was not detected:\n" + report.ToTable());
        Assert.True(report.Detected >= 3, report.ToTable());
        // 22,695 rows are 79 days of 5-minute samples: at most one alarm outside a window every ~3 days.
        Assert.True(report.FalseAlarms.Count <= 25, report.ToTable());
    }
}
