using System.CommandLine;
using EdgeRnn.DeviceHost.Commands;
using EdgeRnn.Runtime.Tools;
using EdgeRnn.Shared;

namespace EdgeRnn.DeviceHost;

/// <summary>
/// edgernn-device: composes the commands and nothing else. Each command's action hands its parsed, named values to
/// a worker that writes to the given <see cref="TextWriter"/>s and returns the exit code.
/// </summary>
public static class Program
{
    internal const string ExitCodesHelp = CommandLineHost.ExitCodesHelp;

    /// <summary>The entry point.</summary>
    public static int Main(string[] args) => Run(args, Console.Out, Console.Error);

    /// <summary>Parses <paramref name="args"/> and runs the command; parse errors print to <paramref name="stderr"/> and return 2.</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr) =>
        CommandLineHost.Run(CreateRootCommand(stdout, stderr), "edgernn-device", args, stdout, stderr);

    internal static RootCommand CreateRootCommand(TextWriter stdout, TextWriter stderr) =>
        new("edgernn-device: runs EdgeRnn recurrent models on this device and checks them. " + ExitCodesHelp)
        {
            CommandLineHost.CreateVerifyCommand("Checks that this device computes what the desktop computed.", stdout, stderr),
            CreateInfoCommand(stdout, stderr),
        };

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
