using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using EdgeRnn.DeviceHost.Loop;
using EdgeRnn.DeviceHost.Profiles;
using EdgeRnn.Runtime.Tools;

namespace EdgeRnn.DeviceHost.Commands;

/// <summary>
/// The <c>replay</c> command: the profile's loop (same normalization, model, scorer) as fast as possible from a fresh
/// state, printing every step's score; no state file, log or alarm pin is touched. <c>--csv</c> replaces the file of
/// the profile's csv sensor. The summary goes to stderr, so stdout is data only.
/// </summary>
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
                profile = WithCsv(profile, Path.GetFullPath(csv));
            }

            loop = DeviceLoop.Open(profile, environment, withState: false);
        }
        catch (ProfileException e)
        {
            stderr.WriteLine("error: " + e.Message);
            return ToolExitCodes.BadInput;
        }

        using (loop)
        {
            long start = Stopwatch.GetTimestamp();
            TextWriter output = stdout;
            if (!json)
            {
                output.WriteLine("step\tlikelihood\terror\tactive\tdegraded");
            }

            using var jsonStream = new MemoryStream();
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

            output.Flush();
            TimeSpan elapsed = Stopwatch.GetElapsedTime(start);
            stderr.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"replayed {loop.Steps} steps in {elapsed.TotalMilliseconds:0.0} ms ({elapsed.TotalMicroseconds / Math.Max(1, loop.Steps):0.00} us/step including output), {loop.Anomalies} anomalies, {loop.DegradedSteps} degraded steps"));
        }

        return ToolExitCodes.Success;
    }

    private static LoadedProfile WithCsv(LoadedProfile profile, string csv)
    {
        DeviceProfile p = profile.Profile;
        int index = Array.FindIndex(p.Sensors, s => s.Kind == Sensors.SensorCatalog.Csv);
        if (index < 0)
        {
            throw new ProfileException($"{profile.FullPath}: --csv needs a profile with a csv sensor.");
        }

        SensorProfile s = p.Sensors[index];
        SensorProfile[] sensors = [.. p.Sensors];
        sensors[index] = new SensorProfile
        {
            Id = s.Id, Kind = s.Kind, Readings = s.Readings, File = csv, Speed = s.Speed, Loop = false,
            Attempts = s.Attempts, BackoffMs = s.BackoffMs, StuckAfter = s.StuckAfter,
        };
        var changed = new DeviceProfile
        {
            Name = p.Name, Model = p.Model, SamplePeriodSeconds = p.SamplePeriodSeconds, Sensors = sensors,
            Outputs = p.Outputs, Alarm = p.Alarm, State = p.State,
        };
        return profile with { Profile = changed };
    }
}
