using System.CommandLine;
using EdgeRnn.Deployment.Cli;

namespace EdgeRnn.Train.Commands;

/// <summary><c>edgernn export</c>: a saved checkpoint to a verified ONNX model (<see cref="ExportWorker"/>).</summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        var checkpoint = new Option<string>("--checkpoint") { Description = "A checkpoint written by 'edgernn train' (model.ckpt; model.ckpt.json must be beside it).", Required = true };
        Option<string> output = CommonOptions.Out("The model to write (.onnx); forecast models also get <name>.seq.onnx.");
        Option<bool> json = CommonOptions.Json("Print a machine-readable JSON summary (camelCase keys) on stdout.");
        var command = new Command("export",
            "Exports a saved checkpoint as ONNX (opset 17) with the edgernn metadata it was trained with (normalization, calibrated scorer, golden vector, provenance), "
            + "verified like 'edgernn train': ONNX Runtime and the EdgeRnn runtime must match TorchSharp within 1e-4 on the saved held-back data, or nothing is written. "
            + "Exit codes: 0 = exported and verified, 1 = verification failed, 2 = bad input (missing or unreadable checkpoint).")
        {
            checkpoint, output, json,
        };
        command.SetAction(parse => ExportWorker.Run(parse.GetValue(checkpoint)!, parse.GetValue(output)!, parse.GetValue(json), parse.Out(), parse.Error()));
        return command;
    }
}
