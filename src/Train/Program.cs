using System.CommandLine;
using EdgeRnn.Runtime;
using EdgeRnn.Runtime.Metadata;
using EdgeRnn.Runtime.Tools;
using EdgeRnn.Shared;
using EdgeRnn.Train.Commands;
using EdgeRnn.Train.Data;
using EdgeRnn.Train.Models;
using EdgeRnn.Train.Scoring;
using EdgeRnn.Train.Training;

namespace EdgeRnn.Train;

/// <summary>
/// edgernn: composes the commands and nothing else. Each command's action hands its parsed, named values to a
/// worker that writes to the given <see cref="TextWriter"/>s and returns the exit code.
/// </summary>
public static class Program
{
    internal const string ExitCodesHelp = CommandLineHost.ExitCodesHelp;

    /// <summary>The entry point.</summary>
    public static int Main(string[] args) => Run(args, Console.Out, Console.Error);

    /// <summary>Parses <paramref name="args"/> and runs the command; parse errors print to <paramref name="stderr"/> and return 2.</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr) =>
        CommandLineHost.Run(CreateRootCommand(stdout, stderr), "edgernn", args, stdout, stderr);

    internal static RootCommand CreateRootCommand(TextWriter stdout, TextWriter stderr) =>
        new("edgernn: the desktop EdgeRnn tool: train sensor models with TorchSharp and export verified ONNX (train, export, synth), score recordings as the device will (score), write reference test data (testdata), verify models against it (verify), and benchmark the runtime against ONNX Runtime (bench). " + ExitCodesHelp)
        {
            CommandLineHost.CreateVerifyCommand("Checks a model against saved test data (the same check and output as edgernn-device verify).", stdout, stderr),
            CreateBenchCommand(stdout, stderr),
            CreateTestDataCommand(stdout, stderr),
            CreateTrainCommand(stdout, stderr),
            CreateSynthCommand(stdout, stderr),
            CreateScoreCommand(stdout, stderr),
            CreateExportCommand(stdout, stderr),
            CreateNabCommand(stdout, stderr),
            CreateDemoCommand(stdout, stderr),
        };

    internal static Command CreateDemoCommand(TextWriter stdout, TextWriter stderr)
    {
        var output = new Option<string>("--out", "-o") { Description = "Where the demo writes its models, results, plot and replay profile.", DefaultValueFactory = _ => Path.Combine("artifacts", "demo") };
        var device = new Option<string?>("--device") { Description = "The edgernn-device binary to replay the recording through (eng/demo.sh publishes it to artifacts/publish/linux-x64/edgernn-device). Without it the device replay is skipped." };
        var folder = new Option<string?>("--recording-folder") { Description = "The folder holding machine_temperature_system_failure.csv and combined_windows.json; default: devices/data/nab of this repository." };
        var json = new Option<bool>("--json") { Description = "Print the summary as JSON." };
        var command = new Command("demo",
            "The main job on a real recording committed to the repository (NAB's machine temperature, MIT, Numenta): learns an LSTM forecaster from the "
            + "first 750 rows only (NAB's rule), exports it verified against ONNX Runtime, quantizes it to int8, replays every row through the device binary "
            + "and checks it scores as the desktop does, scores the result with NAB's scorer, and writes a plot (signal, forecast, score, threshold, alarms, "
            + "labelled windows). Progress goes to stderr. Exit codes: 0 = done, 1 = the device scored differently from the desktop, 2 = bad input.")
        {
            output, device, folder, json,
        };
        command.SetAction(parse => DemoWorker.Run(parse.GetValue(output)!, parse.GetValue(device), parse.GetValue(folder), parse.GetValue(json), stdout, stderr));
        return command;
    }

    internal static Command CreateNabCommand(TextWriter stdout, TextWriter stderr)
    {
        Command nab = NabCommand.Create(stdout, stderr);
        nab.Subcommands.Add(NabRunCommand.Create(stdout, stderr));
        return nab;
    }

