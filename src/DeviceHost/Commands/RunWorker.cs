using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using EdgeRnn.DeviceHost.Loop;
using EdgeRnn.DeviceHost.Outputs;
using EdgeRnn.DeviceHost.Profiles;
using EdgeRnn.DeviceHost.Sensors;
using EdgeRnn.DeviceHost.Systemd;
using EdgeRnn.Runtime.Tools;

namespace EdgeRnn.DeviceHost.Commands;

/// <summary>
/// The <c>run</c> command: the device loop at the profile's rate until SIGTERM / Ctrl+C (or the end of a replay, or
/// <c>--steps</c>), with state restored at start and saved periodically and at the end.
/// </summary>
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
            stderr.WriteLine("error: " + e.Message);
            return ToolExitCodes.BadInput;
        }

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        using PosixSignalRegistration term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using PosixSignalRegistration interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using SdNotify notify = SdNotify.FromEnvironment();
        using (loop)
        {
            try
            {
                AddOutputs(loop, profile.Profile, stdout, environment);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                stderr.WriteLine($"error: {profile.FullPath}: $.outputs: {e.Message}");
                return ToolExitCodes.BadInput;
            }

            loop.RestoreState();
            DeviceProfile p = profile.Profile;
            double speed = p.Sensors.FirstOrDefault(s => s.Speed is not null)?.Speed ?? 1;
            TimeSpan period = speed == 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(p.SamplePeriodSeconds / speed);
            loop.Emit(new DeviceEvent(DeviceEventKind.Started, 0, DateTimeOffset.UtcNow, Detail: string.Create(CultureInfo.InvariantCulture,
                $"profile {p.Name}, model {Path.GetFileName(loop.Model.SourceName)} ({loop.Metadata.Features.Count} feature(s)), one sample every {period.TotalMilliseconds:0.###} ms")));
            notify.Ready($"running profile {p.Name}");
            PeriodicSampler sampler = PeriodicSampler.Create(period, cts.Token);
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
                    reason = $"--steps {max} done";
                    break;
                }

                if (!loop.Step(out _))
                {
                    reason = "end of the replay data";
                    break;
                }

                if (loop.Steps == 1)
                {
                    stderr.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"first step {Stopwatch.GetElapsedTime(started).TotalMilliseconds:0.0} ms after the command started, {(DateTime.Now - Process.GetCurrentProcess().StartTime).TotalMilliseconds:0.0} ms after the process started"));
                }

                notify.Watchdog();
            }

            notify.Stopping();
            loop.SaveState();
            string counters = string.Create(CultureInfo.InvariantCulture,
                $"{reason}: {loop.Steps} steps, {loop.Anomalies} anomalies, {loop.DegradedSteps} degraded steps, {sampler.Overruns} overruns ({sampler.MissedTicks} samples missed, max late {sampler.MaxLateness.TotalMilliseconds:0.#} ms)");
            if (loop.Steps > SteadyAfter)
            {
                counters += string.Create(CultureInfo.InvariantCulture,
                    $"; steady state (steps {SteadyAfter + 1}-{loop.Steps}): {(GC.GetAllocatedBytesForCurrentThread() - steadyAllocated) / (double)(loop.Steps - SteadyAfter):0.##} bytes allocated per step, {GC.CollectionCount(0) - steadyCollections} GCs");
            }

            foreach (ResilientSensor s in loop.Sensors)
            {
                SensorCounters c = s.Counters;
                counters += $"; {s.Id}: {c.Samples} samples, {c.Retries} retries, {c.IoErrors} I/O errors, {c.OutOfRange} out of range, {c.Stuck} stuck, {c.OpenFailures} failed opens";
            }

            loop.Emit(new DeviceEvent(DeviceEventKind.Stopped, loop.Steps, DateTimeOffset.UtcNow, Detail: counters));
        }

        return ToolExitCodes.Success;

        void Stop(PosixSignalContext context)
        {
            context.Cancel = true; // stop the loop, save the state and exit normally
            cts.Cancel();
        }
    }

    internal static void AddOutputs(DeviceLoop loop, DeviceProfile p, TextWriter stdout, DeviceEnvironment environment)
    {
        if (p.Outputs.Console != "off")
        {
            loop.AddSink(new ConsoleSink(stdout, p.Outputs.Console == "steps"));
        }

        if (p.Outputs.EventLog is { } log)
        {
            loop.AddSink(new JsonlEventLog(loop.Profile.Resolve(log.Path), log.MaxBytes, log.Keep));
        }

        if (p.Outputs.AlarmPin is { } pin)
        {
            loop.AddSink(new AlarmPin(environment.OpenGpio(), pin.Pin, pin.ActiveHigh, p.Alarm.OnDegraded));
        }
    }
}
