using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using EdgeRnn.Deployment.Cli;
using EdgeRnn.DeviceHost.IO;
using EdgeRnn.DeviceHost.LiveConsole;
using EdgeRnn.DeviceHost.Loop;
using EdgeRnn.DeviceHost.Outputs;
using EdgeRnn.DeviceHost.Profiles;
using EdgeRnn.DeviceHost.Sensors;
using EdgeRnn.DeviceHost.State;
using EdgeRnn.DeviceHost.Systemd;

namespace EdgeRnn.DeviceHost.Commands;

/// <summary>
/// The <c>run</c> command: the device loop at the profile's rate until SIGTERM / Ctrl+C (or the end of a replay, or
/// <c>--max-steps</c>), with state restored at start and saved periodically and at the end.
/// </summary>
/// <remarks>
/// Exit codes: 0 stopped normally (a signal, <c>--max-steps</c>, the end of a replay; also when the last save failed,
/// which is reported as a fault); 2 the profile or model is bad or they do not fit (restarting cannot help);
/// 3 another <c>run</c> holds the profile's lock. Faults while running (sensors, outputs, state saves) never end the
/// loop: they are counted, reported as events and in the systemd status, and retried.
/// </remarks>
internal static class RunWorker
{
    public static int Run(string profilePath, long? maxSteps, TextWriter stdout, TextWriter stderr, DeviceEnvironment environment, CancellationToken cancel = default)
    {
        long started = Stopwatch.GetTimestamp();
        LoadedProfile profile;
        DeviceLoop loop;
        try
        {
            profile = ProfileLoader.Load(profilePath);
            loop = DeviceLoop.Open(profile, environment);
        }
        catch (ProfileException e)
        {
            stderr.WriteLine("error: " + ErrorText.Sanitize(e.Message, 2000));
            return ToolExitCodes.BadInput;
        }

        DeviceProfile p = profile.Profile;
        using (loop)
        {
            string? guarded = p.State is { } st ? profile.Resolve(st.Path) : p.Outputs.EventLog is { } log ? profile.Resolve(log.Path) : null;
            InstanceLock? instance = null;
            string? lockProblem = null;
            if (guarded is not null)
            {
                string lockPath = InstanceLock.PathFor(guarded);
                try
                {
                    instance = InstanceLock.TryAcquire(lockPath, out int holder);
                    if (instance is null)
                    {
                        stderr.WriteLine($"error: {ErrorText.Sanitize(profile.FullPath)}: already running (pid {(holder > 0 ? holder.ToString(CultureInfo.InvariantCulture) : "unknown")}): "
                            + $"{ErrorText.Sanitize(lockPath)} is locked by the process that owns this profile's state and event log. Stop it first (systemctl stop edgernn-device).");
                        return DeviceExitCodes.AlreadyRunning;
                    }
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // A folder that cannot even hold the lock cannot hold the state either: run, and let the faults say so.
                    lockProblem = $"{lockPath}: cannot take the instance lock: {ErrorText.Describe(e)}; running without it";
                }
            }

            using (instance)
            {
                return RunLocked(loop, profile, maxSteps, stdout, stderr, environment, started, lockProblem, cancel);
            }
        }
    }

