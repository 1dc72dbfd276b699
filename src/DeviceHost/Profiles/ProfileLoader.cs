using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using System.Text.Json;
using EdgeRnn.Deployment.Metadata;
using EdgeRnn.DeviceHost.IO;
using EdgeRnn.DeviceHost.Sensors;
using EdgeRnn.DeviceHost.State;
using EdgeRnn.Runtime;

namespace EdgeRnn.DeviceHost.Profiles;

/// <summary>Reads device profiles strictly and checks them against a model's metadata before anything runs.</summary>
internal static class ProfileLoader
{
    /// <summary>The longest sample period, and the longest wait between samples of a slowed-down replay: a week.</summary>
    public const double MaxPeriodSeconds = 7 * 24 * 3600;

    /// <summary>The largest profile file read (a profile is a few KB).</summary>
    private const int MaxProfileBytes = 1 << 20;

    /// <summary>The longest path Linux opens (PATH_MAX, 4096 bytes with its terminating NUL).</summary>
    private const int MaxPathBytes = 4095;

    /// <summary>The longest file name (NAME_MAX).</summary>
    private const int MaxNameBytes = 255;

    /// <summary>What the device adds to the state file's name: a save's temporary file, <c>.{name}.{32 hex}.tmp</c>.</summary>
    private const int StateNameReserve = 38;

    /// <summary>What the device adds to the event log's name: a rotated file (.100) and the lock file (.lock).</summary>
    private const int LogNameReserve = 5;

    /// <summary>Reads and validates a profile file; relative paths in it are made absolute against its folder.</summary>
    /// <exception cref="ProfileException">The file is missing, not JSON, has unknown or missing fields, or a bad value.</exception>
    public static LoadedProfile Load(string path)
    {
        string shown = ErrorText.Sanitize(path);
        if (path.Length == 0 || path.Contains('\0', StringComparison.Ordinal))
        {
            throw new ProfileException($"{shown}: --profile must be a file path without NUL characters.");
        }

        string full = Path.GetFullPath(path);
        string text;
        try
        {
            if (Directory.Exists(full))
            {
                throw new ProfileException($"{shown}: is a folder; --profile takes a profile file (devices/*.json).");
            }

            if (new FileInfo(full).Length > MaxProfileBytes)
            {
                throw new ProfileException($"{shown}: the profile is larger than {MaxProfileBytes / 1024} KB; it is not a device profile.");
            }

            text = File.ReadAllText(full);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ProfileException($"{shown}: cannot read the profile: {(e is FileNotFoundException or DirectoryNotFoundException ? "the file does not exist" : ErrorText.Describe(e))}.", e);
        }

        DeviceProfile profile = Parse(text, shown);
        var loaded = new LoadedProfile(profile, full, Path.GetDirectoryName(full)!);
        IReadOnlyList<(string Folder, string Why)> writable = WritableFolders.For(loaded.Directory);
        ValidatePaths(loaded, shown, writable);
        Telemetry.MqttProfileCheck.ValidateFiles(loaded, writable, (condition, field, what) => Check(condition, shown, field, what));
        return loaded;
    }

