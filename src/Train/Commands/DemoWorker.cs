using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeRnn.Deployment.Cli;
using EdgeRnn.Deployment.IO;
using EdgeRnn.Desktop.Bench;
using EdgeRnn.Runtime;
using EdgeRnn.Train.Data;
using EdgeRnn.Train.Nab;
using EdgeRnn.Train.Scoring;

namespace EdgeRnn.Train.Commands;

/// <summary>
/// <c>edgernn demo</c>: the whole path on a real recording committed to the repository (NAB's machine temperature):
/// learn under NAB's rule, quantize to int8, replay every row through the device binary, score the replay with NAB's
/// scorer, plot it, and summarize.
/// </summary>
internal static class DemoWorker
{
    private const string Key = "realKnownCause/machine_temperature_system_failure.csv";
    private const int Steps = 6;

    public static int Run(string output, string? device, string? recordingFolder, bool json, TextWriter stdout, TextWriter stderr)
    {
        long started = Stopwatch.GetTimestamp();
        string folder, data, windowsPath;
        try
        {
            folder = recordingFolder ?? FindRecordingFolder();
            data = Path.Combine(folder, Path.GetFileName(Key));
            windowsPath = Path.Combine(folder, "combined_windows.json");
            if (!File.Exists(data) || !File.Exists(windowsPath))
            {
                throw new FileNotFoundException($"{folder} must hold {Path.GetFileName(Key)} and combined_windows.json (devices/data/nab in the repository).");
            }

            if (device is not null && !File.Exists(device))
            {
                throw new FileNotFoundException($"--device {device} does not exist (build it: dotnet publish src/DeviceHost -c Release -r linux-x64 -o artifacts/publish/linux-x64).");
            }

            Directory.CreateDirectory(output);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine("error: " + e.Message);
            return ToolExitCodes.BadInput;
        }

        // 1. The detector edgernn nab run uses, on this one file: learn from the probationary rows, export, int8.
        string nabData = Path.Combine(output, "data");
        Directory.CreateDirectory(Path.Combine(nabData, "realKnownCause"));
        File.Copy(data, Path.Combine(nabData, Key), overwrite: true);
        NabWindows windows = NabWindows.Load(windowsPath);
        var config = new NabDetectorConfig();
        var runner = new NabRunner(config, windows, Path.Combine(output, "nab"));
        NabDataFile file = NabDataFile.Read(data, Key);
        int probationary = NabRules.ProbationaryRows(file.Rows);
        Progress(stderr, 1, $"learning from the probationary period only: the first {probationary} of {file.Rows} rows ({(file.Times[probationary - 1] - file.Times[0]).TotalDays:F1} days of 5-minute samples), LSTM hidden {config.Hidden}, clock features; then exporting (verified against ONNX Runtime) and quantizing to int8");
        if (File.Exists(runner.ResultsPath(Key)))
        {
            File.Delete(runner.ResultsPath(Key)); // the demo always streams again (trained models are reused)
        }

        NabFileRun run = runner.Run(Path.Combine(nabData, Key), Key);
        if (run.Error is not null)
        {
            stderr.WriteLine("error: " + run.Error);
            return ToolExitCodes.BadInput;
        }

        string fp32Path = Path.Combine(run.WorkFolder!, "model.onnx");
        string int8Path = Path.Combine(run.WorkFolder!, "model.int8.onnx");
        stderr.WriteLine(run.TrainSeconds > 0
            ? string.Create(CultureInfo.InvariantCulture, $"      trained in {run.TrainSeconds:F1} s, quantized in {run.QuantizeSeconds:F1} s: {new FileInfo(fp32Path).Length:N0} bytes fp32 -> {new FileInfo(int8Path).Length:N0} bytes int8")
            : $"      reused the models trained by an earlier run in {output} (same rows and settings)");

        // 2. The desktop's view of every row (the device's own sequence), kept by the runner for the plot and the comparison.
        Progress(stderr, 2, string.Create(CultureInfo.InvariantCulture, $"scored all {file.Rows} rows on the desktop, one step at a time, with the int8 model and the device's scorer ({run.MicrosecondsPerRow:F2} us a row)"));
        ScoredStream desktop = run.Scored!;

        // 3. The device binary replays the recording through the same int8 model.
        double[]? deviceLikelihoods = null;
        double deviceMicroseconds = double.NaN;
        if (device is null)
        {
            Progress(stderr, 3, "no device binary given (--device): skipping the device replay; eng/demo.sh publishes edgernn-device and passes it");
        }
        else
        {
            Progress(stderr, 3, $"replaying every row through the device binary ({device}) with the int8 model");
            (deviceLikelihoods, deviceMicroseconds, string? error) = Replay(device, output, int8Path, data);
            if (error is not null)
            {
                stderr.WriteLine("error: the device replay failed: " + error);
                return ToolExitCodes.ComparisonFailed;
            }
        }

        double deviceDiff = deviceLikelihoods is null ? double.NaN : desktop.Likelihoods.Zip(deviceLikelihoods).Max(p => Math.Abs(p.First - p.Second));

        // 4. NAB's scorer on this file's results (the masked anomaly scores nab run wrote).
        Progress(stderr, 4, "scoring the results with NAB's scorer (threshold optimized on this file, three cost profiles)");
        NabScoringFile scoring = NabResultsFile.Read(run.Results).ToScoringFile(Key, windows.GetWindows(Key));
        NabScoreReport report = NabScoreReport.Create(config.Name, [scoring]);
        double threshold = report["standard"].Threshold;
        int[] events = [.. Enumerable.Range(probationary, file.Rows - probationary)
            .Where(t => desktop.AnomalyScores[t] >= threshold && (t == 0 || desktop.AnomalyScores[t - 1] < threshold))];
        IReadOnlyList<NabWindow> labelled = windows.GetWindows(Key);
        int detected = labelled.Count(w => events.Any(e => file.Times[e] >= w.Start && file.Times[e] <= w.End));
        int outside = events.Count(e => !labelled.Any(w => file.Times[e] >= w.Start && file.Times[e] <= w.End));

        // 5. The picture.
        Progress(stderr, 5, "plotting the signal, forecast, score, threshold, alarms and labelled windows");
        string png = Path.Combine(output, "demo.png");
        ScorePlot.SavePng(new ScorePlotData(
            "NAB machine temperature: EdgeRnn int8 LSTM, learned from the first 750 rows, streamed row by row",
            [.. file.Times], [.. file.ValueTexts.Select(v => double.Parse(v, CultureInfo.InvariantCulture))],
            [.. desktop.Forecasts.Select(f => (double)f)], [.. desktop.AnomalyScores.Select(s => (double)s)], threshold,
            events, [.. labelled.Select(w => (w.Start, w.End))], file.Times[probationary - 1]), png);

        // 6. The per-step latency of the int8 model in the runtime (the device's per-row work without I/O).
        Progress(stderr, 6, "timing one step of the int8 model and the device's whole row, as edgernn bench does (against ONNX Runtime)");
        BenchResult bench;
        using (var benchmark = new StepBenchmark(File.ReadAllBytes(int8Path), int8Path))
        {
            bench = benchmark.Run(steps: 20000, warmup: 2000, TextWriter.Null);
        }

        double stepMicroseconds = bench.Ours.HeadlineUs;
        double rowMicroseconds = bench.DeviceRow?.HeadlineUs ?? double.NaN;
        double seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;

        var summary = new Dictionary<string, object?>
        {
            ["recording"] = Key,
            ["rows"] = file.Rows,
            ["learnedFromRows"] = probationary,
            ["modelBytesFp32"] = new FileInfo(fp32Path).Length,
            ["modelBytesInt8"] = new FileInfo(int8Path).Length,
            ["trainSeconds"] = Math.Round(run.TrainSeconds, 2),
            ["stepUsInt8"] = Math.Round(stepMicroseconds, 3),
            ["rowUsInt8WithScorer"] = double.IsNaN(rowMicroseconds) ? null : Math.Round(rowMicroseconds, 3),
            ["ortStepUs"] = Math.Round(bench.Ort.HeadlineUs, 3),
            ["deviceReplayUsPerRow"] = double.IsNaN(deviceMicroseconds) ? null : Math.Round(deviceMicroseconds, 3),
            ["deviceVsDesktopMaxAbs"] = double.IsNaN(deviceDiff) ? null : deviceDiff,
            ["threshold"] = threshold,
            ["windows"] = labelled.Count,
            ["windowsDetected"] = detected,
            ["alarmsOutsideWindows"] = outside,
            ["nabStandard"] = Math.Round(report["standard"].NormalizedScore, 2),
            ["nabRewardLowFp"] = Math.Round(report["reward_low_FP_rate"].NormalizedScore, 2),
            ["nabRewardLowFn"] = Math.Round(report["reward_low_FN_rate"].NormalizedScore, 2),
            ["plot"] = png,
            ["seconds"] = Math.Round(seconds, 1),
        };
        if (json)
        {
            stdout.WriteLine(JsonSerializer.Serialize(summary));
        }
        else
        {
            stdout.WriteLine();
            stdout.WriteLine("EdgeRnn demo: NAB machine temperature (22,695 rows, 5-minute samples; MIT, Numenta)");
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  learned from         the first {probationary} rows only (NAB's probationary period){(run.TrainSeconds > 0 ? $", {run.TrainSeconds:F1} s of training" : ", model reused")}"));
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  model size           {new FileInfo(fp32Path).Length:N0} bytes fp32, {new FileInfo(int8Path).Length:N0} bytes int8"));
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  per-row latency      {rowMicroseconds:F2} us: normalize, score, int8 step, keep the forecast (ONNX Runtime's step alone: {bench.Ort.HeadlineUs:F2} us)"));
            if (!double.IsNaN(deviceMicroseconds))
            {
                stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  device replay time   {deviceMicroseconds:F2} us/row including CSV parsing and JSON output"));
            }

            stdout.WriteLine(double.IsNaN(deviceDiff)
                ? "  device replay        skipped (no --device)"
                : string.Create(CultureInfo.InvariantCulture, $"  device replay        every row; max |likelihood difference| vs the desktop {deviceDiff:E1}"));
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  anomalies            {detected} of {labelled.Count} labelled windows detected, {outside} alarms outside them (threshold {threshold:G4})"));
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  NAB score (file)     standard {report["standard"].NormalizedScore:F1}, reward_low_FP {report["reward_low_FP_rate"].NormalizedScore:F1}, reward_low_FN {report["reward_low_FN_rate"].NormalizedScore:F1}"));
            stdout.WriteLine($"  plot                 {png}");
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  took                 {seconds:F0} s"));
        }

        return deviceDiff > 1e-5 ? ToolExitCodes.ComparisonFailed : ToolExitCodes.Success;
    }

    private static void Progress(TextWriter stderr, int step, string what) => stderr.WriteLine($"[{step}/{Steps}] {what}");

    /// <summary>devices/data/nab above the tool (the repository the tool was built in).</summary>
    private static string FindRecordingFolder()
    {
        for (DirectoryInfo? d = new(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            string candidate = Path.Combine(d.FullName, "devices", "data", "nab");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("devices/data/nab was not found above the tool; give --recording-folder.");
    }

    private static (double[]? Likelihoods, double MicrosecondsPerRow, string? Error) Replay(string device, string output, string model, string csv)
    {
        var profile = new JsonObject
        {
            ["name"] = "demo-nab-machine-temperature",
            ["model"] = Path.GetFullPath(model),
            ["samplePeriodSeconds"] = 300,
            ["sensors"] = new JsonArray(new JsonObject
            {
                ["id"] = "nab", ["kind"] = "csv", ["file"] = Path.GetFullPath(csv), ["speed"] = 0,
                ["readings"] = new JsonArray(new JsonObject { ["reading"] = "value", ["feature"] = "value", ["unit"] = "" }),
            }),
            ["outputs"] = new JsonObject { ["console"] = "off" },
        };
        string profilePath = Path.Combine(output, "demo-profile.json");
        AtomicFile.WriteAllBytes(profilePath, System.Text.Encoding.UTF8.GetBytes(profile.ToJsonString(new JsonSerializerOptions { WriteIndented = true })));
        var start = new ProcessStartInfo(device) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in new[] { "replay", "--profile", profilePath, "--json" })
        {
            start.ArgumentList.Add(a);
        }

        long t0 = Stopwatch.GetTimestamp();
        using Process p = Process.Start(start)!;
        Task<string> err = p.StandardError.ReadToEndAsync();
        var likelihoods = new List<double>();
        while (p.StandardOutput.ReadLine() is { } line)
        {
            using JsonDocument doc = JsonDocument.Parse(line);
            likelihoods.Add(doc.RootElement.GetProperty("likelihood").GetDouble());
        }

        p.WaitForExit();
        double us = Stopwatch.GetElapsedTime(t0).TotalMicroseconds / Math.Max(1, likelihoods.Count);
        return p.ExitCode == 0 ? ([.. likelihoods], us, null) : (null, us, $"exit {p.ExitCode}: {err.Result.Trim()}");
    }
}
