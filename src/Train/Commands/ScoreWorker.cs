using System.Globalization;
using System.Text.Json;
using EdgeRnn.Deployment.Cli;
using EdgeRnn.Deployment.IO;
using EdgeRnn.Deployment.Metadata;
using EdgeRnn.Runtime;
using EdgeRnn.Train.Data;
using EdgeRnn.Train.Scoring;

namespace EdgeRnn.Train.Commands;

/// <summary>
/// <c>edgernn score</c>: streams a recording through a model and its <c>edgernn.scorer</c> one row at a time, as the
/// device does (no look-ahead), and reports the alarms; with a NAB windows file, a per-window table.
/// </summary>
internal static class ScoreWorker
{
    public static int Run(string modelPath, string data, string? windows, bool keepFileOrder, string? results, bool json, TextWriter stdout, TextWriter stderr, string? plot = null, IReadOnlyList<string>? columns = null)
    {
        foreach ((string? path, string option) in new[] { (results, "--results"), (plot, "--plot") })
        {
            if (path is not null && OutputPath.CheckFile(path, option) is { } unwritable)
            {
                stderr.WriteLine($"error: {unwritable}.");
                return ToolExitCodes.BadInput;
            }
        }

        RnnModel model;
        EdgeRnnMetadata metadata;
        SensorRecording recording;
        IReadOnlyList<LabelledWindow>? labelled = null;
        try
        {
            model = RnnModel.Load(modelPath);
            metadata = EdgeRnnMetadata.Read(model.Metadata, modelPath) ?? throw new ModelFormatException($"{modelPath} has no edgernn metadata (edgernn.format).");
            if (metadata.Scorer is null || metadata.Task == ModelTask.Classify)
            {
                throw new ModelFormatException($"{modelPath} is a {metadata.Task} model without edgernn.scorer; only forecast and autoencoder models are scored.");
            }

            // The sensor features come from the CSV; clock features (time.*) from each row's timestamp, as on the device.
            // --columns names the CSV's columns for the model's sensor features, in order, when the names differ.
            int sensors = TimeFeatures.SensorFeatureCount(metadata.Features);
            string[] names = [.. metadata.Features.Take(sensors).Select(f => f.Name)];
            if (columns is { Count: > 0 } && columns.Count != sensors)
            {
                throw new ModelFormatException($"--columns gives {columns.Count} columns; the model reads {sensors} sensor features ({string.Join(", ", names)}).");
            }

            recording = CsvRecordingReader.Read(data, new CsvReadOptions { Features = columns is { Count: > 0 } ? columns : names, KeepFileOrder = keepFileOrder })
                .WithFeatureNames(names)
                .WithTimeFeatures([.. metadata.Features.Skip(sensors).Select(f => f.Name)]);
            if (windows is not null)
            {
                labelled = WindowEvaluation.ReadNabWindows(windows, Path.GetFullPath(data));
            }
        }
        catch (Exception e) when (e is ModelFormatException or CsvFormatException or IOException or UnauthorizedAccessException or InvalidDataException or JsonException)
        {
            stderr.WriteLine("error: " + e.Message);
            return ToolExitCodes.BadInput;
        }

        ScoredStream scored = StreamScorer.Score(model, metadata, recording.Values, metadata.Scorer);
        WindowReport? report = labelled is null ? null : WindowEvaluation.Evaluate(recording.Timestamps, scored.Active, scored.Starts, labelled);
        if (results is not null)
        {
            WriteResults(results, recording, scored, labelled);
        }

        if (plot is not null)
        {
            DateTime[] times = [.. recording.Timestamps.Select(t => DateTime.UnixEpoch.AddSeconds(t))];
            ScorePlot.SavePng(new ScorePlotData($"{Path.GetFileName(data)} scored by {Path.GetFileName(modelPath)}", times,
                [.. Enumerable.Range(0, recording.Rows).Select(r => (double)recording.Row(r)[0])],
                scored.Forecasts.Length == recording.Rows ? [.. scored.Forecasts.Select(f => (double)f)] : [.. times.Select(_ => double.NaN)],
                [.. scored.Likelihoods.Select(l => (double)l)], metadata.Scorer.Threshold, scored.Starts,
                labelled is null ? [] : [.. labelled.Select(w => (DateTime.UnixEpoch.AddSeconds(w.Start), DateTime.UnixEpoch.AddSeconds(w.End)))], null), plot);
        }

        if (json)
        {
            var summary = new Dictionary<string, object?>
            {
                ["rows"] = recording.Rows,
                ["threshold"] = metadata.Scorer.Threshold,
                ["exitThreshold"] = metadata.Scorer.ExitThreshold,
                ["alarms"] = scored.Starts.Select(s => WindowReport.Format(recording.Timestamps[s])).ToArray(),
                ["windows"] = report?.Windows.Select(w => new Dictionary<string, object?>
                {
                    ["start"] = WindowReport.Format(w.Window.Start),
                    ["end"] = WindowReport.Format(w.Window.End),
                    ["detected"] = w.Detected,
                    ["firstDetection"] = w.FirstDetection is { } f ? WindowReport.Format(f) : null,
                }).ToArray(),
                ["detectedWindows"] = report?.Detected,
                ["falseAlarms"] = report?.FalseAlarms.Count,
            };
            stdout.WriteLine(JsonSerializer.Serialize(summary, s_indented));
        }
        else
        {
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"scored {recording.Rows} rows of {data} step by step: threshold {metadata.Scorer.Threshold:G6}, exit {metadata.Scorer.ExitThreshold:G6}, min duration {metadata.Scorer.MinDuration}; {scored.Starts.Count} alarms"));
            if (report is not null)
            {
                stdout.Write(report.ToTable());
            }
            else
            {
                foreach (int s in scored.Starts.Take(50))
                {
                    stdout.WriteLine("alarm at " + WindowReport.Format(recording.Timestamps[s]));
                }
            }
        }

        return ToolExitCodes.Success;
    }

    /// <summary>NAB's results layout: timestamp,value,anomaly_score,label (the first feature as value; label 1 inside a window).</summary>
    private static void WriteResults(string path, SensorRecording recording, ScoredStream scored, IReadOnlyList<LabelledWindow>? windows)
    {
        using var writer = new StreamWriter(path);
        writer.WriteLine("timestamp,value,anomaly_score,label");
        for (int t = 0; t < recording.Rows; t++)
        {
            double ts = recording.Timestamps[t];
            int label = windows?.Any(w => ts >= w.Start && ts <= w.End) == true ? 1 : 0;
            string time = DateTimeOffset.UnixEpoch.AddSeconds(ts).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{time},{recording.Row(t)[0]},{scored.Likelihoods[t]},{label}"));
        }
    }

    private static readonly JsonSerializerOptions s_indented = new() { WriteIndented = true };
}