    /// <summary>
    /// Checks the profile's files against the file system and each other: the state file and the event log must be
    /// paths a file can have (not a folder, not too long for the names the device derives from them), inside the folders
    /// a profile may write to (<see cref="WritableFolders"/>), and must not be the same file as each other, the model or
    /// a replay file.
    /// </summary>
    private static void ValidatePaths(LoadedProfile loaded, string src, IReadOnlyList<(string Folder, string Why)> writable)
    {
        DeviceProfile p = loaded.Profile;
        string model = loaded.Resolve(p.Model);
        var inputs = new List<(string Field, string Path)> { ("$.model", model) };
        for (int i = 0; i < p.Sensors.Length; i++)
        {
            if (p.Sensors[i].File is { } file)
            {
                inputs.Add(($"$.sensors[{i}].file", loaded.Resolve(file)));
            }
        }

        string? state = null;
        if (p.State is { } st)
        {
            state = loaded.Resolve(st.Path);
            CheckWritablePath(src, "$.state.path", st.Path, state, StateNameReserve, writable);
            CheckNotInput(src, "$.state.path", state, inputs);
        }

        if (p.Outputs.EventLog is { } log)
        {
            string events = loaded.Resolve(log.Path);
            CheckWritablePath(src, "$.outputs.eventLog.path", log.Path, events, LogNameReserve, writable);
            CheckNotInput(src, "$.outputs.eventLog.path", events, inputs);
            if (state is not null && (events == state || Enumerable.Range(1, log.Keep).Any(k => state == string.Create(CultureInfo.InvariantCulture, $"{events}.{k}"))
                || InstanceLock.PathFor(state) == events))
            {
                throw new ProfileException($"{src}: $.outputs.eventLog.path: is the state file ($.state.path), or one of its rotated files is; the log would overwrite the state. Give them different paths.");
            }
        }
    }

    private static void CheckWritablePath(string src, string field, string given, string resolved, int reserve, IReadOnlyList<(string Folder, string Why)> writable)
    {
        string name = Path.GetFileName(resolved);
        Check(Encoding.UTF8.GetByteCount(resolved) <= MaxPathBytes - reserve, src, field, $"the path is too long ({Encoding.UTF8.GetByteCount(resolved)} bytes; at most {MaxPathBytes - reserve})");
        Check(name.Length > 0 && !given.EndsWith('/'), src, field, $"'{ErrorText.Sanitize(given)}' names a folder; give a file path");
        Check(Encoding.UTF8.GetByteCount(name) <= MaxNameBytes - reserve, src, field,
            $"the file name is too long ({Encoding.UTF8.GetByteCount(name)} bytes; at most {MaxNameBytes - reserve}, the device adds to it)");
        foreach (string part in resolved.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            Check(Encoding.UTF8.GetByteCount(part) <= MaxNameBytes, src, field, $"a folder name on the path is longer than {MaxNameBytes} bytes");
        }

        Check(!Directory.Exists(resolved), src, field, $"{ErrorText.Sanitize(resolved)} is a folder; give a file path inside it");
        string? refusal = WritableFolders.Refusal(resolved, writable);
        Check(refusal is null, src, field, refusal!);
    }

    private static void CheckNotInput(string src, string field, string resolved, List<(string Field, string Path)> inputs)
    {
        foreach ((string inputField, string input) in inputs)
        {
            Check(resolved != input, src, field, $"is the same file as {inputField}; the device would overwrite it");
        }
    }

    /// <summary>Parses and validates profile JSON.</summary>
    public static DeviceProfile Parse(string json, string sourceName)
    {
        DeviceProfile? profile;
        try
        {
            profile = JsonSerializer.Deserialize(json, ProfileJsonContext.Default.DeviceProfile);
        }
        catch (JsonException e)
        {
            string what = ProfileJsonErrors.Describe(json, e, ProfileJsonContext.Default.DeviceProfile);
            throw new ProfileException($"{sourceName}: {what}{(what.EndsWith('?') || what.EndsWith('.') ? "" : ".")}", e);
        }

        if (profile is null)
        {
            throw new ProfileException($"{sourceName}: the profile is null.");
        }

        Validate(profile, sourceName);
        return profile;
    }

