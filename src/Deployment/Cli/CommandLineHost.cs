using System.CommandLine;
using EdgeRnn.Deployment.Verification;

namespace EdgeRnn.Deployment.Cli;

/// <summary>
/// What the three command-line tools (edgernn, edgernn-quantize, edgernn-device) share, compiled once: running a root
/// command with uniform parse-error handling, and the <c>verify</c> command.
/// </summary>
public static class CommandLineHost
{
    /// <summary>The exit codes every tool documents in its help.</summary>
    public const string ExitCodesHelp = "Exit codes: 0 = all good, 1 = a comparison is out of tolerance, 2 = bad input (missing or malformed file, bad options).";

    /// <summary>Parses and invokes; parse errors print to <paramref name="stderr"/> with a hint and return 2.</summary>
    public static int Run(RootCommand root, string toolName, string[] args, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        ParseResult parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (System.CommandLine.Parsing.ParseError error in parse.Errors)
            {
                stderr.WriteLine("error: " + error.Message);
            }

            stderr.WriteLine($"Run '{toolName} --help' for usage.");
            return ToolExitCodes.BadInput;
        }

        return parse.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr });
    }

    /// <summary>The <c>verify</c> command: the same check, options and output on the desktop and on the device.</summary>
    public static Command CreateVerifyCommand(string purpose, TextWriter stdout, TextWriter stderr)
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
            purpose + " Runs each test folder's model on its saved inputs and compares with the saved outputs; prints the largest "
            + "absolute and relative error per output. An element passes when |actual - expected| <= atol + rtol * |expected|. " + ExitCodesHelp)
        {
            paths, atol, rtol, json,
        };
        command.SetAction(parse => VerifyReport.Run(
            paths: parse.GetValue(paths) ?? [],
            atol: parse.GetValue(atol),
            rtol: parse.GetValue(rtol),
            json: parse.GetValue(json),
            stdout: stdout,
            stderr: stderr));
        return command;
    }
}