    internal static Command CreateExportCommand(TextWriter stdout, TextWriter stderr)
    {
        var checkpoint = new Option<string>("--checkpoint") { Description = "A checkpoint written by 'edgernn train' (model.ckpt; model.ckpt.json must be beside it).", Required = true };
        var output = new Option<string>("--out") { Description = "The model to write (.onnx); forecast models also get <name>.seq.onnx.", Required = true };
        var json = new Option<bool>("--json") { Description = "Print a machine-readable JSON summary on stdout." };
        var command = new Command("export",
            "Exports a saved checkpoint as ONNX (opset 17) with the edgernn metadata it was trained with (normalization, calibrated scorer, golden vector, provenance), "
            + "verified like 'edgernn train': ONNX Runtime and the EdgeRnn runtime must match TorchSharp within 1e-4 on the saved held-back data, or nothing is written. "
            + "Exit codes: 0 = exported and verified, 1 = verification failed, 2 = bad input (missing or unreadable checkpoint).")
        {
            checkpoint, output, json,
        };
        command.SetAction(parse => ExportWorker.Run(parse.GetValue(checkpoint)!, parse.GetValue(output)!, parse.GetValue(json), stdout, stderr));
        return command;
    }

    internal static Command CreateScoreCommand(TextWriter stdout, TextWriter stderr)
    {
        var model = new Option<string>("--model") { Description = "A forecast (streaming) or autoencoder model written by 'edgernn train' (it carries its normalization and edgernn.scorer).", Required = true };
        var data = new Option<string>("--data") { Description = "The recording (CSV) to score; the model's feature columns are read.", Required = true };
        var windows = new Option<string?>("--windows") { Description = "NAB's labels/combined_windows.json: print a per-window table (detected or not, first alarm) and the alarms outside windows. The key is the category/file.csv that --data's path ends with." };
        var fileOrder = new Option<bool>("--keep-file-order") { Description = "Accept repeated or decreasing timestamps and keep the rows in file order." };
        var results = new Option<string?>("--results") { Description = "Also write NAB's results CSV (timestamp,value,anomaly_score,label) to this path." };
        var columns = new Option<string[]>("--columns") { Description = "The CSV columns that hold the model's sensor features, in the model's order (comma-separated or repeated), when their names differ from the model's feature names (e.g. a model trained with --feature-names temperature on a CSV whose column is value).", AllowMultipleArgumentsPerToken = true };
        var plot = new Option<string?>("--plot") { Description = "Also write a PNG: the first feature and its forecast, the likelihood and the threshold, the alarms, and the labelled windows when --windows is given." };
        var json = new Option<bool>("--json") { Description = "Print a machine-readable JSON summary instead of a table." };
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
            stdout: stdout,
            stderr: stderr,
            plot: parse.GetValue(plot),
            columns: SplitList(parse.GetValue(columns))));
        return command;
    }

    internal static Command CreateBenchCommand(TextWriter stdout, TextWriter stderr)
    {
        var model = new Argument<string?>("model")
        {
            Description = "A model file (.onnx) or a test folder holding model.onnx. Omit it when using --builtin.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var builtin = new Option<string?>("--builtin") { Description = "Benchmark a built-in streaming model instead of a file: lstm, gru or rnn (random weights, fixed seed)." };
        builtin.AcceptOnlyFromAmong([.. RecurrentCell.All.Select(c => c.Kind.ToString().ToLowerInvariant())]);
        var hidden = new Option<int>("--hidden") { Description = "Hidden size of the built-in model.", DefaultValueFactory = _ => 64 };
        var input = new Option<int>("--input") { Description = "Input features of the built-in model (its output has as many).", DefaultValueFactory = _ => 4 };
        var layers = new Option<int>("--layers") { Description = "Stacked recurrent layers of the built-in model.", DefaultValueFactory = _ => 1 };
        var steps = new Option<int>("--steps") { Description = "Timed steps per runtime (individually, then again in blocks of 1000).", DefaultValueFactory = _ => 20000 };
        var warmup = new Option<int>("--warmup") { Description = "Untimed warm-up steps per runtime (warm-up also lasts at least 300 ms, for the JIT to optimize).", DefaultValueFactory = _ => 2000 };
        var json = new Option<bool>("--json") { Description = "Print machine-readable JSON instead of a table." };
        var command = new Command("bench",
            "Measures the latency of one time step in EdgeRnn (RnnModel.Step, no allocation) and in ONNX Runtime (one thread, "
            + "IoBinding with buffers bound once, state carried through two alternating buffer sets), and their ratio. Reports the "
            + "median of 1000-step block averages (the headline), and the median, p99 and mean of individually timed steps. "
            + "A model that cannot stream is timed as whole-sequence runs. Progress goes to stderr. "
            + "Exit codes: 0 = measured, 2 = bad input (missing or malformed model, bad options).")
        {
            model, builtin, hidden, input, layers, steps, warmup, json,
        };
        command.SetAction(parse => BenchWorker.Run(
            model: parse.GetValue(model),
            builtin: parse.GetValue(builtin),
            hidden: parse.GetValue(hidden),
            input: parse.GetValue(input),
            layers: parse.GetValue(layers),
            steps: parse.GetValue(steps),
            warmup: parse.GetValue(warmup),
            json: parse.GetValue(json),
            stdout: stdout,
            stderr: stderr));
        return command;
    }

    internal static Command CreateTestDataCommand(TextWriter stdout, TextWriter stderr)
    {
        var model = new Argument<string?>("model") { Description = "A model file (.onnx). Omit it when using --builtin.", Arity = ArgumentArity.ZeroOrOne };
        var builtin = new Option<string?>("--builtin") { Description = "Use a built-in whole-sequence model instead of a file: lstm, gru or rnn (random weights, fixed seed)." };
        builtin.AcceptOnlyFromAmong([.. RecurrentCell.All.Select(c => c.Kind.ToString().ToLowerInvariant())]);
        var hidden = new Option<int>("--hidden") { Description = "Hidden size of the built-in model.", DefaultValueFactory = _ => 64 };
        var input = new Option<int>("--input") { Description = "Input features of the built-in model.", DefaultValueFactory = _ => 4 };
        var layers = new Option<int>("--layers") { Description = "Stacked recurrent layers of the built-in model.", DefaultValueFactory = _ => 1 };
        var steps = new Option<int>("--steps") { Description = "Length of each input sequence (symbolic dimensions named like seq/time/len; other symbolic dimensions are 1).", DefaultValueFactory = _ => 200 };
        var sets = new Option<int>("--sets") { Description = "Number of data sets (test_data_set_0, _1, ...).", DefaultValueFactory = _ => 2 };
        var seed = new Option<int>("--seed") { Description = "Seed of the random (standard normal) inputs.", DefaultValueFactory = _ => 1 };
        var output = new Option<string>("--out") { Description = "The test folder to write (model.onnx and the data sets).", Required = true };
        var command = new Command("testdata",
            "Writes an ONNX backend test folder (model.onnx, test_data_set_N/input_K.pb and output_K.pb) with random inputs and the "
            + "outputs ONNX Runtime computes for them, the reference a device is checked against with 'edgernn-device verify'. "
            + "Exit codes: 0 = written, 2 = bad input.")
        {
            model, builtin, hidden, input, layers, steps, sets, seed, output,
        };
        command.SetAction(parse => TestDataWorker.Run(
            model: parse.GetValue(model),
            builtin: parse.GetValue(builtin),
            hidden: parse.GetValue(hidden),
            input: parse.GetValue(input),
            layers: parse.GetValue(layers),
            steps: parse.GetValue(steps),
            sets: parse.GetValue(sets),
            seed: parse.GetValue(seed),
            output: parse.GetValue(output)!,
            stdout: stdout,
            stderr: stderr));
        return command;
    }

    internal static Command CreateTrainCommand(TextWriter stdout, TextWriter stderr)
    {
        var data = new Option<string>("--data") { Description = "The recording: CSV with a header, a timestamp column (ISO 8601, 'YYYY-MM-DD HH:MM:SS' or epoch seconds) and numeric columns; with --tokens, a CSV of token-id sequences (see --tokens).", Required = true };
        var output = new Option<string>("--out") { Description = "The model to write (.onnx). Beside it: <name>.seq.onnx (forecast whole-sequence graph), <name>.ckpt + .ckpt.json (checkpoint), <name>.history.json.", Required = true };
        var task = new Option<TrainTask>("--task") { Description = "forecast (next step of every feature; streaming anomaly detector), autoencoder (window reconstruction) or classify (window to class; needs --label).", DefaultValueFactory = _ => TrainTask.Forecast };
        var cell = new Option<RecurrentCellKind>("--cell") { Description = "Recurrent cell: lstm, gru or rnn.", DefaultValueFactory = _ => RecurrentCellKind.Lstm };
        var hidden = new Option<int>("--hidden") { Description = "Hidden size of each recurrent layer.", DefaultValueFactory = _ => 64 };
        var layers = new Option<int>("--layers") { Description = "Stacked recurrent layers.", DefaultValueFactory = _ => 1 };
        var dropout = new Option<double>("--dropout") { Description = "Dropout between stacked layers while training.", DefaultValueFactory = _ => 0.0 };
        var features = new Option<string[]>("--features") { Description = "Feature columns in model order (comma-separated or repeated); default: every column but the timestamp and the label.", AllowMultipleArgumentsPerToken = true };
        var featureNames = new Option<string[]>("--feature-names") { Description = "Model feature names in the order of --features (comma-separated or repeated), written into the model's edgernn.features; a device profile maps its readings to these names. Default: the CSV column names.", AllowMultipleArgumentsPerToken = true };
        var units = new Option<string[]>("--units") { Description = "Units of the features in model order (comma-separated or repeated, e.g. degF), written into edgernn.features and checked against a device profile's readings. Default: none.", AllowMultipleArgumentsPerToken = true };
        var label = new Option<string?>("--label") { Description = "An integer label column (classes for classify)." };
        var timestamp = new Option<string?>("--timestamp-column") { Description = "The timestamp column; default: timestamp/time/date/datetime, else the first column." };
        var missing = new Option<MissingValuePolicy>("--missing") { Description = "Empty or NaN values: error (stop with file:line:column), interpolate (linear in time) or drop (the row).", DefaultValueFactory = _ => MissingValuePolicy.Error };
        var fileOrder = new Option<bool>("--keep-file-order") { Description = "Accept repeated or decreasing timestamps and keep the rows in file order (NAB's machine-temperature file repeats an hour)." };
        var epochs = new Option<int>("--epochs") { Description = "Maximum epochs.", DefaultValueFactory = _ => 30 };
        var batch = new Option<int>("--batch-size") { Description = "Windows per batch.", DefaultValueFactory = _ => 32 };
        var seqLen = new Option<int>("--seq-len") { Description = "Steps per training window (and the window length of autoencoder/classify models).", DefaultValueFactory = _ => 32 };
        var stride = new Option<int>("--stride") { Description = "Rows between training window starts.", DefaultValueFactory = _ => 1 };
        var valFraction = new Option<double>("--val-fraction") { Description = "Trailing fraction of rows held back for validation (time-ordered; normalization is fit on the rest).", DefaultValueFactory = _ => 0.2 };
        var lr = new Option<double>("--lr") { Description = "AdamW learning rate.", DefaultValueFactory = _ => 1e-3 };
        var weightDecay = new Option<double>("--weight-decay") { Description = "AdamW weight decay.", DefaultValueFactory = _ => 1e-4 };
        var clip = new Option<double>("--clip-norm") { Description = "Gradient-norm clipping (0 = off).", DefaultValueFactory = _ => 1.0 };
        var patience = new Option<int>("--patience") { Description = "Early stopping: epochs without validation improvement (the best weights are restored). The learning rate halves after 3 such epochs.", DefaultValueFactory = _ => 8 };
        var seed = new Option<int>("--seed") { Description = "Seed of weights, shuffling and dropout.", DefaultValueFactory = _ => 1 };
        var threads = new Option<int>("--threads") { Description = "torch intra-op threads (1 was fastest on 2 cores).", DefaultValueFactory = _ => 1 };
        var falseAlarm = new Option<double>("--false-alarm-rate") { Description = "Scorer calibration (forecast, autoencoder): the exported model scores the recording step by step as the device will, and the threshold is the (1 - rate) quantile of the validation likelihoods, the exit threshold the (1 - 10 x rate) quantile (both at least 0.5).", DefaultValueFactory = _ => 0.001 };
        var minDuration = new Option<int>("--min-duration") { Description = "Scorer: consecutive steps at or above the threshold before an anomaly starts.", DefaultValueFactory = _ => 1 };
        var shortWindow = new Option<int>("--short-window") { Description = "Scorer: span in steps of the short error average.", DefaultValueFactory = _ => 10 };
        var longWindow = new Option<int>("--long-window") { Description = "Scorer: span in steps of the long-term error statistics.", DefaultValueFactory = _ => 500 };
        var warmupSteps = new Option<int>("--warmup-steps") { Description = "Scorer: steps after a reset with no score while the statistics learn.", DefaultValueFactory = _ => 100 };
        var headFraction = new Option<double>("--head-fraction") { Description = "Use only this leading fraction of the rows for training and validation; the rest is not read into the model.", DefaultValueFactory = _ => 1.0 };
        var probationary = new Option<bool>("--probationary") { Description = "Use only NAB's probationary period for training and validation: the first min(floor(0.15 x rows), 750) rows, the rows a NAB detector may learn from before it is scored (a 15% head fraction on a file over 5,000 rows would learn from rows that are then scored)." };
        var timeFeatures = new Option<string>("--time-features") { Description = "Give a forecast model the clock as extra inputs: day (sine and cosine of the time of day), week (day and day of week) or none. The device computes them from each sample's time (a replay's timestamps, else its local clock); the scorer judges only the sensor features.", DefaultValueFactory = _ => "none" };
        timeFeatures.AcceptOnlyFromAmong("none", "day", "week");
        var scorerMethod = new Option<string>("--scorer") { Description = "Scorer likelihood: gaussian (normal CDF of the short error average; saturates at 1) or log-tail (the tail probability on a log scale, as NAB's anomaly likelihood; keeps its resolution near the top).", DefaultValueFactory = _ => ScorerSettings.GaussianMethod };
        scorerMethod.AcceptOnlyFromAmong(ScorerSettings.GaussianMethod, ScorerSettings.LogTailMethod);
        var spatialTolerance = new Option<double>("--spatial-tolerance") { Description = "Scorer (log-tail): a reading beyond the range seen so far by more than this fraction of the range scores 1 at once (0 = off).", DefaultValueFactory = _ => 0.0 };
        var bidirectional = new Option<bool>("--bidirectional") { Description = "Bidirectional recurrent layers (autoencoder and classify only; refused for forecast, which must stream). Each layer outputs forward and reverse states concatenated (2 x --hidden)." };
        var tokens = new Option<string?>("--tokens") { Description = "Token-id classification (--task classify): the CSV column holding each sequence's token ids separated by spaces, one sequence per line, with the class in the --label column (default 'label'); e.g. header 'tokens,label', row '5 12 7 3,1'. No timestamp. Sequences shorter than --seq-len are padded at the front with --pad-id, longer ones keep their last --seq-len ids; the model takes int64 ids [seq-len, 1] through an embedding (ONNX Gather)." };
        var vocab = new Option<int>("--vocab") { Description = "Token models: vocabulary size (ids in [0, vocab)); 0 = the data's largest id + 1.", DefaultValueFactory = _ => 0 };
        var embeddingDim = new Option<int>("--embedding-dim") { Description = "Token models: embedding width.", DefaultValueFactory = _ => 16 };
        var padId = new Option<long>("--pad-id") { Description = "Token models: the id that pads short sequences at the front.", DefaultValueFactory = _ => 0L };
        var json = new Option<bool>("--json") { Description = "Print a machine-readable JSON summary on stdout." };
        var command = new Command("train",
            "Trains a recurrent sensor model with TorchSharp on the CPU, exports ONNX (opset 17) with edgernn metadata, and verifies the export: "
            + "ONNX Runtime and the EdgeRnn runtime must match TorchSharp within 1e-4 on held-back data, or nothing is written. Progress goes to stderr. "
            + "Exit codes: 0 = trained and verified, 1 = export verification failed, 2 = bad input (unreadable CSV, bad options).")
        {
            data, output, task, cell, hidden, layers, dropout, features, featureNames, units, label, timestamp, missing, fileOrder, epochs, batch, seqLen, stride, valFraction, lr, weightDecay, clip, patience, seed, threads, falseAlarm, minDuration, shortWindow, longWindow, warmupSteps, scorerMethod, spatialTolerance, headFraction, probationary, timeFeatures, bidirectional, tokens, vocab, embeddingDim, padId, json,
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
                    ClipNorm = parse.GetValue(clip), Patience = parse.GetValue(patience), Seed = parse.GetValue(seed), Threads = parse.GetValue(threads),
                },
                Json: parse.GetValue(json))
            {
                HeadFraction = parse.GetValue(headFraction),
                Probationary = parse.GetValue(probationary),
                TimeFeatureNames = parse.GetValue(timeFeatures) switch { "day" => TimeFeatures.Daily, "week" => TimeFeatures.DailyAndWeekly, _ => [] },
                TokenColumn = parse.GetValue(tokens),
                PadId = parse.GetValue(padId),
                FeatureNames = SplitList(parse.GetValue(featureNames)),
                Units = SplitList(parse.GetValue(units)),
                Scorer = new ScorerOptions
                {
                    FalseAlarmRate = parse.GetValue(falseAlarm), MinDuration = parse.GetValue(minDuration), ShortWindow = parse.GetValue(shortWindow),
                    LongWindow = parse.GetValue(longWindow), WarmupSteps = parse.GetValue(warmupSteps),
                    Method = parse.GetValue(scorerMethod)!, SpatialTolerance = parse.GetValue(spatialTolerance),
                },
            },
            stdout,
            stderr));
        return command;
    }

    /// <summary>Comma-separated or repeated values as one list; null when the option was not given (the parser yields an empty array then).</summary>
    private static string[]? SplitList(string[]? values) =>
        values is null or [] ? null : [.. values.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))];

    internal static Command CreateSynthCommand(TextWriter stdout, TextWriter stderr)
    {
        var output = new Option<string>("--out") { Description = "The CSV to write: timestamp, the feature columns, anomaly.", Required = true };
        var kit = new Option<SensorKit>("--kit")
        {
            Description = "What to simulate. generic: --sensors unitless columns sensor0.. at one row a minute (sinusoids plus noise). "
                + "The others match a shipped device profile's columns, units and sample period, with physically plausible signals and the sensor's noise, range and resolution: "
                + "environment = a BME280 (devices/pi-bme280.json): temperature degC (diurnal cycle 15-30), pressure hPa (weather and fronts around 1013), humidity %RH (falls as the air warms), every 1 s; "
                + "imu = an MPU6050 on a machine vibrating at 12 and 25 Hz (devices/pi-mpu6050.json): accel_x/y/z m/s2 (gravity on z, a small tilt), gyro_x/y/z deg/s, every 0.02 s; "
                + "analog = an ADS1115 (devices/pi-ads1115.json) reading the current and vibration sensor modules of a machine whose motor keeps running while its load cycles between loaded and idle, in V (0-3.3), every 0.1 s. "
                + "Kit anomalies are sensor faults sized in the feature's units.",
            DefaultValueFactory = _ => SensorKit.Generic,
        };
        var rows = new Option<int?>("--rows") { Description = $"Rows. Default: {SynthWorker.GenericRows} for generic; a kit's own otherwise (environment 345600 = 4 days, imu 60000 = 20 min, analog 72000 = 2 h)." };
        var sensors = new Option<int?>("--sensors") { Description = $"Sensors (feature columns) of the generic recording (default {SynthWorker.GenericSensors}); a kit's columns are fixed." };
        var anomalies = new Option<int>("--anomalies") { Description = "Injected anomalies (spike, level shift, drift, stuck sensor, noise burst in turn), each on one random feature, after the clean first part (--clean-fraction).", DefaultValueFactory = _ => 10 };
        var cleanFraction = new Option<double>("--clean-fraction") { Description = "Leading fraction of the rows kept free of anomalies, to learn from (train with the same --head-fraction).", DefaultValueFactory = _ => 0.5 };
        var seed = new Option<int>("--seed") { Description = "Seed: the same options and seed write the same file.", DefaultValueFactory = _ => 1 };
        var command = new Command("synth",
            "Writes a seeded synthetic recording with labelled injected anomalies (label column 'anomaly': 0 none, 1 spike, 2 level shift, 3 drift, 4 stuck, 5 noise burst): "
            + "a generic multi-sensor one, or with --kit one that behaves like a shipped device profile's sensors, to train its model when no real recording is at hand. "
            + "Exit codes: 0 = written, 2 = bad input.")
        {
            output, kit, rows, sensors, anomalies, cleanFraction, seed,
        };
        command.SetAction(parse => SynthWorker.Run(
            new SynthRequest(
                Out: parse.GetValue(output)!,
                Kit: parse.GetValue(kit),
                Rows: parse.GetValue(rows),
                Sensors: parse.GetValue(sensors),
                Anomalies: parse.GetValue(anomalies),
                CleanFraction: parse.GetValue(cleanFraction),
                Seed: parse.GetValue(seed)),
            stdout,
            stderr));
        return command;
    }
}
