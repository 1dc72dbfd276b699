using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using EdgeRnn.Deployment.Cli;

namespace EdgeRnn.Train.Nab;

/// <summary>
/// <c>edgernn nab run</c>: runs EdgeRnn's detector on every NAB data file in parallel (<see cref="NabRunner"/>),
/// shows progress, skips files already finished, then scores the results with NAB's scorer and prints the three
/// normalized scores.
/// </summary>
internal static class NabRunWorker
{
    public static int Run(string data, string labels, string output, int parallel, NabDetectorConfig config, bool json, TextWriter stdout, TextWriter stderr)
    {
        IReadOnlyList<(string Path, string Key)> files;
        NabWindows windows;
        try
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(parallel, "--parallel");
            files = NabDataFile.Find(data);
            windows = NabWindows.Load(labels);
            Directory.CreateDirectory(output);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or ArgumentException)
        {
            stderr.WriteLine("error: " + e.Message);
            return ToolExitCodes.BadInput;
        }

        string[] unlabelled = [.. files.Where(f => !windows.TryGetWindows(f.Key, out _)).Select(f => f.Key)];
        if (unlabelled.Length > 0)
        {
            stderr.WriteLine($"error: {labels} has no windows for {string.Join(", ", unlabelled.Take(5))}{(unlabelled.Length > 5 ? $" and {unlabelled.Length - 5} more" : "")}; give NAB's combined_windows.json for this data folder.");
            return ToolExitCodes.BadInput;
        }

        stderr.WriteLine($"nab run: {files.Count} files from {data}, detector '{config.Name}' ({config.Cell} hidden {config.Hidden} x {config.Layers}, {(config.Int8 ? "int8" : "fp32")}), {parallel} in parallel; results in {Path.Combine(output, config.Name)}");
        var runner = new NabRunner(config, windows, output);
        var runs = new ConcurrentBag<NabFileRun>();
        int done = 0;
        long started = Stopwatch.GetTimestamp();
        var progressLock = new Lock();
        Parallel.ForEach(files, new ParallelOptions { MaxDegreeOfParallelism = parallel }, file =>
        {
            NabFileRun run = runner.Run(file.Path, file.Key);
            runs.Add(run);
            lock (progressLock)
            {
                done++;
                string what = run.Error is not null ? "FAILED: " + run.Error
                    : run.Skipped ? "already done (skipped)"
                    : string.Create(CultureInfo.InvariantCulture, $"{run.Rows} rows; train {run.TrainSeconds:F1} s, int8 {run.QuantizeSeconds:F1} s, stream {run.MicrosecondsPerRow:F2} us/row");
                stderr.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{done}/{files.Count} {Stopwatch.GetElapsedTime(started).TotalSeconds:F0}s] {file.Key}: {what}"));
            }
        });

        NabFileRun[] ordered = [.. runs.OrderBy(r => r.Key, StringComparer.Ordinal)];
        NabFileRun[] failed = [.. ordered.Where(r => r.Error is not null)];
        double seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        NabFileRun[] fresh = [.. ordered.Where(r => r.Error is null && !r.Skipped)];
        double perRow = fresh.Length == 0 ? double.NaN : fresh.Sum(r => r.MicrosecondsPerRow * r.Rows) / fresh.Sum(r => r.Rows);
        stderr.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"nab run: {ordered.Length - failed.Length} of {ordered.Length} files in {seconds:F0} s ({fresh.Length} run, {ordered.Count(r => r.Skipped)} skipped); streaming {perRow:F2} us/row on average"));
        if (failed.Length > 0)
        {
            foreach (NabFileRun f in failed)
            {
                stderr.WriteLine($"error: {f.Key}: {f.Error}");
            }

            return ToolExitCodes.BadInput;
        }

        if (json)
        {
            var writer = new StringWriter(CultureInfo.InvariantCulture);
            int scoreCode = NabScoreWorker.Run(output, labels, [config.Name], json: true, writer, stderr);
            stdout.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object?>
            {
                ["detector"] = config.Name,
                ["files"] = ordered.Length,
                ["seconds"] = Math.Round(seconds, 1),
                ["usPerRow"] = double.IsNaN(perRow) ? null : Math.Round(perRow, 3),
                ["score"] = scoreCode == ToolExitCodes.Success ? JsonDocument.Parse(writer.ToString()).RootElement : null,
            }));
            return scoreCode;
        }

        return NabScoreWorker.Run(output, labels, [config.Name], json: false, stdout, stderr);
    }
}
