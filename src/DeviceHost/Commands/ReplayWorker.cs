using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using EdgeRnn.Deployment.Cli;
using EdgeRnn.DeviceHost.IO;
using EdgeRnn.DeviceHost.Loop;
using EdgeRnn.DeviceHost.Profiles;

namespace EdgeRnn.DeviceHost.Commands;

/// <summary>
/// The <c>replay</c> command: the profile's loop (same normalization, model, scorer) as fast as possible from a fresh
/// state, printing every step's score; no state file, log or alarm pin is touched. <c>--csv</c> replaces the file of
/// the profile's csv sensor; for a profile of chips (<c>devices/pi-bme280.json</c>) it replays a recording of them made
/// by <c>record</c>, each reading taken from the column named by its feature. The summary goes to stderr, so stdout is data only.
/// </summary>
/// <remarks>
/// Exit codes: 0 done, also when the reader of stdout closed the pipe (<c>replay ... | head -3</c>: the replay stops at
/// the first write that fails with EPIPE); 1 stdout could not be written for another reason (a full disk); 2 a bad
/// profile, model or file, a CSV without the profile's columns, or a profile with a chip sensor (only csv and
/// synthetic sensors can be replayed). Malformed CSV rows are counted and warned about on stderr; each is a degraded step.
/// </remarks>
internal static class ReplayWorker
{
    public static int Run(string profilePath, string? csv, long? limit, bool json, TextWriter stdout, TextWriter stderr, DeviceEnvironment environment)
    {
        DeviceLoop loop;
        try
        {
            LoadedProfile profile = ProfileLoader.Load(profilePath);
            if (csv is not null)
            {
                if (csv.Length == 0 || csv.Contains('\0', StringComparison.Ordinal))
                {
                    throw new ProfileException("--csv must be a file path without NUL characters.");
                }

                profile = WithCsv(profile, Path.GetFullPath(csv));
            }

            if (Array.Find(profile.Profile.Sensors, s => Sensors.SensorKinds.Get(s.Kind).IsHardware) is { } chip)
            {
                throw new ProfileException($"{profile.FullPath}: replay runs recordings and synthetic signals, but sensor '{chip.Id}' is a {chip.Kind} chip; "
                    + "use 'run' for live sensors, or 'replay --csv recording.csv' to replay a recording of them (edgernn-device record).");
            }

            loop = DeviceLoop.Open(profile, environment, withState: false);
        }
        catch (ProfileException e)
        {
            stderr.WriteLine("error: " + ErrorText.Sanitize(e.Message, 2000));
            return ToolExitCodes.BadInput;
        }

        foreach (string warning in loop.Warnings)
        {
            stderr.WriteLine("warning: " + ErrorText.Sanitize(warning, 2000));
        }

        using (loop)
        {
            long start = Stopwatch.GetTimestamp();
            TextWriter output = stdout;
            using var jsonStream = new MemoryStream();
            string? stopped = null;
            try
            {
                Write(loop, output, jsonStream, json, limit);
                output.Flush();
            }
            catch (IOException e) when (ErrorText.IsBrokenPipe(e))
            {
                stopped = "the reader closed the output";
            }
            catch (IOException e)
            {
                stderr.WriteLine($"error: cannot write the output after {loop.Steps} steps: {ErrorText.Describe(e)}");
                return DeviceExitCodes.OutputFailed;
            }

            TimeSpan elapsed = Stopwatch.GetElapsedTime(start);
            stderr.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"replayed {loop.Steps} steps in {elapsed.TotalMilliseconds:0.0} ms ({elapsed.TotalMicroseconds / Math.Max(1, loop.Steps):0.00} us/step including output), {loop.Anomalies} anomalies, {loop.DegradedSteps} degraded steps{(stopped is null ? "" : "; stopped: " + stopped)}"));
        }

        return ToolExitCodes.Success;
    }

    private static void Write(DeviceLoop loop, TextWriter output, MemoryStream jsonStream, bool json, long? limit)
    {
        if (!json)
        {
            output.WriteLine("step\tlikelihood\terror\tactive\tdegraded");
        }

        while ((limit is null || loop.Steps < limit) && loop.Step(out Outputs.StepRecord r))
        {
            if (json)
            {
                jsonStream.SetLength(0);
                using (var w = new Utf8JsonWriter(jsonStream))
                {
                    w.WriteStartObject();
                    w.WriteNumber("step", r.Step);
                    w.WriteNumber("likelihood", r.Likelihood);
                    w.WriteNumber("error", r.Error);
                    w.WriteBoolean("active", r.Active);
                    w.WriteBoolean("degraded", r.Degraded);
                    w.WriteEndObject();
                }

                output.WriteLine(System.Text.Encoding.UTF8.GetString(jsonStream.GetBuffer(), 0, (int)jsonStream.Length));
            }
            else
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{r.Step}\t{r.Likelihood:R}\t{r.Error:R}\t{(r.Active ? 1 : 0)}\t{(r.Degraded ? 1 : 0)}"));
            }
        }
    }

    private static LoadedProfile WithCsv(LoadedProfile profile, string csv)
    {
        DeviceProfile p = profile.Profile;
        SensorProfile[] sensors = [.. p.Sensors];
        int index = Array.FindIndex(p.Sensors, s => s.Kind == Sensors.Csv.CsvKind.Instance.Name);
        if (index >= 0)
        {
            SensorProfile s = p.Sensors[index];
            sensors[index] = new SensorProfile
            {
                Id = s.Id, Kind = s.Kind, Readings = s.Readings, File = csv, Speed = s.Speed, Loop = false,
                Attempts = s.Attempts, BackoffMs = s.BackoffMs, StuckAfter = s.StuckAfter,
            };
        }
        else
        {
            // A recording of a hardware profile (edgernn-device record): every sensor becomes a replay of the file's
            // columns, found by the feature name record writes (else by the reading's name), in the profile's units.
            string[] header = Header(csv);
            for (int i = 0; i < sensors.Length; i++)
            {
                SensorProfile s = p.Sensors[i];
                sensors[i] = new SensorProfile
                {
                    Id = s.Id, Kind = Sensors.Csv.CsvKind.Instance.Name, File = csv, Speed = 0, Loop = false,
                    Attempts = s.Attempts, BackoffMs = s.BackoffMs, StuckAfter = s.StuckAfter,
                    Readings = [.. s.Readings.Select(r => new ReadingProfile
                    {
                        Reading = Array.IndexOf(header, r.Feature) < 0 && Array.IndexOf(header, r.Reading) >= 0 ? r.Reading : r.Feature,
                        Feature = r.Feature, Unit = r.Unit, Min = r.Min, Max = r.Max,
                    })],
                };
            }
        }

        var changed = new DeviceProfile
        {
            Name = p.Name, Model = p.Model, SamplePeriodSeconds = p.SamplePeriodSeconds, Sensors = sensors,
            Outputs = p.Outputs, Alarm = p.Alarm, State = p.State,
        };
        return profile with { Profile = changed };
    }

    /// <summary>The column names of a CSV's header row (empty when it cannot be read: the replay sensor then says why).</summary>
    private static string[] Header(string csv)
    {
        try
        {
            using var reader = new StreamReader(csv);
            var buffer = new char[Sensors.Csv.CsvReplaySensor.MaxLineChars];
            int n = 0;
            int c;
            while (n < buffer.Length && (c = reader.Read()) >= 0 && c != '\n')
            {
                buffer[n++] = (char)c;
            }

            return [.. new string(buffer, 0, n).TrimEnd('\r').Split(',').Select(h => h.Trim())];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }
}