    private static void Validate(DeviceProfile p, string src)
    {
        Check(p.Name.Length > 0, src, "$.name", "must not be empty");
        Check(p.Model.Length > 0, src, "$.model", "must name the model file");
        Check(double.IsFinite(p.SamplePeriodSeconds) && p.SamplePeriodSeconds > 0 && p.SamplePeriodSeconds <= MaxPeriodSeconds, src, "$.samplePeriodSeconds",
            string.Create(CultureInfo.InvariantCulture, $"must be a positive number of seconds, at most {MaxPeriodSeconds} (a week) (got {p.SamplePeriodSeconds})"));
        CheckPath(src, "$.model", p.Model);
        Check(p.Sensors.Length > 0, src, "$.sensors", "must list at least one sensor");
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var features = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < p.Sensors.Length; i++)
        {
            SensorProfile s = p.Sensors[i];
            string at = $"$.sensors[{i}]";

            // JSON's null is legal inside an array whatever the element type says.
            Check(s is not null, src, at, "must be a sensor object, not null");
            Check(s.Id.Length > 0 && ids.Add(s.Id), src, at + ".id", $"must be non-empty and unique ('{s.Id}')");
            SensorKind? found = SensorKinds.Find(s.Kind);
            if (found is null)
            {
                Check(false, src, at + ".kind", SensorKinds.Unknown(s.Kind));
            }

            SensorKind kind = found!;
            foreach (SensorOption option in SensorKinds.Options)
            {
                Check(!option.IsSet(s) || kind.Takes(option), src, $"{at}.{option.Name}", $"applies only to {SensorKinds.OwnersOf(option)}, not '{s.Kind}'");
            }

            kind.Validate(s, (condition, field, what) => Check(condition, src, at + field, what));
            Check(s.Speed is null || (double.IsFinite(s.Speed.Value) && s.Speed >= 0), src, at + ".speed", $"must be >= 0 (got {s.Speed})");
            // The loop waits samplePeriodSeconds / speed between samples: a tiny speed would wait for months (and once
            // crashed the wait on the second sample), so the wait is bounded like the period.
            Check(s.Speed is null or 0 || p.SamplePeriodSeconds / s.Speed <= MaxPeriodSeconds, src, at + ".speed", string.Create(CultureInfo.InvariantCulture,
                $"{s.Speed} makes the loop wait {p.SamplePeriodSeconds / s.Speed:G4} s between samples; at most {MaxPeriodSeconds} s (a week), so speed must be 0 (unpaced) or at least {p.SamplePeriodSeconds / MaxPeriodSeconds:G4}"));
            if (s.File is not null)
            {
                CheckPath(src, at + ".file", s.File);
            }

            Check(s.Attempts is null or (>= 1 and <= 10), src, at + ".attempts", $"must be 1 to 10 (got {s.Attempts})");
            Check(s.BackoffMs is null or (>= 0 and <= 1000), src, at + ".backoffMs", $"must be 0 to 1000 (got {s.BackoffMs})");
            Check(s.StuckAfter is null or >= 0, src, at + ".stuckAfter", $"must be >= 0 (got {s.StuckAfter})");
            Check(s.Readings.Length > 0, src, at + ".readings", "must map at least one reading to a feature");
            for (int r = 0; r < s.Readings.Length; r++)
            {
                ReadingProfile reading = s.Readings[r];
                string rat = $"{at}.readings[{r}]";
                Check(reading is not null, src, rat, "must be a reading object, not null");
                Check(reading.Reading.Length > 0, src, rat + ".reading", "must not be empty");
                Check(reading.Feature.Length > 0 && features.Add(reading.Feature), src, rat + ".feature", $"must be non-empty and used once ('{reading.Feature}')");
                SensorChannel? channel = kind.Channel(reading.Reading);
                if (kind.Channels is not null)
                {
                    if (channel is null)
                    {
                        Check(false, src, rat + ".reading", $"'{reading.Reading}' is not a reading of {s.Kind} ({ReadingNames(kind.Channels)})");
                    }

                    Check(channel!.Quantity.Has(reading.Unit), src, rat + ".unit", $"{s.Kind} {reading.Reading} comes in {string.Join(", ", channel.Units)}, not '{reading.Unit}'");
                }

                Check(reading.Min is null || reading.Max is null || reading.Min < reading.Max, src, rat, $"min ({reading.Min}) must be below max ({reading.Max})");
                if (channel is not null)
                {
                    CheckFullScale(src, rat, kind, s, channel, reading);
                }
            }
        }

