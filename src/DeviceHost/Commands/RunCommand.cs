using System.CommandLine;
using EdgeRnn.Deployment.Cli;
using EdgeRnn.DeviceHost.Loop;
using EdgeRnn.DeviceHost.Options;

namespace EdgeRnn.DeviceHost.Commands;

/// <summary><c>edgernn-device run</c>: the device loop (<see cref="RunWorker"/>).</summary>
internal static class RunCommand
{
    public static Command Create(DeviceEnvironment environment)
    {
        Option<string> profile = DeviceOptions.Profile(required: true);
        Option<long?> maxSteps = DeviceOptions.MaxSteps("run until SIGTERM, Ctrl+C or the end of a replay");
        var command = new Command("run",
            "Runs the device loop: samples the profile's sensors at its rate, normalizes, steps the model, scores, and reports "
            + "events to the console, the JSON-lines log and the alarm pin. Restores the saved state at start and saves it "
            + "periodically and on SIGTERM. Faults while running (sensors, a full disk, a missing alarm pin) are counted and reported, "
            + "never fatal. Exit codes: 0 = stopped normally, 2 = the profile or model is bad or they do not fit, "
            + "3 = already running (another run holds this profile's lock).")
        {
            profile, maxSteps,
        };
        command.WithOldSpelling("--steps", maxSteps);
        command.SetAction(parse => RunWorker.Run(
            profilePath: parse.GetValue(profile)!,
            maxSteps: parse.GetValue(maxSteps),
            stdout: parse.Out(),
            stderr: parse.Error(),
            environment: environment));
        return command;
    }
}
