using System.CommandLine;
using EdgeRnn.Deployment.Cli;

namespace EdgeRnn.Train.Commands;

/// <summary><c>edgernn score</c>: a recording scored row by row as the device scores it (<see cref="ScoreWorker"/>).</summary>
internal static class ScoreCommand
{
    public static Command Create()
    {
        Option<string> model = CommonOptions.Model("A forecast (streaming) or autoencoder model written by 'edgernn train' (it carries its normalization and edgernn.scorer).");
        var data = new Option<string>("--data") { Description = "The recording (CSV) to score; the model's feature columns are read.", Required = true };
        var windows = new Option<string?>("--windows") { Description = "NAB's labels/combined_windows.json: print a per-window table (detected or not, first alarm) and the alarms outside windows. The key is the category/file.csv that --data's path ends with." };
        var fileOrder = new Option<bool>("--keep-file-order") { Description = "Accept repeated or decreasing timestamps and keep the rows in file order." };
        var results = new Option<string?>("--results") { Description = "Also write NAB's results CSV (timestamp,value,anomaly_score,label) to this path." };
        var columns = new Option<string[]>("--columns") { Description = "The CSV columns that hold the model's sensor features, in the model's order (comma-separated or repeated), when their names differ from the model's feature names (e.g. a model trained with --feature-names temperature on a CSV whose column is value).", AllowMultipleArgumentsPerToken = true };
        var plot = new Option<string?>("--plot") { Description = "Also write a PNG: the first feature and its forecast, the likelihood and the threshold, the alarms, and the labelled windows when --windows is given." };
        Option<bool> json = CommonOptions.Json("Print a machine-readable JSON summary (camelCase keys) instead of a table.");
        var command = new Command("score",
            "Scores a recording one row at a time exactly as the device does (normalize, score the reading against the last forecast, step the model; no look-ahead) "
            + "with the scorer settings stored in the model, and reports the alarms. Exit codes: 0 = scored, 2 = bad input.")
        {
            model, data, windows, fileOrder, columns, results, plot, json,
        };
        command.SetAction(parse => ScoreWorker.Run(
            modelPath: parse.GetValue(model)!,
            data: parse.GetValue(data)!,
            windows: parse.GetValue(windows),
            keepFileOrder: parse.GetValue(fileOrder),
            results: parse.GetValue(results),
            json: parse.GetValue(json),
            stdout: parse.Out(),
            stderr: parse.Error(),
            plot: parse.GetValue(plot),
            columns: CommonOptions.SplitList(parse.GetValue(columns))));
        return command;
    }
}
