using System.CommandLine;
using EdgeRnn.Deployment.Cli;
using EdgeRnn.Deployment.Metadata;
using EdgeRnn.Runtime;
using EdgeRnn.Train.Nab;
using EdgeRnn.Train.Training;

namespace EdgeRnn.Train.Commands;

/// <summary><c>edgernn nab run</c>: EdgeRnn's detector over a NAB data folder, then NAB's scorer on the results.</summary>
internal static class NabRunCommand
{
    public static Command Create()
    {
        var defaults = new NabDetectorConfig();
        var data = new Option<string>("--data") { Description = "NAB's data folder (one folder per category of timestamp,value CSV files), e.g. NAB/data.", Required = true };
        var labels = new Option<string>("--labels") { Description = "NAB's labels/combined_windows.json for those files.", Required = true };
        Option<string> output = CommonOptions.Out("The results folder: NAB's layout <out>/<detector>/<category>/<detector>_<file>.csv; per-file models and logs in <out>/.work. A rerun skips finished files.");
        var parallel = new Option<int>("--parallel") { Description = "Files processed at once (each trains with one torch thread).", DefaultValueFactory = _ => Environment.ProcessorCount }.InRange(1, 256);
        var detector = new Option<string>("--detector") { Description = "The detector's name in the results layout.", DefaultValueFactory = _ => defaults.Name };
        // The default forecaster's cell is LSTM, the enum's zero member that Choice shows as the default.
        Option<RecurrentCellKind> cell = CommonOptions.Choice<RecurrentCellKind>("--cell", "The forecaster's recurrent cell.");
        var hidden = new Option<int>("--hidden") { Description = "The forecaster's hidden size.", DefaultValueFactory = _ => defaults.Hidden }.InRange(1, 4096);
        var fp32 = new Option<bool>("--fp32") { Description = "Stream the float model instead of the int8 one (for comparison; the device runs int8)." };
        var noClock = new Option<bool>("--no-clock") { Description = "Do not give the forecaster the time of day and week (by default it gets the daily phase when the probationary period spans two days at a sub-6-hour period, the weekly phase when it spans two weeks)." };
        var maskSteps = new Option<int>("--mask-steps") { Description = "Scorer: after a score at --mask-level or more, report 0 for this many rows unless a score rises --mask-rise above the highest reported since (one report per event; 0 = off).", DefaultValueFactory = _ => defaults.Scorer.MaskSteps }.InRange(0, 1_000_000);
        var maskLevel = new Option<double>("--mask-level") { Description = "Scorer: the score that starts masking.", DefaultValueFactory = _ => defaults.Scorer.MaskLevel }.InRange(0.0, 1.0);
        var maskRise = new Option<double>("--mask-rise") { Description = "Scorer: while masking, a score is reported again only when it rises this far above the highest reported since (0 = any rise; 1, the default, never: NAB counts every row at or above its threshold outside a window as a false positive, so a score climbing over several rows would count several).", DefaultValueFactory = _ => defaults.Scorer.MaskRise }.InRange(0.0, 1.0);
        var seed = new Option<int>("--seed") { Description = "Seed of each forecaster's weights and shuffling.", DefaultValueFactory = _ => defaults.Seed }.InRange(0, int.MaxValue);
        var ensemble = new Option<int>("--ensemble") { Description = "Forecasters per file, trained independently and averaged in one int8 model (see edgernn train --ensemble).", DefaultValueFactory = _ => defaults.Ensemble }.InRange(1, 16);
        Option<bool> json = CommonOptions.Json("Print a machine-readable JSON summary (timing and the scores; camelCase keys) on stdout.");
        var command = new Command("run",
            "Runs EdgeRnn's streaming detector on every CSV under --data under NAB's rules and scores the results with NAB's scorer. Per file: an LSTM forecaster "
            + "learns from the probationary period only (the first min(floor(0.15 x rows), 750) rows), is exported (verified against ONNX Runtime) and quantized to int8, then "
            + "every row streams one step at a time through the int8 model in the EdgeRnn runtime and the device's scorer: a row is scored before it updates any state, "
            + "so no row influences its own score. Progress goes to stderr. Exit codes: 0 = ran and scored, 2 = bad input or a file failed.")
        {
            data, labels, output, parallel, detector, cell, hidden, fp32, noClock, maskSteps, maskLevel, maskRise, seed, ensemble, json,
        };
        command.SetAction(parse => NabRunWorker.Run(
            data: parse.GetValue(data)!,
            labels: parse.GetValue(labels)!,
            output: parse.GetValue(output)!,
            parallel: parse.GetValue(parallel),
            config: defaults with
            {
                Name = parse.GetValue(detector)!,
                Cell = parse.GetValue(cell),
                Hidden = parse.GetValue(hidden),
                Int8 = !parse.GetValue(fp32),
                ClockFeatures = !parse.GetValue(noClock),
                Seed = parse.GetValue(seed),
                Ensemble = parse.GetValue(ensemble),
                Scorer = defaults.Scorer with { MaskSteps = parse.GetValue(maskSteps), MaskLevel = parse.GetValue(maskLevel), MaskRise = parse.GetValue(maskRise) },
            },
            json: parse.GetValue(json),
            stdout: parse.Out(),
            stderr: parse.Error()));
        return command;
    }
}
