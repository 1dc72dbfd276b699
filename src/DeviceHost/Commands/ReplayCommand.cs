using System.CommandLine;
using EdgeRnn.Deployment.Cli;
using EdgeRnn.DeviceHost.Loop;
using EdgeRnn.DeviceHost.Options;

namespace EdgeRnn.DeviceHost.Commands;

/// <summary><c>edgernn-device replay</c>: a replay profile's data through the loop, every step printed (<see cref="ReplayWorker"/>).</summary>
internal static class ReplayCommand
{
    public static Command Create(DeviceEnvironment environment)
    {
        Option<string> profile = DeviceOptions.Profile(required: true);
        var csv = new Option<string?>("--csv") { Description = "Replay this CSV instead of the file of the profile's csv sensor; with a profile of chips (devices/pi-bme280.json), a recording of them made by record (columns named by the features)." };
        Option<long?> maxSteps = DeviceOptions.MaxSteps("the end of the data");
        Option<bool> json = CommonOptions.Json("Print one JSON object per step instead of a table.");
        var command = new Command("replay",
            "Runs a replay profile's data through the same loop as fast as possible, from a fresh state, and prints every "
            + "step's likelihood and error (tab-separated, or JSON lines with --json); no state, log or pin is touched. "
            + "Exit codes: 0 = done (also when the reader closes the pipe), 1 = the output could not be written, "
            + "2 = bad profile, model or file, or a profile with chip sensors.")
        {
            profile, csv, maxSteps, json,
        };
        command.WithOldSpelling("--limit", maxSteps);
        command.SetAction(parse => ReplayWorker.Run(
            profilePath: parse.GetValue(profile)!,
            csv: parse.GetValue(csv),
            limit: parse.GetValue(maxSteps),
            json: parse.GetValue(json),
            stdout: parse.Out(),
            stderr: parse.Error(),
            environment: environment));
        return command;
    }
}