    private static int RunLocked(DeviceLoop loop, LoadedProfile profile, long? maxSteps, TextWriter stdout, TextWriter stderr, DeviceEnvironment environment,
        long started, string? lockProblem, CancellationToken cancel)
    {
        DeviceProfile p = profile.Profile;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        using PosixSignalRegistration term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using PosixSignalRegistration interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using SdNotify notify = environment.Notify();
        AddOutputs(loop, p, stdout, environment);
        using ConsoleHost console = ConsoleHost.Attach(loop);
        loop.OpenOutputs();
        if (lockProblem is not null)
        {
            loop.Emit(new DeviceEvent(DeviceEventKind.Warning, 0, DateTimeOffset.UtcNow, Detail: lockProblem));
        }

        if (loop.Store is { } store && store.DeleteOrphanedTemporaryFiles() is { Count: > 0 } removed)
        {
            loop.Emit(new DeviceEvent(DeviceEventKind.Warning, 0, DateTimeOffset.UtcNow,
                Detail: $"removed {removed.Count} temporary state file(s) left by a save that was interrupted (kill -9 or a power cut): {string.Join(", ", removed)}"));
        }

        foreach (string warning in loop.Warnings)
        {
            loop.Emit(new DeviceEvent(DeviceEventKind.Warning, 0, DateTimeOffset.UtcNow, Detail: warning));
        }

        if (console.Serve(ConsoleSocket.ServePath(profile, environment.GetVariable)) is { } consoleProblem)
        {
            loop.Emit(new DeviceEvent(DeviceEventKind.Warning, 0, DateTimeOffset.UtcNow, Detail: consoleProblem));
        }

        loop.RestoreState();
        double speed = p.Sensors.FirstOrDefault(s => s.Speed is not null)?.Speed ?? 1;
        TimeSpan period = speed == 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(p.SamplePeriodSeconds / speed);
        loop.Emit(new DeviceEvent(DeviceEventKind.Started, 0, DateTimeOffset.UtcNow, Detail: string.Create(CultureInfo.InvariantCulture,
            $"profile {p.Name}, model {Path.GetFileName(loop.Model.SourceName)} ({loop.Metadata.Features.Count} feature(s)), one sample every {period.TotalMilliseconds:0.###} ms{(console.Server is { } server ? ", live console at " + server.Path : "")}")));
        using var heartbeat = new ServiceHeartbeat(notify, period, () => Status(loop, p));
        notify.Ready($"running profile {p.Name}");
        heartbeat.Start();
        PeriodicSampler sampler = PeriodicSampler.Create(period, cts.Token);
        console.Source.Sampler = sampler;
        string reason = "stopped by signal";
        const int SteadyAfter = 1000;
        long steadyAllocated = 0;
        int steadyCollections = 0;
        while (sampler.WaitForNext())
        {
            if (loop.Steps == SteadyAfter)
            {
                // Steady state starts once every buffer, sensor and sink has warmed up.
                steadyAllocated = GC.GetAllocatedBytesForCurrentThread();
                steadyCollections = GC.CollectionCount(0);
            }

            if (maxSteps is { } max && loop.Steps >= max)
            {
                reason = $"--max-steps {max} done";
                break;
            }

            if (!loop.Step(out _))
            {
                reason = "end of the replay data";
                break;
            }

            heartbeat.Progress();
            console.RunPending(); // reset / save from a live console, between steps
            if (loop.Steps == 1)
            {
                WriteQuietly(stderr, string.Create(CultureInfo.InvariantCulture,
                    $"first step {Stopwatch.GetElapsedTime(started).TotalMilliseconds:0.0} ms after the command started, {(DateTime.Now - Process.GetCurrentProcess().StartTime).TotalMilliseconds:0.0} ms after the process started"));
            }
        }

        notify.Stopping();
        bool saved = loop.SaveState();
        string counters = string.Create(CultureInfo.InvariantCulture,
            $"{reason}: {loop.Steps} steps, {loop.Anomalies} anomalies, {loop.DegradedSteps} degraded steps, step latency p50 {loop.Latency.Percentile(0.5):0.##} us p99 {loop.Latency.Percentile(0.99):0.##} us max {loop.Latency.MaxMicroseconds:0.##} us, {sampler.Overruns} overruns ({sampler.MissedTicks} samples missed, max late {sampler.MaxLateness.TotalMilliseconds:0.#} ms), "
            + $"{loop.Faults.Outputs} output faults, {loop.Faults.StateSaves} failed state saves{(saved ? "" : " (the final save failed too)")}");
        if (loop.Steps > SteadyAfter)
        {
            counters += string.Create(CultureInfo.InvariantCulture,
                $"; steady state (steps {SteadyAfter + 1}-{loop.Steps}): {(GC.GetAllocatedBytesForCurrentThread() - steadyAllocated) / (double)(loop.Steps - SteadyAfter):0.##} bytes allocated per step, {GC.CollectionCount(0) - steadyCollections} GCs");
        }

        foreach (ResilientSensor s in loop.Sensors)
        {
            SensorCounters c = s.Counters;
            counters += string.Create(CultureInfo.InvariantCulture,
                $"; {s.Id}: {c.Samples} samples, {c.Retries} retries, {c.IoErrors} I/O errors, {c.OutOfRange} out of range, {c.Stuck} stuck, {c.OpenFailures} failed opens");
        }

        loop.Emit(new DeviceEvent(DeviceEventKind.Stopped, loop.Steps, DateTimeOffset.UtcNow, Detail: counters));
        return ToolExitCodes.Success;

        void Stop(PosixSignalContext context)
        {
            context.Cancel = true; // stop the loop, save the state and exit normally
            cts.Cancel();
        }
    }

    /// <summary>The systemd status line; read on the heartbeat's timer thread.</summary>
    internal static string Status(DeviceLoop loop, DeviceProfile p) => string.Create(CultureInfo.InvariantCulture,
        $"profile {p.Name}: {loop.Steps} steps, last event {loop.LastEvent ?? "none"}, {loop.Faults.Total} faults ({loop.Faults.Outputs} output, {loop.Faults.StateSaves} state save)");

    private static void WriteQuietly(TextWriter writer, string line)
    {
        try
        {
            writer.WriteLine(line);
        }
        catch (IOException)
        {
            // stderr is advisory here: a closed journal stream must not end the loop.
        }
    }

    internal static void AddOutputs(DeviceLoop loop, DeviceProfile p, TextWriter stdout, DeviceEnvironment environment)
    {
        if (p.Outputs.Console != "off")
        {
            loop.AddSink(new ConsoleSink(stdout, p.Outputs.Console == "steps", [.. p.Sensors.SelectMany(s => s.Readings).Select(r => (r.Feature, r.Unit))]));
        }

        if (p.Outputs.EventLog is { } log)
        {
            loop.AddSink(new JsonlEventLog(environment.Files, loop.Profile.Resolve(log.Path), log.MaxBytes, log.Keep, Stopwatch.GetTimestamp));
        }

        if (p.Outputs.AlarmPin is { } pin)
        {
            loop.AddSink(new AlarmPin(environment.OpenGpio, pin.Pin, pin.ActiveHigh, p.Alarm.OnDegraded));
        }

        if (p.Mqtt is { } mqtt)
        {
            loop.AddSink(new Telemetry.TelemetrySink(loop, loop.Profile, mqtt));
        }
    }
}
