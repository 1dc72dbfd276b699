using System.CommandLine;
using EdgeRnn.Deployment.Cli;
using EdgeRnn.DeviceHost.Loop;
using EdgeRnn.DeviceHost.Options;

namespace EdgeRnn.DeviceHost.Commands;

/// <summary><c>edgernn-device top</c>: the field technician's live console (<see cref="TopWorker"/>).</summary>
internal static class TopCommand
{
    public static Command Create(DeviceEnvironment environment)
    {
        Option<string> profile = DeviceOptions.Profile(required: false);
        profile.Description = "The device profile: top attaches to the run serving it (systemd's /run/edgernn/edgernn-device.sock, "
            + "or the socket beside its state file); when none runs, top runs the loop itself, like run.";
        var socket = new Option<string?>("--socket") { Description = "Attach to this console socket instead of finding it from --profile." };
        var plain = new Option<bool>("--plain") { Description = "Plain lines, one per --interval, no colour (the default when stdout is not a terminal, or NO_COLOR is set)." };
        Option<bool> json = CommonOptions.Json("Stream the service's status snapshots (and command results) as JSON lines, as they arrive (4 per second).");
        var interval = new Option<double>("--interval") { Description = "Seconds between plain lines; the live view refreshes 4 times a second.", DefaultValueFactory = _ => 1.0 }.InRange(0.05, 3600.0);
        var count = new Option<long?>("--max-snapshots") { Description = "Stop after this many snapshots (plain lines or JSON lines); default: until q, Ctrl+C or the service stops." }.InRange(1L, long.MaxValue);
        var command = new Command("top",
            "The live console for a field technician: attaches to a running edgernn-device run over its local socket and shows, "
            + "4 times a second, each sensor's readings with units against the model's forecast, status (ok / degraded / warm-up) and "
            + "fault counters, the anomaly likelihood against its thresholds over the last 5 minutes, the recent events, step latency "
            + "p50/p99 and overruns, the model and the machine (CPU temperature, load, memory, uptime, disk). Keys: p pause the view, "
            + "r reset the state, s save the state (both asked to confirm), q quit. Several consoles may attach at once; a console "
            + "never slows the loop. Exit codes: 0 = quit, or the service stopped; 2 = bad profile or options; 4 = no service answers on --socket.")
        {
            profile, socket, plain, json, interval, count,
        };
        command.SetAction(parse => TopWorker.Run(new TopRequest
        {
            ProfilePath = parse.GetValue(profile),
            SocketPath = parse.GetValue(socket),
            Plain = parse.GetValue(plain),
            Json = parse.GetValue(json),
            Interval = TimeSpan.FromSeconds(parse.GetValue(interval)),
            MaxSnapshots = parse.GetValue(count),
        }, parse.Out(), parse.Error(), environment));
        return command;
    }
}