        Check(p.Outputs.Console is "events" or "steps" or "off", src, "$.outputs.console", $"'{p.Outputs.Console}' is not one of events, steps, off");
        if (p.Outputs.EventLog is { } log)
        {
            Check(log.Path.Length > 0, src, "$.outputs.eventLog.path", "must not be empty");
            CheckPath(src, "$.outputs.eventLog.path", log.Path);
            Check(log.MaxBytes >= 1024, src, "$.outputs.eventLog.maxBytes", $"must be at least 1024 (got {log.MaxBytes})");
            Check(log.Keep is >= 1 and <= 100, src, "$.outputs.eventLog.keep", $"must be 1 to 100 (got {log.Keep})");
        }

        Check(p.Outputs.AlarmPin is null || p.Outputs.AlarmPin.Pin is >= 0 and < 1024, src, "$.outputs.alarmPin.pin", $"must be a GPIO number (got {p.Outputs.AlarmPin?.Pin})");
        Check(p.Alarm.Threshold is null or (> 0 and <= 1), src, "$.alarm.threshold", $"must be in (0, 1] (got {p.Alarm.Threshold})");
        Check(p.Alarm.ExitThreshold is null or (> 0 and <= 1), src, "$.alarm.exitThreshold", $"must be in (0, 1] (got {p.Alarm.ExitThreshold})");
        Check(p.Alarm.MinDuration is null or >= 1, src, "$.alarm.minDuration", $"must be >= 1 (got {p.Alarm.MinDuration})");
        if (p.State is { } state)
        {
            Check(state.Path.Length > 0, src, "$.state.path", "must not be empty");
            CheckPath(src, "$.state.path", state.Path);
            Check(state.SaveEverySteps >= 1, src, "$.state.saveEverySteps", $"must be >= 1 (got {state.SaveEverySteps})");
        }

