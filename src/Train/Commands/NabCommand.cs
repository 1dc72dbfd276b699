using System.CommandLine;
using EdgeRnn.Deployment.Cli;
using EdgeRnn.Train.Nab;

namespace EdgeRnn.Train.Commands;

/// <summary>
/// <c>edgernn nab</c>: the Numenta Anomaly Benchmark's scorer, reimplemented (optimize one threshold per detector and
/// profile over the corpus, score every file at it, normalize null = 0 and perfect = 100).
/// </summary>
internal static class NabCommand
{
    /// <summary>The <c>nab</c> command with its <c>score</c> and <c>run</c> subcommands.</summary>
    public static Command Create() =>
        new("nab",
            "The Numenta Anomaly Benchmark (NAB, github.com/numenta/NAB): its scorer reimplemented to reproduce the official per-file rows "
            + "(cost profiles standard, reward_low_FP_rate, reward_low_FN_rate; probationary period min(15% of rows, 750); scaled-sigmoid "
            + "window scoring; one corpus-wide threshold per detector and profile; scores normalized so that the null detector gets 0 and the perfect one 100). "
            + "Exit codes: 0 = done, 2 = bad input.")
        {
            CreateScoreCommand(),
            NabRunCommand.Create(),
        };

    internal static Command CreateScoreCommand()
    {
        var results = new Option<string>("--results") { Description = "NAB's results folder: <results>/<detector>/<category>/<detector>_<file>.csv with columns timestamp,anomaly_score (value, label and others are ignored).", Required = true };
        var labels = new Option<string>("--labels") { Description = "NAB's labels/combined_windows.json: for each category/file.csv its [start, end] anomaly windows.", Required = true };
        var detector = new Option<string[]>("--detector") { Description = "Score only this detector (a folder under --results); repeat it or separate names with commas. Default: every folder with results files.", AllowMultipleArgumentsPerToken = true };
        Option<bool> json = CommonOptions.Json("Print machine-readable JSON (camelCase keys; profile names as NAB spells them) instead of tables.");
        var command = new Command("score",
            "Scores detectors' NAB results files as NAB's optimize, score and normalize steps do: for each detector and profile, sweeps the "
            + "thresholds over all its files together and keeps the one with the largest summed score (ties: the higher threshold), scores each "
            + "file at it (TP, TN, FP, FN after the probationary period; earliest detection per window weighted by a scaled sigmoid, false positives "
            + "weighted by their distance after the preceding window, -fnWeight per missed window), and normalizes the sum: 100 x (score - null) / (perfect - null), "
            + "null = never fires, perfect = every window detected on its first row, over the same files. Prints the per-file rows and the three final scores per detector. "
            + "Exit codes: 0 = scored, 2 = bad input (missing folder or file, malformed windows JSON or results CSV, a results file without windows).")
        {
            results, labels, detector, json,
        };
        command.SetAction(parse => NabScoreWorker.Run(
            results: parse.GetValue(results)!,
            labels: parse.GetValue(labels)!,
            detectors: CommonOptions.SplitList(parse.GetValue(detector)),
            json: parse.GetValue(json),
            stdout: parse.Out(),
            stderr: parse.Error()));
        return command;
    }
}
