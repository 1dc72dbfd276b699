using System.CommandLine;
using EdgeRnn.Deployment.Cli;
using EdgeRnn.Deployment.Metadata;
using EdgeRnn.Runtime;
using EdgeRnn.Train.Data;
using EdgeRnn.Train.Models;
using EdgeRnn.Train.Scoring;
using EdgeRnn.Train.Training;

namespace EdgeRnn.Train.Commands;

/// <summary><c>edgernn train</c>: its options, their ranges, and the hand-off to <see cref="TrainWorker"/>.</summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "The recording: CSV with a header, a timestamp column (ISO 8601, 'YYYY-MM-DD HH:MM:SS' or epoch seconds) and numeric columns; with --tokens, a CSV of token-id sequences (see --tokens).", Required = true };
        Option<string> output = CommonOptions.Out("The model to write (.onnx). Beside it: <name>.seq.onnx (forecast whole-sequence graph), <name>.ckpt + .ckpt.json (checkpoint), <name>.history.json.");
        Option<TrainTask> task = CommonOptions.Choice<TrainTask>("--task", "forecast (next step of every feature; streaming anomaly detector), autoencoder (window reconstruction) or classify (window to class; needs --label).");
        Option<RecurrentCellKind> cell = CommonOptions.Choice<RecurrentCellKind>("--cell", "Recurrent cell: lstm, gru or rnn.");
        var hidden = new Option<int>("--hidden") { Description = "Hidden size of each recurrent layer.", DefaultValueFactory = _ => 64 }.InRange(1, 4096);
        var layers = new Option<int>("--layers") { Description = "Stacked recurrent layers.", DefaultValueFactory = _ => 1 }.InRange(1, 16);
        var dropout = new Option<double>("--dropout") { Description = "Dropout between stacked layers while training.", DefaultValueFactory = _ => 0.0 }.InInterval(0, 1, maxOpen: true);
        var features = new Option<string[]>("--features") { Description = "Feature columns in model order (comma-separated or repeated); default: every column but the timestamp and the label.", AllowMultipleArgumentsPerToken = true };
        var featureNames = new Option<string[]>("--feature-names") { Description = "Model feature names in the order of --features (comma-separated or repeated), written into the model's edgernn.features; a device profile maps its readings to these names. Default: the CSV column names.", AllowMultipleArgumentsPerToken = true };
        var units = new Option<string[]>("--units") { Description = "Units of the features in model order (comma-separated or repeated, e.g. degF), written into edgernn.features and checked against a device profile's readings. Default: none.", AllowMultipleArgumentsPerToken = true };
        var label = new Option<string?>("--label") { Description = "An integer label column (classes for classify)." };
        var timestamp = new Option<string?>("--timestamp-column") { Description = "The timestamp column; default: timestamp/time/date/datetime, else the first column." };
        Option<MissingValuePolicy> missing = CommonOptions.Choice<MissingValuePolicy>("--missing", "Empty or NaN values: error (stop with file:line:column), interpolate (linear in time) or drop (the row).");
        var fileOrder = new Option<bool>("--keep-file-order") { Description = "Accept repeated or decreasing timestamps and keep the rows in file order (NAB's machine-temperature file repeats an hour)." };
        var epochs = new Option<int>("--epochs") { Description = "Maximum epochs.", DefaultValueFactory = _ => 30 }.InRange(1, 100_000);
        var batch = new Option<int>("--batch-size") { Description = "Windows per batch.", DefaultValueFactory = _ => 32 }.InRange(1, 65_536);
        var seqLen = new Option<int>("--seq-len") { Description = "Steps per training window (and the window length of autoencoder/classify models).", DefaultValueFactory = _ => 32 }.InRange(1, 100_000);
        var stride = new Option<int>("--stride") { Description = "Rows between training window starts.", DefaultValueFactory = _ => 1 }.InRange(1, 1_000_000);
        var valFraction = new Option<double>("--val-fraction") { Description = "Trailing fraction of rows held back for validation (time-ordered; normalization is fit on the rest).", DefaultValueFactory = _ => 0.2 }.InInterval(0, 1, minOpen: true, maxOpen: true);
        var lr = new Option<double>("--lr") { Description = "AdamW learning rate.", DefaultValueFactory = _ => 1e-3 }.InInterval(0, 10, minOpen: true);
        var weightDecay = new Option<double>("--weight-decay") { Description = "AdamW weight decay.", DefaultValueFactory = _ => 1e-4 }.InInterval(0, 10);
        var clip = new Option<double>("--clip-norm") { Description = "Gradient-norm clipping (0 = off).", DefaultValueFactory = _ => 1.0 }.InInterval(0, 1e6);
        var patience = new Option<int>("--patience") { Description = "Early stopping: epochs without validation improvement (the best weights are restored). The learning rate halves after 3 such epochs.", DefaultValueFactory = _ => 8 }.InRange(1, 100_000);
        var seed = new Option<int>("--seed") { Description = "Seed of weights, shuffling and dropout.", DefaultValueFactory = _ => 1 }.InRange(0, int.MaxValue);
        var ensemble = new Option<int>("--ensemble") { Description = "Forecast: train this many forecasters independently (member k seeded with seed x N + k) and export their average as one model of N x --hidden units with block-diagonal weights (the device runs it as one ordinary model). Lowers the variance between seeds at N times the training time.", DefaultValueFactory = _ => 1 }.InRange(1, 16);
        var threads = new Option<int>("--threads") { Description = "torch intra-op threads (1 was fastest on 2 cores).", DefaultValueFactory = _ => 1 }.InRange(1, 1024);
        var falseAlarm = new Option<double>("--false-alarm-rate") { Description = "Scorer calibration (forecast, autoencoder): the exported model scores the recording step by step as the device will, and the threshold is the (1 - rate) quantile of the validation likelihoods, the exit threshold the (1 - 10 x rate) quantile (both at least 0.5).", DefaultValueFactory = _ => 0.001 }.InInterval(0, 0.1, minOpen: true, maxOpen: true);
        var minDuration = new Option<int>("--min-duration") { Description = "Scorer: consecutive steps at or above the threshold before an anomaly starts.", DefaultValueFactory = _ => 1 }.InRange(1, 1_000_000);
        var shortWindow = new Option<int>("--short-window") { Description = "Scorer: span in steps of the short error average (at most --long-window).", DefaultValueFactory = _ => 10 }.InRange(1, ScorerSettings.MaxShortWindow);
        var longWindow = new Option<int>("--long-window") { Description = "Scorer: span in steps of the long-term error statistics.", DefaultValueFactory = _ => 500 }.InRange(2, 100_000_000);
        var warmupSteps = new Option<int>("--warmup-steps") { Description = "Scorer: steps after a reset with no score while the statistics learn.", DefaultValueFactory = _ => 100 }.InRange(0, 100_000_000);
        var headFraction = new Option<double>("--head-fraction") { Description = "Use only this leading fraction of the rows for training and validation; the rest is not read into the model.", DefaultValueFactory = _ => 1.0 }.InInterval(0, 1, minOpen: true);
        var probationary = new Option<bool>("--probationary") { Description = "Use only NAB's probationary period for training and validation: the first min(floor(0.15 x rows), 750) rows, the rows a NAB detector may learn from before it is scored (a 15% head fraction on a file over 5,000 rows would learn from rows that are then scored)." };
        var timeFeatures = new Option<string>("--time-features") { Description = "Give a forecast model the clock as extra inputs: day (sine and cosine of the time of day), week (day and day of week) or none. The device computes them from each sample's time (a replay's timestamps, else its local clock); the scorer judges only the sensor features.", DefaultValueFactory = _ => "none" };
        timeFeatures.AcceptOnlyFromAmong("none", "day", "week");
        var scorerMethod = new Option<string>("--scorer") { Description = "Scorer likelihood: gaussian (normal CDF of the short error average; saturates at 1) or log-tail (the tail probability on a log scale, as NAB's anomaly likelihood; keeps its resolution near the top).", DefaultValueFactory = _ => ScorerSettings.GaussianMethod };
        scorerMethod.AcceptOnlyFromAmong(ScorerSettings.GaussianMethod, ScorerSettings.LogTailMethod);
        var spatialTolerance = new Option<double>("--spatial-tolerance") { Description = "Scorer (log-tail): a reading beyond the range seen so far by more than this fraction of the range scores 1 at once (0 = off).", DefaultValueFactory = _ => 0.0 }.InInterval(0, 100);
        var bidirectional = new Option<bool>("--bidirectional") { Description = "Bidirectional recurrent layers (autoencoder and classify only; refused for forecast, which must stream). Each layer outputs forward and reverse states concatenated (2 x --hidden)." };
        var tokens = new Option<string?>("--tokens") { Description = "Token-id classification (--task classify): the CSV column holding each sequence's token ids separated by spaces, one sequence per line, with the class in the --label column (default 'label'); e.g. header 'tokens,label', row '5 12 7 3,1'. No timestamp. Sequences shorter than --seq-len are padded at the front with --pad-id, longer ones keep their last --seq-len ids; the model takes int64 ids [seq-len, 1] through an embedding (ONNX Gather)." };
        var vocab = new Option<int>("--vocab") { Description = "Token models: vocabulary size (ids in [0, vocab)); 0 = the data's largest id + 1.", DefaultValueFactory = _ => 0 }.InRange(0, 10_000_000);
        var embeddingDim = new Option<int>("--embedding-dim") { Description = "Token models: embedding width.", DefaultValueFactory = _ => 16 }.InRange(1, 4096);
        var padId = new Option<long>("--pad-id") { Description = "Token models: the id that pads short sequences at the front.", DefaultValueFactory = _ => 0L }.InRange(0, int.MaxValue);
        Option<bool> json = CommonOptions.Json("Print a machine-readable JSON summary (camelCase keys) on stdout.");
        var command = new Command("train",
            "Trains a recurrent sensor model with TorchSharp on the CPU, exports ONNX (opset 17) with edgernn metadata, and verifies the export: "
            + "ONNX Runtime and the EdgeRnn runtime must match TorchSharp within 1e-4 on held-back data, or nothing is written. Progress goes to stderr. "
            + "Exit codes: 0 = trained and verified, 1 = export verification failed, 2 = bad input (unreadable CSV, bad options).")
        {
            data, output, task, cell, hidden, layers, dropout, features, featureNames, units, label, timestamp, missing, fileOrder, epochs, batch, seqLen, stride, valFraction, lr, weightDecay, clip, patience, seed, ensemble, threads, falseAlarm, minDuration, shortWindow, longWindow, warmupSteps, scorerMethod, spatialTolerance, headFraction, probationary, timeFeatures, bidirectional, tokens, vocab, embeddingDim, padId, json,
        };
        command.SetAction(parse => TrainWorker.Run(
            new TrainRequest(
                Data: parse.GetValue(data)!,
                Out: parse.GetValue(output)!,
                Csv: new CsvReadOptions
                {
                    Features = parse.GetValue(features)?.SelectMany(f => f.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToArray(),
                    LabelColumn = parse.GetValue(label),
                    TimestampColumn = parse.GetValue(timestamp),
                    Missing = parse.GetValue(missing),
                    KeepFileOrder = parse.GetValue(fileOrder),
                },
                Shape: new ModelConfig
                {
                    Task = parse.GetValue(task), Cell = parse.GetValue(cell), Hidden = parse.GetValue(hidden), Layers = parse.GetValue(layers), Dropout = parse.GetValue(dropout),
                    Bidirectional = parse.GetValue(bidirectional), Vocabulary = parse.GetValue(vocab), EmbeddingDim = parse.GetValue(embeddingDim),
                },
                Options: new TrainOptions
                {
                    Epochs = parse.GetValue(epochs), BatchSize = parse.GetValue(batch), SequenceLength = parse.GetValue(seqLen), Stride = parse.GetValue(stride),
                    ValidationFraction = parse.GetValue(valFraction), LearningRate = parse.GetValue(lr), WeightDecay = parse.GetValue(weightDecay),
                    ClipNorm = parse.GetValue(clip), Patience = parse.GetValue(patience), Seed = parse.GetValue(seed), Ensemble = parse.GetValue(ensemble), Threads = parse.GetValue(threads),
                },
                Json: parse.GetValue(json))
            {
                HeadFraction = parse.GetValue(headFraction),
                Probationary = parse.GetValue(probationary),
                TimeFeatureNames = parse.GetValue(timeFeatures) switch { "day" => TimeFeatures.Daily, "week" => TimeFeatures.DailyAndWeekly, _ => [] },
                TokenColumn = parse.GetValue(tokens),
                PadId = parse.GetValue(padId),
                FeatureNames = CommonOptions.SplitList(parse.GetValue(featureNames)),
                Units = CommonOptions.SplitList(parse.GetValue(units)),
                Scorer = new ScorerOptions
                {
                    FalseAlarmRate = parse.GetValue(falseAlarm), MinDuration = parse.GetValue(minDuration), ShortWindow = parse.GetValue(shortWindow),
                    LongWindow = parse.GetValue(longWindow), WarmupSteps = parse.GetValue(warmupSteps),
                    Method = parse.GetValue(scorerMethod)!, SpatialTolerance = parse.GetValue(spatialTolerance),
                },
            },
            parse.Out(),
            parse.Error()));
        return command;
    }
}
