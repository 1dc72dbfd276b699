using System.CommandLine;
using EdgeRnn.Deployment.Cli;
using EdgeRnn.DeviceHost.Commands;
using EdgeRnn.DeviceHost.IO;
using EdgeRnn.DeviceHost.Loop;

namespace EdgeRnn.DeviceHost;

/// <summary>
/// edgernn-device: composes the commands and nothing else. Each command's action hands its parsed, named values to
/// a worker that writes to the given <see cref="TextWriter"/>s and returns the exit code.
/// </summary>
public static class Program
{
    internal const string ExitCodesHelp = CommandLineHost.ExitCodesHelp;

    /// <summary>The entry point. stdout reports write errors (see <see cref="StandardOutput"/>): a closed pipe ends a replay.</summary>
    public static int Main(string[] args) => Run(args, StandardOutput.Open(), Console.Error);

    /// <summary>Parses <paramref name="args"/> and runs the command; parse errors print to <paramref name="stderr"/> and return 2.</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr) => Run(args, stdout, stderr, DeviceEnvironment.Hardware);

    internal static int Run(string[] args, TextWriter stdout, TextWriter stderr, DeviceEnvironment environment) =>
        CommandLineHost.Run(CreateRootCommand(stdout, stderr, environment), "edgernn-device", args, stdout, stderr);

    internal static RootCommand CreateRootCommand(TextWriter stdout, TextWriter stderr, DeviceEnvironment environment) =>
        new("edgernn-device: reads sensors, streams them through an EdgeRnn model and reports anomalies; checks models and "
            + "the device. " + ExitCodesHelp)
        {
            CreateRunCommand(stdout, stderr, environment),
            CreateReplayCommand(stdout, stderr, environment),
            CreateSelftestCommand(stdout, stderr),
            CreateScanCommand(stdout, stderr, environment),
            CreateDiagCommand(stdout, stderr, environment),
            CommandLineHost.CreateVerifyCommand("Checks that this device computes what the desktop computed.", stdout, stderr),
            CreateInfoCommand(stdout, stderr),
        };

    private static Option<string> ProfileOption(bool required) => new("--profile")
    {
        Description = "The device profile (devices/*.json): sensors, model, outputs, alarm policy.",
        Required = required,
    };

    internal static Command CreateRunCommand(TextWriter stdout, TextWriter stderr, DeviceEnvironment environment)
    {
        Option<string> profile = ProfileOption(required: true);
        var steps = new Option<long?>("--steps") { Description = "Stop after this many steps (default: run until SIGTERM, Ctrl+C or the end of a replay)." };
        var command = new Command("run",
            "Runs the device loop: samples the profile's sensors at its rate, normalizes, steps the model, scores, and reports "
            + "events to the console, the JSON-lines log and the alarm pin. Restores the saved state at start and saves it "
            + "periodically and on SIGTERM. Faults while running (sensors, a full disk, a missing alarm pin) are counted and reported, "
            + "never fatal. Exit codes: 0 = stopped normally, 2 = the profile or model is bad or they do not fit, "
            + "3 = already running (another run holds this profile's lock).")
        {
            profile, steps,
        };
        command.SetAction(parse => RunWorker.Run(
            profilePath: parse.GetValue(profile)!,
            maxSteps: parse.GetValue(steps),
            stdout: stdout,
            stderr: stderr,
            environment: environment));
        return command;
    }

    internal static Command CreateReplayCommand(TextWriter stdout, TextWriter stderr, DeviceEnvironment environment)
    {
        Option<string> profile = ProfileOption(required: true);
        var csv = new Option<string?>("--csv") { Description = "Replay this CSV instead of the file of the profile's csv sensor." };
        var limit = new Option<long?>("--limit") { Description = "Stop after this many steps." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object per step instead of a table." };
        var command = new Command("replay",
            "Runs a replay profile's data through the same loop as fast as possible, from a fresh state, and prints every "
            + "step's likelihood and error (tab-separated, or JSON lines with --json); no state, log or pin is touched. "
            + "Exit codes: 0 = done (also when the reader closes the pipe), 1 = the output could not be written, "
            + "2 = bad profile, model or file, or a profile with chip sensors.")
        {
            profile, csv, limit, json,
        };
        command.SetAction(parse => ReplayWorker.Run(
            profilePath: parse.GetValue(profile)!,
            csv: parse.GetValue(csv),
            limit: parse.GetValue(limit),
            json: parse.GetValue(json),
            stdout: stdout,
            stderr: stderr,
            environment: environment));
        return command;
    }

    internal static Command CreateSelftestCommand(TextWriter stdout, TextWriter stderr)
    {
        Option<string> profile = ProfileOption(required: false);
        var model = new Option<string?>("--model") { Description = "The model file (default: the profile's)." };
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
            stdout: stdout,
            stderr: stderr));
        return command;
    }

    internal static Command CreateScanCommand(TextWriter stdout, TextWriter stderr, DeviceEnvironment environment)
    {
        var bus = new Option<int>("--bus") { Description = "The I2C bus number (/dev/i2c-N).", DefaultValueFactory = _ => 1 };
        var command = new Command("scan",
            "Probes every I2C address on a bus and lists the devices that answer, with the chips usually found there. "
            + "Exit codes: 0 = scanned, 2 = the bus does not exist or is not accessible.")
        {
            bus,
        };
        command.SetAction(parse => ScanWorker.Run(bus: parse.GetValue(bus), stdout: stdout, stderr: stderr, environment: environment));
        return command;
    }

    internal static Command CreateDiagCommand(TextWriter stdout, TextWriter stderr, DeviceEnvironment environment)
    {
        Option<string> profile = ProfileOption(required: false);
        var model = new Option<string?>("--model") { Description = "The model file (default: the profile's)." };
        var bench = new Option<bool>("--bench") { Description = "Also time the model's streaming step in this binary." };
        var steps = new Option<int>("--bench-steps") { Description = "Steps timed by --bench.", DefaultValueFactory = _ => 20000 };
        var command = new Command("diag",
            "Checks this device for a field technician: machine and SIMD, I2C buses and GPIO chips, the model and its golden "
            + "vector, whether the profile fits the model, one read from every sensor, the state file; --bench times a step. "
            + "Exit codes: 0 = all fine, 1 = problems (listed), 2 = the profile cannot be read.")
        {
            profile, model, bench, steps,
        };
        command.SetAction(parse => DiagWorker.Run(
            profilePath: parse.GetValue(profile),
            modelPath: parse.GetValue(model),
            bench: parse.GetValue(bench),
            benchSteps: parse.GetValue(steps),
            stdout: stdout,
            stderr: stderr,
            environment: environment));
        return command;
    }

    internal static Command CreateInfoCommand(TextWriter stdout, TextWriter stderr)
    {
        var model = new Argument<string>("model") { Description = "The model file (.onnx), or a test folder holding model.onnx." };
        var json = new Option<bool>("--json") { Description = "Print machine-readable JSON instead of text." };
        var command = new Command("info",
            "Shows what a model file expects and returns: inputs and outputs with their shapes, the ONNX opset, the operators "
            + "it uses, whether it can run one time step at a time (streaming) and if not why, which inputs and outputs carry "
            + "state between steps, and the metadata stored in the file (features, normalization, thresholds). "
            + "Exit codes: 0 = the model loads, 2 = the file is missing or not a model this runtime can run.")
        {
            model, json,
        };
        command.SetAction(parse => InfoWorker.Run(
            modelPath: parse.GetValue(model)!,
            json: parse.GetValue(json),
            stdout: stdout,
            stderr: stderr));
        return command;
    }
}
