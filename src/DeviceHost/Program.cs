using System.CommandLine;
using EdgeRnn.DeviceHost.Commands;
using EdgeRnn.Runtime.Tools;

namespace EdgeRnn.DeviceHost;

/// <summary>
/// edgernn-device: composes the commands and nothing else. Each command's action hands its parsed, named values to
/// a worker that writes to the given <see cref="TextWriter"/>s and returns the exit code.
/// </summary>
public static class Program
{
    internal const string ExitCodesHelp = "Exit codes: 0 = all good, 1 = a comparison is out of tolerance, 2 = bad input (missing or malformed file, bad options).";

    /// <summary>The entry point.</summary>
    public static int Main(string[] args) => Run(args, Console.Out, Console.Error);

    /// <summary>Parses <paramref name="args"/> and runs the command; parse errors print to <paramref name="stderr"/> and return 2.</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        ParseResult parse = CreateRootCommand(stdout, stderr).Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (System.CommandLine.Parsing.ParseError error in parse.Errors)
            {
                stderr.WriteLine("error: " + error.Message);
            }

            stderr.WriteLine("Run 'edgernn-device --help' for usage.");
            return ToolExitCodes.BadInput;
        }

        return parse.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr });
    }

    internal static RootCommand CreateRootCommand(TextWriter stdout, TextWriter stderr) =>
        new("edgernn-device: runs EdgeRnn recurrent models on this device and checks them. " + ExitCodesHelp)
        {
            CreateVerifyCommand(stdout, stderr),
            CreateInfoCommand(stdout, stderr),
        };

    internal static Command CreateVerifyCommand(TextWriter stdout, TextWriter stderr)
    {
        var paths = new Argument<string[]>("path")
        {
            Description = "A test folder (model.onnx plus test_data_set_0, test_data_set_1, ...), or a folder holding several.",
            Arity = ArgumentArity.OneOrMore,
        };
        var atol = new Option<double>("--atol") { Description = "Absolute tolerance.", DefaultValueFactory = _ => 1e-5 };
        var rtol = new Option<double>("--rtol") { Description = "Relative tolerance (scales with the expected value).", DefaultValueFactory = _ => 1e-5 };
        var json = new Option<bool>("--json") { Description = "Print machine-readable JSON instead of a table." };
        var command = new Command("verify",
            "Checks that this device computes what the desktop computed: runs each test folder's model on its saved inputs "
            + "and compares with the saved outputs. Prints the largest absolute and relative error per output. An element "
            + "passes when |actual - expected| <= atol + rtol * |expected|. " + ExitCodesHelp)
        {
            paths, atol, rtol, json,
        };
        command.SetAction(parse => VerifyWorker.Run(
            paths: parse.GetValue(paths) ?? [],
            atol: parse.GetValue(atol),
            rtol: parse.GetValue(rtol),
            json: parse.GetValue(json),
            stdout: stdout,
            stderr: stderr));
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
