using System.CommandLine;
using EdgeRnn.Deployment.Cli;
using EdgeRnn.DeviceHost.Options;

namespace EdgeRnn.DeviceHost.Commands;

/// <summary><c>edgernn-device selftest</c>: the model's golden vector on this device (<see cref="SelftestWorker"/>).</summary>
internal static class SelftestCommand
{
    public static Command Create()
    {
        Option<string> profile = DeviceOptions.Profile(required: false);
        Option<string> model = DeviceOptions.ModelOrProfiles();
        var command = new Command("selftest",
            "Runs the model's golden vector (inputs and outputs the desktop computed, stored in the model) and compares "
            + "within its tolerance; with --profile also checks the profile fits the model. "
            + "Exit codes: 0 = passed, 1 = this device computes something else, 2 = no model, no golden vector or a mismatch.")
        {
            profile, model,
        };
        command.SetAction(parse => SelftestWorker.Run(
            profilePath: parse.GetValue(profile),
            modelPath: parse.GetValue(model),
            stdout: parse.Out(),
            stderr: parse.Error()));
        return command;
    }
}
