using System.CommandLine;
using EdgeRnn.Deployment.Cli;
using EdgeRnn.DeviceHost.Loop;
using EdgeRnn.DeviceHost.Options;

namespace EdgeRnn.DeviceHost.Commands;

/// <summary><c>edgernn-device diag</c>: the device checked for a field technician (<see cref="DiagWorker"/>).</summary>
internal static class DiagCommand
{
    public static Command Create(DeviceEnvironment environment)
    {
        Option<string> profile = DeviceOptions.Profile(required: false);
        Option<string> model = DeviceOptions.ModelOrProfiles();
        var bench = new Option<bool>("--bench") { Description = "Also time the model's streaming step in this binary." };
        var timedSteps = new Option<int>("--timed-steps") { Description = "Steps timed by --bench.", DefaultValueFactory = _ => 20000 }.InRange(1, 100_000_000);
        var streams = new Option<int>("--streams")
        {
            Description = "With --bench, also time N streams of the model per call (RnnModel.Step over RnnStreams, a gateway watching N machines) against N separate steps, alternating.",
            DefaultValueFactory = _ => 1,
        }.InRange(1, 4096);
        var command = new Command("diag",
            "Checks this device for a field technician: machine and SIMD, I2C buses and GPIO chips, the model and its golden "
            + "vector, whether the profile fits the model, one read from every sensor, the state file; --bench times a step. "
            + "Exit codes: 0 = all fine, 1 = problems (listed), 2 = the profile cannot be read.")
        {
            profile, model, bench, timedSteps, streams,
        };
        command.WithOldSpelling("--bench-steps", timedSteps);
        command.SetAction(parse => DiagWorker.Run(
            profilePath: parse.GetValue(profile),
            modelPath: parse.GetValue(model),
            bench: parse.GetValue(bench),
            benchSteps: parse.GetValue(timedSteps),
            benchStreams: parse.GetValue(streams),
            stdout: parse.Out(),
            stderr: parse.Error(),
            environment: environment));
        return command;
    }
}