        if (p.Mqtt is { } mqtt)
        {
            Telemetry.MqttProfileCheck.Validate(mqtt, (condition, field, what) => Check(condition, src, field, what));
        }
    }

    /// <summary>
    /// Checks that the profile's features are the model's, in the same order and units, at the model's sample period,
    /// and that the model is a forecaster with scorer settings. Returns the scorer settings with the alarm policy applied.
    /// </summary>
    /// <exception cref="ProfileException">Names the first mismatch.</exception>
    public static ScorerSettings CheckAgainstModel(DeviceProfile p, EdgeRnnMetadata? metadata, string profileName, string modelName)
    {
        string Where() => $"{profileName} does not fit {modelName}";
        if (metadata is null)
        {
            throw new ProfileException($"{Where()}: the model has no edgernn.* metadata (features, normalization, scorer), so the device cannot use it.");
        }

        if (metadata.Task != ModelTask.Forecast)
        {
            throw new ProfileException($"{Where()}: the model's task is {metadata.Task}; the device loop runs forecast models.");
        }

        string[] profileFeatures = [.. p.Sensors.SelectMany(s => s.Readings).Select(r => r.Feature)];
        // Clock features (time.*) come last and are computed by the device, not read: the profile maps the rest.
        int sensorFeatures;
        try
        {
            sensorFeatures = TimeFeatures.SensorFeatureCount(metadata.Features);
        }
        catch (ModelFormatException e)
        {
            throw new ProfileException($"{Where()}: {e.Message}", e);
        }

        string[] modelFeatures = [.. metadata.Features.Take(sensorFeatures).Select(f => f.Name)];
        if (profileFeatures.Length != modelFeatures.Length)
        {
            throw new ProfileException($"{Where()}: the profile maps {profileFeatures.Length} features ({string.Join(", ", profileFeatures)}); "
                + $"the model takes {modelFeatures.Length} ({string.Join(", ", modelFeatures)}).");
        }

        ReadingProfile[] readings = [.. p.Sensors.SelectMany(s => s.Readings)];
        for (int i = 0; i < modelFeatures.Length; i++)
        {
            if (profileFeatures[i] != modelFeatures[i])
            {
                string hint = modelFeatures.Contains(profileFeatures[i]) ? " (same names, different order: list the readings in the model's order)" : "";
                throw new ProfileException($"{Where()}: feature {i} is '{profileFeatures[i]}' in the profile but '{modelFeatures[i]}' in the model{hint}.");
            }

            string unit = metadata.Features[i].Unit;
            if (unit.Length > 0 && readings[i].Unit != unit)
            {
                throw new ProfileException($"{Where()}: feature '{modelFeatures[i]}' is in '{readings[i].Unit}' in the profile but the model was trained on '{unit}'.");
            }
        }

        if (metadata.SamplePeriodSeconds is { } period && Math.Abs(period - p.SamplePeriodSeconds) > 1e-9 * Math.Max(1, period))
        {
            throw new ProfileException(string.Create(CultureInfo.InvariantCulture,
                $"{Where()}: the profile samples every {p.SamplePeriodSeconds} s but the model was trained at one sample every {period} s."));
        }

        ScorerSettings model = metadata.Scorer ?? new ScorerSettings();
        ScorerSettings settings = model with
        {
            Threshold = p.Alarm.Threshold ?? model.Threshold,
            ExitThreshold = p.Alarm.ExitThreshold ?? Math.Min(model.ExitThreshold, p.Alarm.Threshold ?? model.Threshold),
            MinDuration = p.Alarm.MinDuration ?? model.MinDuration,
        };
        try
        {
            settings.Validate($"{profileName}: $.alarm");
        }
        catch (ModelFormatException e)
        {
            throw new ProfileException(e.Message, e);
        }

        return settings;
    }

    /// <summary>
    /// A plausibility band (min, max) must overlap what the channel can read at the sensor's settings (its full-scale
    /// range): a band beyond it would count every sample as out of range.
    /// </summary>
    private static void CheckFullScale(string src, string at, SensorKind kind, SensorProfile sensor, SensorChannel channel, ReadingProfile reading)
    {
        (double min, double max) = kind.FullScale(sensor, channel);
        double a = channel.Quantity.Convert(min, reading.Unit), b = channel.Quantity.Convert(max, reading.Unit);
        (min, max) = (Math.Min(a, b), Math.Max(a, b));
        bool belowTop = reading.Min is null || reading.Min < max, aboveBottom = reading.Max is null || reading.Max > min;
        if (!belowTop || !aboveBottom)
        {
            string range = string.Create(CultureInfo.InvariantCulture, $"{kind.Name} {reading.Reading} reads {min:G6} to {max:G6} {reading.Unit}");
            Check(belowTop, src, at + ".min", string.Create(CultureInfo.InvariantCulture, $"{reading.Min} is not below the top of the range ({range}), so every sample would be out of range"));
            Check(aboveBottom, src, at + ".max", string.Create(CultureInfo.InvariantCulture, $"{reading.Max} is not above the bottom of the range ({range}), so every sample would be out of range"));
        }
    }

    private static string ReadingNames(SensorChannel[] channels)
    {
        var names = new string[channels.Length];
        for (int i = 0; i < names.Length; i++)
        {
            names[i] = channels[i].Reading;
        }

        return string.Join(", ", names);
    }

    /// <summary>A path from the profile must be one the OS can take: no NUL (Linux paths end at the first NUL).</summary>
    private static void CheckPath(string src, string field, string path) =>
        Check(!path.Contains('\0', StringComparison.Ordinal), src, field, $"'{ErrorText.Sanitize(path)}' contains a NUL character, which no file path can hold");

    private static void Check([DoesNotReturnIf(false)] bool condition, string source, string field, string what)
    {
        if (!condition)
        {
            throw new ProfileException($"{source}: {field}: {what}.");
        }
    }
}

/// <summary>A validated profile with its absolute location.</summary>
internal sealed record LoadedProfile(DeviceProfile Profile, string FullPath, string Directory)
{
    /// <summary>Resolves a path from the profile against the profile's folder.</summary>
    public string Resolve(string path) => Path.GetFullPath(path, Directory);
}
