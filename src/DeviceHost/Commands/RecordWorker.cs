using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using EdgeRnn.Deployment.Cli;
using EdgeRnn.DeviceHost.IO;
using EdgeRnn.DeviceHost.Loop;
using EdgeRnn.DeviceHost.Profiles;
using EdgeRnn.DeviceHost.Recording;
using EdgeRnn.DeviceHost.Sensors;

namespace EdgeRnn.DeviceHost.Commands;

/// <summary>
/// The <c>record</c> command: samples the profile's sensors at its rate (through the same resilient layer as
/// <c>run</c>: retries, reopening a chip that went away) and writes the CSV <c>edgernn train</c> reads
/// (<see cref="RotatingCsvWriter"/>), until <c>--rows</c>, <c>--duration</c>, SIGINT/SIGTERM or the end of a replay.
/// The profile's model is not loaded: a device records before it has one.
/// </summary>
/// <remarks>Exit codes: 0 recorded; 1 the file could not be written (the parts already closed are intact); 2 a bad
/// profile or options, or --out exists.</remarks>
internal static class RecordWorker
{
    public static int Run(string profilePath, string output, TimeSpan? duration, long? rows, long rotateRows, TextWriter stdout, TextWriter stderr,
        DeviceEnvironment environment, CancellationToken cancel = default)
    {
        LoadedProfile profile;
        try
        {
            profile = ProfileLoader.Load(profilePath);
        }
        catch (ProfileException e)
        {
            stderr.WriteLine("error: " + ErrorText.Sanitize(e.Message, 2000));
            return ToolExitCodes.BadInput;
        }

        string outPath;
        try
        {
            outPath = Path.GetFullPath(output);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            stderr.WriteLine($"error: --out '{ErrorText.Sanitize(output)}': {ErrorText.Describe(e)}");
            return ToolExitCodes.BadInput;
        }

        if (output.Length == 0 || output.EndsWith('/') || Directory.Exists(outPath))
        {
            stderr.WriteLine($"error: --out '{ErrorText.Sanitize(output)}': give a file path, not a folder.");
            return ToolExitCodes.BadInput;
        }

        foreach (string taken in RotatingCsvWriter.ExistingParts(outPath))
        {
            bool unfinished = Path.GetFileName(taken).StartsWith('.');
            stderr.WriteLine(unfinished
                ? $"error: --out: {ErrorText.Sanitize(taken)} is an unfinished part of an earlier recording that was killed "
                    + "(complete up to its last flush): rename it to keep it (mv it to a .csv name), or delete it."
                : $"error: --out: {ErrorText.Sanitize(taken)} exists; record never overwrites a recording: give another --out or move it away.");
            return ToolExitCodes.BadInput;
        }

        DeviceProfile p = profile.Profile;
        ResilientSensor[] sensors;
        var warnings = new List<string>();
        try
        {
            sensors = DeviceLoop.OpenSensors(profile, environment, warnings);
        }
        catch (ProfileException e)
        {
            stderr.WriteLine("error: " + ErrorText.Sanitize(e.Message, 2000));
            return ToolExitCodes.BadInput;
        }

        foreach (string w in warnings)
        {
            stderr.WriteLine("warning: " + ErrorText.Sanitize(w, 2000));
        }

        try
        {
            string[] features = [.. p.Sensors.SelectMany(s => s.Readings).Select(r => r.Feature)];
            double speed = p.Sensors.FirstOrDefault(s => s.Speed is not null)?.Speed ?? 1;
            TimeSpan period = speed == 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(p.SamplePeriodSeconds / speed);
            stderr.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"recording {string.Join(", ", p.Sensors.SelectMany(s => s.Readings).Select(r => $"{r.Feature} [{r.Unit}]"))} of profile {p.Name}, one row every {period.TotalMilliseconds:0.###} ms, into {outPath}"
                + $"{(rows is { } n ? $" ({n} rows)" : duration is { } d ? $" (for {d})" : " (until Ctrl+C)")}"));
            return Record(sensors, features, outPath, period, duration, rows, rotateRows, stderr, cancel);
        }
        finally
        {
            foreach (ResilientSensor s in sensors)
            {
                s.Dispose();
            }
        }
    }

    private static int Record(ResilientSensor[] sensors, string[] features, string outPath, TimeSpan period, TimeSpan? duration, long? rows, long rotateRows,
        TextWriter stderr, CancellationToken cancel)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        using PosixSignalRegistration term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using PosixSignalRegistration interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        PeriodicSampler sampler = PeriodicSampler.Create(period, cts.Token);
        var values = new float[features.Length];
        long incomplete = 0;
        string reason = "stopped by signal";
        DateTime startLocal = DateTime.Now;
        DateTime last = DateTime.MinValue;
        long started = Stopwatch.GetTimestamp();
        using var writer = new RotatingCsvWriter(outPath, features, rotateRows);
        try
        {
            while (sampler.WaitForNext())
            {
                if (rows is { } max && writer.Rows >= max)
                {
                    reason = $"--rows {max} done";
                    break;
                }

                TimeSpan elapsed = Stopwatch.GetElapsedTime(started);
                if (duration is { } d && elapsed >= d)
                {
                    reason = $"--duration {d} done";
                    break;
                }

                bool ended = false, missing = false;
                double recorded = double.NaN;
                int offset = 0;
                foreach (ResilientSensor s in sensors)
                {
                    Span<float> slot = values.AsSpan(offset, s.Count);
                    SampleQuality q = s.Read(slot);
                    if (q == SampleQuality.EndOfData)
                    {
                        ended = true;
                        break;
                    }

                    if (q == SampleQuality.Degraded)
                    {
                        // A held value is not a measurement: leave the cells empty, so training interpolates or drops them.
                        slot.Fill(float.NaN);
                        missing = true;
                    }

                    if (double.IsNaN(recorded) && double.IsFinite(s.LastTimestamp))
                    {
                        recorded = s.LastTimestamp;
                    }

                    offset += s.Count;
                }

                if (ended)
                {
                    reason = "end of the replay data";
                    break;
                }

                incomplete += missing ? 1 : 0;

                // The sample's scheduled time on a monotonic clock from the start's local time (a late sample keeps its
                // slot, skipped slots are a gap), to the millisecond the file holds, strictly increasing: train requires it,
                // and NTP stepping the wall clock must not break it.
                TimeSpan scheduled = period > TimeSpan.Zero ? period * (sampler.Ticks - 1 + sampler.MissedTicks) : elapsed;
                DateTime time = double.IsFinite(recorded) ? DateTime.UnixEpoch.AddSeconds(recorded) : startLocal + scheduled;
                time = new DateTime(time.Ticks - (time.Ticks % TimeSpan.TicksPerMillisecond), time.Kind);
                if (time <= last)
                {
                    time = last.AddMilliseconds(1);
                }

                last = time;
                writer.WriteRow(time, values);
            }

            writer.Close();
        }
        catch (IOException e)
        {
            stderr.WriteLine($"error: cannot write the recording after {writer.Rows} rows: {ErrorText.Describe(e)}; "
                + (writer.Completed.Count > 0 ? $"closed parts are intact: {string.Join(", ", writer.Completed)}" : "no part was closed")
                + $"; the open part stays as {RotatingCsvWriter.TemporaryPath(RotatingCsvWriter.PartPath(outPath, writer.Completed.Count + 1))} if anything of it was written.");
            return DeviceExitCodes.OutputFailed;
        }

        string counters = string.Join("; ", sensors.Select(s => string.Create(CultureInfo.InvariantCulture,
            $"{s.Id}: {s.Counters.Samples} samples, {s.Counters.Retries} retries, {s.Counters.IoErrors} I/O errors, {s.Counters.OutOfRange} out of range, {s.Counters.Degraded} degraded")));
        stderr.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{reason}: recorded {writer.Rows} rows ({incomplete} with missing values) in {writer.Completed.Count} file(s): {string.Join(", ", writer.Completed)}; "
            + $"{sampler.Overruns} overruns; {counters}"));
        if (incomplete > 0)
        {
            stderr.WriteLine("note: some rows have empty cells (a sensor failed): train with --missing interpolate (or drop).");
        }

        return ToolExitCodes.Success;

        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            cts.Cancel();
        }
    }
}
