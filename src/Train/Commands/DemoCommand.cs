using System.CommandLine;
using EdgeRnn.Deployment.Cli;

namespace EdgeRnn.Train.Commands;

/// <summary><c>edgernn demo</c>: the main job on NAB's machine-temperature recording (<see cref="DemoWorker"/>).</summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        Option<string> output = CommonOptions.Out("Where the demo writes its models, results, plot and replay profile.", required: false);
        output.DefaultValueFactory = _ => Path.Combine("artifacts", "demo");
        var device = new Option<string?>("--device") { Description = "The edgernn-device binary to replay the recording through (eng/demo.sh publishes it to artifacts/publish/linux-x64/edgernn-device). Without it the device replay is skipped." };
        var folder = new Option<string?>("--recording-folder") { Description = "The folder holding machine_temperature_system_failure.csv and combined_windows.json; default: devices/data/nab of this repository." };
        Option<bool> json = CommonOptions.Json("Print the summary as JSON (camelCase keys).");
        var command = new Command("demo",
            "The main job on a real recording committed to the repository (NAB's machine temperature, MIT, Numenta): learns an LSTM forecaster from the "
            + "first 750 rows only (NAB's rule), exports it verified against ONNX Runtime, quantizes it to int8, replays every row through the device binary "
            + "and checks it scores as the desktop does, scores the result with NAB's scorer, and writes a plot (signal, forecast, score, threshold, alarms, "
            + "labelled windows). Progress goes to stderr. Exit codes: 0 = done, 1 = the device scored differently from the desktop, 2 = bad input.")
        {
            output, device, folder, json,
        };
        command.SetAction(parse => DemoWorker.Run(parse.GetValue(output)!, parse.GetValue(device), parse.GetValue(folder), parse.GetValue(json), parse.Out(), parse.Error()));
        return command;
    }
}
