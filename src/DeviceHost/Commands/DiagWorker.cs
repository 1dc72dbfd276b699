using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using EdgeRnn.Deployment.Cli;
using EdgeRnn.Deployment.Metadata;
using EdgeRnn.DeviceHost.IO;
using EdgeRnn.DeviceHost.Loop;
using EdgeRnn.DeviceHost.Profiles;
using EdgeRnn.DeviceHost.Sensors;
using EdgeRnn.Runtime;

namespace EdgeRnn.DeviceHost.Commands;

/// <summary>
/// The <c>diag</c> command, for a field technician: the machine (architecture, SIMD, I2C buses, GPIO chips), the
/// model (hash, features, golden check), whether the profile fits it (features, units, period, and that it streams
/// a forecast of its input: everything <c>run</c> checks at start), one read from every sensor, whether the state and
/// event-log folders can be written, whether the alarm pin's GPIO chip is there, and the state file.
/// <c>--bench</c> times the model's streaming step in this binary (median of 1000-step blocks), with the bytes
/// allocated and garbage collections during the timed steps, and the process's resident memory.
/// Exit codes: 0 everything checked is fine, 1 something is wrong (listed), 2 the profile cannot be read.
/// </summary>
internal static class DiagWorker
{
    public static int Run(string? profilePath, string? modelPath, bool bench, int benchSteps, TextWriter stdout, TextWriter stderr, DeviceEnvironment environment, int benchStreams = 1)
    {
        int problems = 0;
        stdout.WriteLine($"machine  {RuntimeInformation.OSDescription}, {RuntimeInformation.ProcessArchitecture}, {Environment.ProcessorCount} cores, "
            + $"{RuntimeInformation.FrameworkDescription}{(RuntimeFeature() ? "" : " (JIT)")}");
        stdout.WriteLine($"simd     Vector128 {Vector128.IsHardwareAccelerated}, Vector256 {Vector256.IsHardwareAccelerated}, Vector512 {Vector512.IsHardwareAccelerated}"
            + (System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported ? ", AdvSimd" : "") + (System.Runtime.Intrinsics.Arm.Dp.IsSupported ? ", Dp (SDOT)" : ""));
        bool unitsOk = CheckUnits(out string units);
        problems += unitsOk ? 0 : 1;
        stdout.WriteLine((unitsOk ? "units    " : "PROBLEM  units ") + units);
        stdout.WriteLine($"i2c      {List("/dev", "i2c-*")}");
        stdout.WriteLine($"gpio     {List("/dev", "gpiochip*")}");

        LoadedProfile? profile = null;
        if (profilePath is not null)
        {
            try
            {
                profile = ProfileLoader.Load(profilePath);
                modelPath ??= profile.Resolve(profile.Profile.Model);
                stdout.WriteLine($"profile  {profile.FullPath} ({profile.Profile.Name}): valid");
            }
            catch (ProfileException e)
            {
                stderr.WriteLine("error: " + ErrorText.Sanitize(e.Message, 2000));
                return ToolExitCodes.BadInput;
            }
        }

        RnnModel? model = null;
        if (modelPath is not null)
        {
            try
            {
                model = RnnModel.Load(modelPath);
                EdgeRnnMetadata? metadata = EdgeRnnMetadata.Read(model.Metadata, modelPath);
                stdout.WriteLine($"model    {modelPath}: sha256 {model.HashHex[..16]}..., {model.OperatorSummary}, "
                    + (model.CanStream ? $"streams {string.Join(", ", model.StepInputs.Select(v => $"{v.Name}[{v.Length}]"))}" : "cannot stream: " + model.StreamingError));
                if (metadata is not null)
                {
                    stdout.WriteLine($"features {string.Join(", ", metadata.Features.Select(f => string.Create(CultureInfo.InvariantCulture, $"{f.Name} [{f.Unit}] mean {f.Mean:G4} std {f.Std:G4}")))}");
                    if (metadata.Golden is { } golden)
                    {
                        GoldenCheckResult g = GoldenCheck.Run(model, golden);
                        problems += g.Passed ? 0 : 1;
                        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"golden   max abs error {g.MaxAbsError:G3} over {g.Steps} steps: {(g.Passed ? "PASSED" : "FAILED")}"));
                    }
                }

                if (profile is not null)
                {
                    ProfileLoader.CheckAgainstModel(profile.Profile, metadata, profile.FullPath, modelPath);
                    DeviceLoop.CheckStreamsForecast(model, metadata!.Features.Count, modelPath);
                    stdout.WriteLine("fit      the profile's features, units and sample period match the model, which streams a forecast of them");
                }
            }
            catch (Exception e) when (e is ProfileException or ModelFormatException or IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
            {
                problems++;
                stdout.WriteLine("PROBLEM  " + (e is ProfileException or ModelFormatException ? ErrorText.Sanitize(e.Message, 2000) : $"{modelPath}: {ErrorText.Describe(e)}"));
            }
        }

