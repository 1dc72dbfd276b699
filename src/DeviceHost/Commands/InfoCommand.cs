using System.CommandLine;
using EdgeRnn.Deployment.Cli;

namespace EdgeRnn.DeviceHost.Commands;

/// <summary><c>edgernn-device info</c>: what a model expects and returns (<see cref="InfoWorker"/>).</summary>
internal static class InfoCommand
{
    public static Command Create()
    {
        Option<string> model = CommonOptions.Model("The model file (.onnx), or a test folder holding model.onnx.");
        Option<bool> json = CommonOptions.Json();
        var command = new Command("info",
            "Shows what a model file expects and returns: inputs and outputs with their shapes, the ONNX opset, the operators "
            + "it uses, whether it can run one time step at a time (streaming) and if not why, which inputs and outputs carry "
            + "state between steps, and the metadata stored in the file (features, normalization, thresholds). "
            + "Exit codes: 0 = the model loads, 2 = the file is missing or not a model this runtime can run.")
        {
            model, json,
        };
        command.WithOldPositional(model);
        command.SetAction(parse => InfoWorker.Run(
            modelPath: parse.GetValue(model)!,
            json: parse.GetValue(json),
            stdout: parse.Out(),
            stderr: parse.Error()));
        return command;
    }
}
