using System.CommandLine;
using EdgeRnn.Deployment.Verification;

namespace EdgeRnn.Deployment.Cli;

/// <summary>The <c>verify</c> command: the same check, options and output on the desktop (<c>edgernn</c>) and on the device.</summary>
public static class VerifyCommand
{
    /// <summary>Creates the command; <paramref name="purpose"/> opens its description.</summary>
    public static Command Create(string purpose)
    {
        var paths = new Argument<string[]>("path")
        {
            Description = "A test folder (model.onnx plus test_data_set_0, test_data_set_1, ...), or a folder holding several.",
            Arity = ArgumentArity.OneOrMore,
        };
        var atol = new Option<double>("--atol") { Description = "Absolute tolerance.", DefaultValueFactory = _ => 1e-5 }.InInterval(0, 1e6);
        var rtol = new Option<double>("--rtol") { Description = "Relative tolerance (scales with the expected value).", DefaultValueFactory = _ => 1e-5 }.InInterval(0, 1e6);
        Option<bool> json = CommonOptions.Json();
        var command = new Command("verify",
            purpose + " Runs each test folder's model on its saved inputs and compares with the saved outputs; prints the largest "
            + "absolute and relative error per output. An element passes when |actual - expected| <= atol + rtol * |expected|. " + CommandLineHost.ExitCodesHelp)
        {
            paths, atol, rtol, json,
        };
        command.SetAction(parse => VerifyReport.Run(
            paths: parse.GetValue(paths) ?? [],
            atol: parse.GetValue(atol),
            rtol: parse.GetValue(rtol),
            json: parse.GetValue(json),
            stdout: parse.Out(),
            stderr: parse.Error()));
        return command;
    }
}