        if (profile is not null)
        {
            problems += CheckSensors(profile, stdout, environment);
            problems += CheckWritable(profile, stdout);
            problems += CheckAlarmPin(profile, stdout, environment);
            problems += CheckState(profile, model, stdout);
            problems += Telemetry.TelemetryDiag.Check(profile, stdout);
        }

        if (bench && model is not null && model.CanStream)
        {
            Bench(model, benchSteps, stdout);
            if (benchStreams > 1)
            {
                BenchStreams(model, benchStreams, benchSteps, stdout);
            }
        }

        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"memory   RSS {ResidentMegabytes():0.0} MB"));
        stdout.WriteLine(problems == 0 ? "OK" : $"{problems} problem(s)");
        return problems == 0 ? ToolExitCodes.Success : 1;
    }

    /// <summary>
    /// Every unit conversion a sensor kind offers (each channel and unit of every kind in <see cref="SensorKinds.All"/>),
    /// done by the code the sensors use on the quantity's reference value, checked in this binary: NativeAOT trimming
    /// and the UnitsNet substitutions (ILLink.Substitutions.UnitsNet.xml) must not have broken one.
    /// </summary>
    internal static bool CheckUnits(out string report)
    {
        int checks = 0;
        var wrong = new List<string>();
        var references = new List<string>();
        foreach (SensorKind kind in SensorKinds.All)
        {
            foreach (SensorChannel channel in kind.Channels ?? [])
            {
                if (!references.Contains(channel.Quantity.ReferenceText))
                {
                    references.Add(channel.Quantity.ReferenceText);
                }

                foreach (string unit in channel.Units)
                {
                    checks++;
                    try
                    {
                        (double actual, double expected) = channel.Quantity.ConvertReference(unit);
                        if (!(Math.Abs(actual - expected) <= 1e-9 * Math.Max(1, Math.Abs(expected))))
                        {
                            wrong.Add(string.Create(CultureInfo.InvariantCulture, $"{kind.Name} {channel.Reading} in {unit} gives {actual}, not {expected}"));
                        }
                    }
                    catch (Exception e) when (e is UnitsNet.UnitsNetException or InvalidOperationException or NotSupportedException or ArgumentException or TypeInitializationException)
                    {
                        wrong.Add($"{kind.Name} {channel.Reading} in {unit} failed: {e.GetType().Name}: {e.Message}");
                    }
                }
            }
        }

        report = wrong.Count == 0
            ? $"{string.Join(", ", references)}: {checks} sensor unit conversions ok"
            : $"{wrong.Count} of {checks} sensor unit conversions wrong: {string.Join("; ", wrong)}";
        return wrong.Count == 0;
    }

    private static bool RuntimeFeature() => !System.Runtime.CompilerServices.RuntimeFeature.IsDynamicCodeCompiled;

    private static int CheckSensors(LoadedProfile profile, TextWriter stdout, DeviceEnvironment environment)
    {
        int problems = 0;
        SensorFactory factory = environment.Sensors;
        foreach (SensorProfile s in profile.Profile.Sensors)
        {
            string where = SensorKinds.Get(s.Kind) is I2cSensorKind chip ? " on " + chip.Describe(s) : "";
            try
            {
                using ISensor sensor = factory.Open(s, profile);
                var values = new float[sensor.Count];
                bool any = sensor.Read(values);
                stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"sensor   {s.Id} ({s.Kind}{where}): {(any ? string.Join(", ", s.Readings.Select((r, i) => $"{r.Reading} {values[i]:G6} {r.Unit}")) : "no data")}"));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or PlatformNotSupportedException or ArgumentException)
            {
                problems++;
                stdout.WriteLine($"PROBLEM  sensor {ErrorText.Sanitize(s.Id)} ({s.Kind}{where}): {ErrorText.Describe(e)}");
            }
        }

        return problems;
    }

    private static int CheckState(LoadedProfile profile, RnnModel? model, TextWriter stdout)
    {
        if (profile.Profile.State is not { } st || model is null)
        {
            return 0;
        }

        string path = profile.Resolve(st.Path);
        if (!File.Exists(path))
        {
            stdout.WriteLine($"state    {path}: none yet (the loop starts fresh)");
            return 0;
        }

        try
        {
            DeviceLoop loop = DeviceLoop.Open(profile, new DeviceEnvironment { OpenI2c = (_, _) => throw new IOException("not opened by diag") });
            using (loop)
            {
                loop.Store!.TryRestore(loop.State, loop.Detector);
                stdout.WriteLine($"state    {path}: valid, {loop.State.StepCount} model steps, {loop.Detector.Steps} scored, anomaly {(loop.Detector.Active ? "active" : "not active")}");
            }

            return 0;
        }
        catch (Exception e) when (e is InvalidDataException or IOException or ProfileException or UnauthorizedAccessException or ArgumentException)
        {
            stdout.WriteLine($"PROBLEM  state {path}: {ErrorText.Describe(e)} (run discards it at start)");
            return 1;
        }
    }

    /// <summary>
    /// The state file's and the event log's folders must take new files (run writes the state through a temporary
    /// file and a rename, and creates missing folders): probed by creating and deleting a file in the folder, or in
    /// the nearest folder that exists. A read-only or full disk would make run count a fault at every save.
    /// </summary>
    private static int CheckWritable(LoadedProfile profile, TextWriter stdout)
    {
        int problems = 0;
        DeviceProfile p = profile.Profile;
        foreach ((string what, string? path) in new[] { ("state", p.State?.Path), ("event log", p.Outputs.EventLog?.Path) })
        {
            if (path is null)
            {
                continue;
            }

            string file = profile.Resolve(path);
            string? problem = ProbeFolder(Path.GetDirectoryName(file)!);
            if (problem is null)
            {
                stdout.WriteLine($"writable {what} folder {Path.GetDirectoryName(file)}");
            }
            else
            {
                problems++;
                stdout.WriteLine($"PROBLEM  {what} {file}: {problem}; run would count a fault at every {(what == "state" ? "save" : "event")}");
            }
        }

        return problems;
    }

    /// <summary>Null when a file can be created in <paramref name="folder"/> (or in the nearest existing folder above it), else why not.</summary>
    internal static string? ProbeFolder(string folder)
    {
        string existing = folder;
        while (!Directory.Exists(existing))
        {
            if (File.Exists(existing))
            {
                return $"{existing} is a file, not a folder";
            }

            string? parent = Path.GetDirectoryName(existing);
            if (parent is null)
            {
                return $"no folder of {folder} exists";
            }

            existing = parent;
        }

        string probe = Path.Combine(existing, $".edgernn-diag-{Environment.ProcessId}.tmp");
        try
        {
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose))
            {
            }

            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"cannot create a file in {existing}: {ErrorText.Describe(e)}";
        }
    }

    /// <summary>
    /// The alarm pin's GPIO controller must open and have the pin; the pin itself is not opened (diag must not drive
    /// the alarm of a running device). Without it run still runs, with the alarm as a degraded output.
    /// </summary>
    private static int CheckAlarmPin(LoadedProfile profile, TextWriter stdout, DeviceEnvironment environment)
    {
        if (profile.Profile.Outputs.AlarmPin is not { } pin)
        {
            return 0;
        }

        try
        {
            using System.Device.Gpio.GpioController controller = environment.OpenGpio();
            int count = controller.PinCount;
            if (pin.Pin >= count)
            {
                stdout.WriteLine($"PROBLEM  alarm pin GPIO {pin.Pin}: the GPIO controller has {count} pins; run would report the alarm as a degraded output");
                return 1;
            }

            stdout.WriteLine($"alarm    GPIO {pin.Pin}: the GPIO controller opens ({count} pins)");
            return 0;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Whatever the GPIO driver throws when there is no chip (it differs between drivers and versions).
            stdout.WriteLine($"PROBLEM  alarm pin GPIO {pin.Pin}: no usable GPIO controller ({ErrorText.Describe(e)}); run would report the alarm as a degraded output");
            return 1;
        }
    }

    private static void Bench(RnnModel model, int steps, TextWriter stdout)
    {
        RnnState state = model.CreateState();
        float[] input = BenchInputs(model.StepInputs[0].Length);
        var output = new float[model.StepOutputs[0].Length];

        for (int i = 0; i < 200; i++)
        {
            model.Step(state, input, output);
        }

        const int Block = 1000;
        int blocks = Math.Max(1, steps / Block);
        var perStep = new double[blocks];
        long allocated = GC.GetAllocatedBytesForCurrentThread();
        int gcs = GC.CollectionCount(0);
        for (int b = 0; b < blocks; b++)
        {
            long t0 = Stopwatch.GetTimestamp();
            for (int i = 0; i < Block; i++)
            {
                model.Step(state, input, output);
            }

            perStep[b] = Stopwatch.GetElapsedTime(t0).TotalMicroseconds / Block;
        }

        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
        gcs = GC.CollectionCount(0) - gcs;
        Array.Sort(perStep);
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"bench    {blocks * Block} steps: median {perStep[blocks / 2]:0.000} us/step (min {perStep[0]:0.000}, max {perStep[^1]:0.000} per 1000-step block), "
            + $"{(double)allocated / (blocks * Block):0.##} bytes allocated per step, {gcs} gen0 GCs"));
    }

    /// <summary>
    /// Times <paramref name="count"/> streams per call against as many separate steps, in alternating rounds so the ratio
    /// comes from the same moments of the machine; the headline is the median over rounds.
    /// </summary>
    private static void BenchStreams(RnnModel model, int count, int steps, TextWriter stdout)
    {
        RnnStreams streams = model.CreateStreams(count);
        RnnState[] states = new RnnState[count];
        for (int s = 0; s < count; s++)
        {
            states[s] = model.CreateState();
        }

        int inLength = model.StepInputs[0].Length, outLength = model.StepOutputs[0].Length;
        float[] inputs = BenchInputs(count * inLength);
        var outputs = new float[count * outLength];

        int callsPerRound = Math.Max(1, 1000 / count);
        int rounds = Math.Max(3, steps / (callsPerRound * count));
        var perCall = new double[rounds];
        var ratio = new double[rounds];
        RunRound(callsPerRound); // warm-up
        long allocated = GC.GetAllocatedBytesForCurrentThread();
        for (int r = 0; r < rounds; r++)
        {
            (double batched, double separate) = RunRound(callsPerRound, separateFirst: r % 2 == 1);
            perCall[r] = batched;
            ratio[r] = separate / batched;
        }

        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
        Array.Sort(perCall);
        Array.Sort(ratio);
        double median = perCall[rounds / 2];
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"streams  {count} per call, {rounds} rounds: median {median:0.000} us per call, {median / count:0.000} us per stream-step, "
            + $"{ratio[rounds / 2]:0.00}x the throughput of {count} separate steps (range {ratio[0]:0.00}-{ratio[^1]:0.00}), "
            + $"{(double)allocated / (2.0 * rounds * callsPerRound):0.##} bytes allocated per call"));

        (double Batched, double Separate) RunRound(int calls, bool separateFirst = false)
        {
            double batched = 0, separate = 0;
            for (int pass = 0; pass < 2; pass++)
            {
                long t0 = Stopwatch.GetTimestamp();
                if ((pass == 0) != separateFirst)
                {
                    for (int c = 0; c < calls; c++)
                    {
                        model.Step(streams, inputs, outputs);
                    }

                    batched = Stopwatch.GetElapsedTime(t0).TotalMicroseconds / calls;
                }
                else
                {
                    for (int c = 0; c < calls; c++)
                    {
                        for (int s = 0; s < count; s++)
                        {
                            model.Step(states[s], inputs.AsSpan(s * inLength, inLength), outputs.AsSpan(s * outLength, outLength));
                        }
                    }

                    separate = Stopwatch.GetElapsedTime(t0).TotalMicroseconds / calls;
                }
            }

            return (batched, separate);
        }
    }

    /// <summary>The benchmarks' fixed inputs: uniform in ±0.5, seed 1.</summary>
    private static float[] BenchInputs(int length)
    {
        var random = new Random(1);
        var values = new float[length];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = random.NextSingle() - 0.5f;
        }

        return values;
    }

    internal static double ResidentMegabytes()
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    return double.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture) / 1024;
                }
            }
        }
        catch (IOException)
        {
        }

        return Environment.WorkingSet / (1024.0 * 1024.0);
    }

    private static string List(string folder, string pattern)
    {
        try
        {
            string[] found = Directory.Exists(folder) ? Directory.GetFiles(folder, pattern) : [];
            return found.Length == 0 ? "none" : string.Join(", ", found.Order(StringComparer.Ordinal));
        }
        catch (UnauthorizedAccessException)
        {
            return "unknown";
        }
    }
}
