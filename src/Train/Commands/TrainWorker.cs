using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using EdgeRnn.Deployment.Cli;
using EdgeRnn.Deployment.Metadata;
using EdgeRnn.Runtime;
using EdgeRnn.Train.Data;
using EdgeRnn.Train.Export;
using EdgeRnn.Train.Models;
using EdgeRnn.Train.Nab;
using EdgeRnn.Train.Scoring;
using EdgeRnn.Train.Training;

namespace EdgeRnn.Train.Commands;

/// <summary>What <c>edgernn train</c> reads.</summary>
internal sealed record TrainRequest(string Data, string Out, CsvReadOptions Csv, ModelConfig Shape, TrainOptions Options, bool Json)
{
    /// <summary>Scorer calibration (forecast and autoencoder).</summary>
    public ScorerOptions Scorer { get; init; } = new();

    /// <summary>Use only this leading fraction of the rows; 1 = all.</summary>
    public double HeadFraction { get; init; } = 1;

    /// <summary>Use only NAB's probationary period: the first min(floor(0.15 x rows), 750) rows.</summary>
    public bool Probationary { get; init; }

    /// <summary>Clock features appended to the inputs (<see cref="TimeFeatures"/>); empty = none.</summary>
    public IReadOnlyList<string> TimeFeatureNames { get; init; } = [];

    /// <summary>The column of space-separated token ids (token classification), or null for a sensor recording.</summary>
    public string? TokenColumn { get; init; }

    /// <summary>The id that pads short token sequences at the front.</summary>
    public long PadId { get; init; }

    /// <summary>Model feature names in order (null = the CSV column names); the device profile maps readings to these.</summary>
    public IReadOnlyList<string>? FeatureNames { get; init; }

    /// <summary>Units of the features in order, written into edgernn.features (null = none).</summary>
    public IReadOnlyList<string>? Units { get; init; }
}

/// <summary>
/// <c>edgernn train</c>: reads the CSV, trains, exports ONNX with metadata, verifies the export (TorchSharp == ONNX
/// Runtime == EdgeRnn runtime within 1e-4 on held-back data) and writes the model, the sequence graph (forecast),
/// the checkpoint and the history.
/// </summary>
internal static class TrainWorker
{
    /// <summary>
    /// Steps in a forecast model's golden vector, the device's self-check (the design asks for "a few input steps and
    /// the expected outputs"). The first step already reads every weight and the kernels' tails; the next ones carry
    /// the state through 7 updates. More steps repeat those checks and cost ~55 bytes each in every float and int8 file.
    /// </summary>
    internal const int GoldenSteps = 8;

    public static int Run(TrainRequest request, TextWriter stdout, TextWriter stderr) =>
        TorchRuntime.Exclusive(() => RunExclusive(request, stdout, stderr));

    private static int RunExclusive(TrainRequest request, TextWriter stdout, TextWriter stderr)
    {
        if (request.Shape.Bidirectional && request.Shape.Task == TrainTask.Forecast)
        {
            stderr.WriteLine("error: --bidirectional is for the window tasks (--task autoencoder or classify): a forecast model must stream step by step, and a reverse direction needs the whole window first.");
            return ToolExitCodes.BadInput;
        }

        if (request.TokenColumn is not null)
        {
            if (request.FeatureNames is not null || request.Units is not null)
            {
                stderr.WriteLine("error: --feature-names and --units are for sensor recordings; a token model's one input is the --tokens column.");
                return ToolExitCodes.BadInput;
            }

            return RunTokens(request, stdout, stderr);
        }

        if (request.Shape.Vocabulary != 0)
        {
            stderr.WriteLine("error: --vocab is for token models (--tokens COLUMN).");
            return ToolExitCodes.BadInput;
        }

        SensorRecording recording;
        try
        {
            request.Scorer.Validate();
            recording = CsvRecordingReader.Read(request.Data, request.Csv);
            if (!(request.HeadFraction is > 0 and <= 1))
            {
                throw new ArgumentException($"--head-fraction must be in (0, 1] (got {request.HeadFraction}).");
            }

            if (request.HeadFraction < 1 && request.Probationary)
            {
                throw new ArgumentException("--head-fraction and --probationary both choose the rows to learn from; give one.");
            }

            if (request.HeadFraction < 1)
            {
                recording = recording.Slice(0, (int)Math.Round(recording.Rows * request.HeadFraction));
            }
            else if (request.Probationary)
            {
                recording = recording.Slice(0, NabRules.ProbationaryRows(recording.Rows));
            }

            if (request.FeatureNames is not null)
            {
                if (request.FeatureNames.Count != recording.FeatureCount)
                {
                    throw new ArgumentException($"--feature-names gives {request.FeatureNames.Count} names for {recording.FeatureCount} features ({string.Join(", ", recording.Features)}).");
                }

                recording = recording.WithFeatureNames(request.FeatureNames);
            }

            if (request.Units is not null && request.Units.Count != recording.FeatureCount)
            {
                throw new ArgumentException($"--units gives {request.Units.Count} units for {recording.FeatureCount} features ({string.Join(", ", recording.Features)}).");
            }

            if (request.TimeFeatureNames.Count > 0 && request.Shape.Task != TrainTask.Forecast)
            {
                throw new ArgumentException("--time-features is for forecast models (the device computes them each step).");
            }

            recording = recording.WithTimeFeatures(request.TimeFeatureNames);
        }
        catch (Exception e) when (e is CsvFormatException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            stderr.WriteLine("error: " + e.Message);
            return ToolExitCodes.BadInput;
        }

        TrainResult result;
        try
        {
            stderr.WriteLine($"train: {recording.Rows} rows x {recording.FeatureCount} features from {request.Data}; {request.Shape.Task} {request.Shape.Cell} hidden {request.Shape.Hidden} x {request.Shape.Layers}, torch threads {request.Options.Threads}");
            result = TrainingProgress.Run(stderr, (onEpoch, onBatch) => Trainer.Train(recording, request.Shape, request.Options, onEpoch, onBatch));
        }
        catch (ArgumentException e)
        {
            stderr.WriteLine("error: " + e.Message);
            return ToolExitCodes.BadInput;
        }

        string hash = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(request.Data)));
        try
        {
            return ExportAndVerify(result.Net, result.Normalizer, recording, result.Normalized, result.TrainRows, result.History, hash, request.Options.Seed,
                request.Scorer, request.Out, request.Json, stdout, stderr, request.Units);
        }
        catch (ArgumentException e)
        {
            stderr.WriteLine("error: " + e.Message);
            return ToolExitCodes.BadInput;
        }
    }

    internal static int ExportAndVerify(SensorNet net, ZScoreNormalizer normalizer, SensorRecording recording, float[] normalized, int trainRows,
        TrainingHistory history, string dataHash, int seed, ScorerOptions scorerOptions, string output, bool json, TextWriter stdout, TextWriter stderr,
        IReadOnlyList<string>? units = null)
    {
        ModelConfig c = net.Config;
        int features = c.Features;
        int steps = c.Task == TrainTask.Forecast ? Math.Min(256, recording.Rows - trainRows) : c.Window;
        float[] heldBack = normalized.AsSpan(trainRows * features, steps * features).ToArray();
        GoldenVector? golden = null;
        if (c.Task == TrainTask.Forecast)
        {
            int g = Math.Min(GoldenSteps, steps);
            float[] inputs = GoldenVector.RoundInputs(heldBack.AsSpan(0, g * features));
            float[] outputs = ExportVerifier.TorchForward(net, inputs, g);
            golden = new GoldenVector
            {
                Inputs = [.. Enumerable.Range(0, g).Select(t => inputs[(t * features)..((t + 1) * features)])],
                Outputs = [.. Enumerable.Range(0, g).Select(t => outputs[(t * features)..((t + 1) * features)])],
            }.WithRoundedOutputs();
        }

        var provenance = new Dictionary<string, object>
        {
            ["data"] = Path.GetFileName(recording.Source),
            ["data_sha256"] = dataHash,
            ["seed"] = seed,
            ["epochs"] = history.Epochs.Count,
            ["best_epoch"] = history.BestEpoch,
            ["cell"] = c.Cell.ToString().ToLowerInvariant(),
            ["hidden"] = c.Hidden,
            ["layers"] = c.Layers,
            ["metrics"] = history.Metrics,
        };
        var metadata = new EdgeRnnMetadata
        {
            Task = c.Task switch { TrainTask.Forecast => ModelTask.Forecast, TrainTask.Autoencoder => ModelTask.Autoencoder, _ => ModelTask.Classify },
            Features = [.. recording.Features.Select((f, i) => new FeatureInfo(f, units is not null && i < units.Count ? units[i] : "", normalizer.Mean[i], normalizer.Std[i]))],
            SamplePeriodSeconds = recording.SamplePeriodSeconds > 0 ? recording.SamplePeriodSeconds : null,
            WindowLength = c.Task == TrainTask.Forecast ? null : c.Window,
            Classes = c.Task == TrainTask.Classify ? [.. Enumerable.Range(0, c.Classes).Select(k => k.ToString(CultureInfo.InvariantCulture))] : null,
            Scorer = c.Task == TrainTask.Classify ? null : scorerOptions.ToSettings(),
            Golden = golden,
            ProvenanceJson = JsonSerializer.Serialize(provenance),
        };

        ExportedModel model = OnnxExporter.Export(net, metadata.ToProperties());
        VerifyErrors errors = ExportVerifier.Verify(net, model, heldBack);
        bool passed = errors.Passed(ExportVerifier.DefaultTolerance);
        string summary = errors.Summary;
        if (!passed)
        {
            stderr.WriteLine("error: " + errors.FailureMessage(ExportVerifier.DefaultTolerance));
            return ToolExitCodes.ComparisonFailed;
        }

        ScorerCalibration? calibration = null;
        if (c.Task != TrainTask.Classify)
        {
            // Score the recording with the exported graph exactly as the device will, then pick the thresholds from
            // the validation rows' likelihoods and write them into edgernn.scorer (the weights are unchanged).
            calibration = Calibrate(model.Main, recording, trainRows, scorerOptions);
            metadata = metadata with { Scorer = calibration.Settings };
            model = OnnxExporter.Export(net, metadata.ToProperties());
        }

        string full = Path.GetFullPath(output);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        string stem = Path.ChangeExtension(full, null);
        string? sequencePath = model.Sequence is null ? null : stem + ".seq.onnx";
        WriteModels(full, model);
        string checkpoint = stem + ".ckpt";
        net.save(checkpoint);
        File.WriteAllText(stem + ".ckpt.json", JsonSerializer.Serialize(new CheckpointInfo(c, normalizer.Mean, normalizer.Std, [.. recording.Features],
            recording.SamplePeriodSeconds, heldBack, dataHash, seed) { Metadata = new Dictionary<string, string>(metadata.ToProperties()) }));
        File.WriteAllText(stem + ".history.json", JsonSerializer.Serialize(history, s_indented));
        HistoryPlot.SavePng(history, stem + ".history.png");
        var result = new Dictionary<string, object?>
        {
            ["model"] = full,
            ["sequenceModel"] = sequencePath,
            ["checkpoint"] = checkpoint,
            ["history"] = stem + ".history.json",
            ["plot"] = stem + ".history.png",
            ["task"] = c.Task.ToString().ToLowerInvariant(),
            ["epochs"] = history.Epochs.Count,
            ["bestEpoch"] = history.BestEpoch,
            ["bestValLoss"] = history.BestValidationLoss,
            ["metrics"] = history.Metrics,
            ["verifyMaxAbs"] = errors.Max,
            ["scorer"] = calibration is null ? null : new Dictionary<string, object>
            {
                ["threshold"] = calibration.Settings.Threshold,
                ["exitThreshold"] = calibration.Settings.ExitThreshold,
                ["falseAlarmRateTarget"] = scorerOptions.FalseAlarmRate,
                ["minDuration"] = calibration.Settings.MinDuration,
                ["shortWindow"] = calibration.Settings.ShortWindow,
                ["longWindow"] = calibration.Settings.LongWindow,
                ["warmupSteps"] = calibration.Settings.WarmupSteps,
                ["validationSteps"] = calibration.Steps,
                ["validationAlarms"] = calibration.Alarms,
                ["validationFlaggedFraction"] = calibration.FlaggedFraction,
            },
        };
        if (json)
        {
            stdout.WriteLine(JsonSerializer.Serialize(result, s_indented));
        }
        else
        {
            stdout.WriteLine(summary);
            string metrics = string.Join(", ", history.Metrics.Select(m => string.Create(CultureInfo.InvariantCulture, $"{m.Key} {m.Value:F4}")));
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"best epoch {history.BestEpoch} of {history.Epochs.Count}, val loss {history.BestValidationLoss:F5}; {metrics}"));
            if (calibration is not null)
            {
                stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"scorer: threshold {calibration.Settings.Threshold:G6}, exit {calibration.Settings.ExitThreshold:G6} (target false-alarm rate {scorerOptions.FalseAlarmRate:G3} on {calibration.Steps} validation steps: {calibration.Alarms} alarms, {calibration.FlaggedFraction:P2} of steps flagged)"));
            }
            stdout.WriteLine($"wrote {full}" + (sequencePath is null ? "" : $", {sequencePath}") + $", {checkpoint}(.json), {stem}.history.json, {stem}.history.png");
        }

        return ToolExitCodes.Success;
    }

    /// <summary>Token classification: reads the token CSV, trains, exports (Gather embedding over int64 ids), verifies, writes.</summary>
    private static int RunTokens(TrainRequest request, TextWriter stdout, TextWriter stderr)
    {
        TokenDataset data;
        TokenTrainResult result;
        try
        {
            if (request.Shape.Task != TrainTask.Classify)
            {
                throw new ArgumentException("--tokens is for --task classify.");
            }

            if (request.Shape.EmbeddingDim < 1 || request.Shape.Vocabulary < 0)
            {
                throw new ArgumentException("--embedding-dim must be at least 1 and --vocab at least 0 (0 = the largest id + 1).");
            }

            data = TokenDataset.Read(request.Data, request.TokenColumn!, request.Csv.LabelColumn ?? "label", request.Options.SequenceLength, request.PadId);
            stderr.WriteLine($"train: {data.Count} token sequences (length {data.SequenceLength}, {data.Truncated} cut to their last {data.SequenceLength} ids) from {request.Data}; classify {request.Shape.Cell}{(request.Shape.Bidirectional ? " bidirectional" : "")} hidden {request.Shape.Hidden} x {request.Shape.Layers}, embedding {request.Shape.EmbeddingDim}, torch threads {request.Options.Threads}");
            result = TrainingProgress.Run(stderr, (onEpoch, onBatch) => Trainer.TrainTokens(data, request.Shape, request.Options, onEpoch, onBatch));
        }
        catch (Exception e) when (e is CsvFormatException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            stderr.WriteLine("error: " + e.Message);
            return ToolExitCodes.BadInput;
        }

        SensorNet net = result.Net;
        ModelConfig c = net.Config;
        long[] heldBack = result.Validation.Tokens!.AsSpan(0, Math.Min(4, result.Validation.Count) * c.Window).ToArray();
        string hash = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(request.Data)));
        var provenance = new Dictionary<string, object>
        {
            ["data"] = Path.GetFileName(data.Source),
            ["data_sha256"] = hash,
            ["seed"] = request.Options.Seed,
            ["epochs"] = result.History.Epochs.Count,
            ["best_epoch"] = result.History.BestEpoch,
            ["cell"] = c.Cell.ToString().ToLowerInvariant(),
            ["hidden"] = c.Hidden,
            ["layers"] = c.Layers,
            ["bidirectional"] = c.Bidirectional,
            ["metrics"] = result.History.Metrics,
        };
        var metadata = new EdgeRnnMetadata
        {
            Task = ModelTask.Classify,
            Features = [new FeatureInfo(request.TokenColumn!, "token id", 0, 1)],
            WindowLength = c.Window,
            Classes = [.. Enumerable.Range(0, c.Classes).Select(k => k.ToString(CultureInfo.InvariantCulture))],
            ProvenanceJson = JsonSerializer.Serialize(provenance),
        };
        var properties = new Dictionary<string, string>(metadata.ToProperties())
        {
            [TokensMetadataKey] = JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["vocab"] = c.Vocabulary,
                ["embedding_dim"] = c.EmbeddingDim,
                ["pad_id"] = data.PadId,
                ["padding"] = "front",
                ["longer"] = "keep_last",
            }),
        };
        ExportedModel model = OnnxExporter.Export(net, properties);
        VerifyErrors errors = ExportVerifier.VerifyTokens(net, model, heldBack);
        string summary = errors.Summary;
        if (!errors.Passed(ExportVerifier.DefaultTolerance))
        {
            stderr.WriteLine("error: " + errors.FailureMessage(ExportVerifier.DefaultTolerance));
            return ToolExitCodes.ComparisonFailed;
        }

        string full = Path.GetFullPath(request.Out);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        string stem = Path.ChangeExtension(full, null);
        WriteModels(full, model);
        string checkpoint = stem + ".ckpt";
        net.save(checkpoint);
        File.WriteAllText(stem + ".ckpt.json", JsonSerializer.Serialize(new CheckpointInfo(c, [], [], [request.TokenColumn!], 0, [], hash, request.Options.Seed)
        {
            Metadata = properties,
            HeldBackTokens = heldBack,
        }));
        File.WriteAllText(stem + ".history.json", JsonSerializer.Serialize(result.History, s_indented));
        HistoryPlot.SavePng(result.History, stem + ".history.png");
        if (request.Json)
        {
            stdout.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object?>
            {
                ["model"] = full,
                ["sequenceModel"] = null,
                ["stepModel"] = model.Step is null ? null : stem + ".step.onnx",
                ["checkpoint"] = checkpoint,
                ["history"] = stem + ".history.json",
                ["plot"] = stem + ".history.png",
                ["task"] = "classify",
                ["tokens"] = true,
                ["vocab"] = c.Vocabulary,
                ["sequences"] = data.Count,
                ["epochs"] = result.History.Epochs.Count,
                ["bestEpoch"] = result.History.BestEpoch,
                ["bestValLoss"] = result.History.BestValidationLoss,
                ["metrics"] = result.History.Metrics,
                ["verifyMaxAbs"] = errors.Max,
            }, s_indented));
        }
        else
        {
            stdout.WriteLine(summary);
            string metrics = string.Join(", ", result.History.Metrics.Select(m => string.Create(CultureInfo.InvariantCulture, $"{m.Key} {m.Value:F4}")));
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"best epoch {result.History.BestEpoch} of {result.History.Epochs.Count}, val loss {result.History.BestValidationLoss:F5}; {metrics}"));
            stdout.WriteLine($"wrote {full}" + (model.Step is null ? "" : $", {stem}.step.onnx") + $", {checkpoint}(.json), {stem}.history.json, {stem}.history.png");
        }

        return ToolExitCodes.Success;
    }

    /// <summary>The metadata key of a token classifier's input contract: vocab, embedding_dim, pad_id, padding (front), longer (keep_last).</summary>
    public const string TokensMetadataKey = "edgernn.tokens";


    /// <summary>
    /// Writes the model (and its <c>.seq.onnx</c>) all or nothing: each goes to a temporary file first and is renamed
    /// into place only after every file was written.
    /// </summary>
    internal static void WriteModels(string fullPath, ExportedModel model)
    {
        var files = new List<(string Path, byte[] Bytes)> { (fullPath, model.Main) };
        if (model.Sequence is not null)
        {
            files.Add((Path.ChangeExtension(fullPath, null) + ".seq.onnx", model.Sequence));
        }

        if (model.Step is not null)
        {
            files.Add((Path.ChangeExtension(fullPath, null) + ".step.onnx", model.Step));
        }

        var temporary = files.Select(f => f.Path + ".partial").ToArray();
        try
        {
            for (int i = 0; i < files.Count; i++)
            {
                File.WriteAllBytes(temporary[i], files[i].Bytes);
            }

            for (int i = 0; i < files.Count; i++)
            {
                File.Move(temporary[i], files[i].Path, overwrite: true);
            }
        }
        finally
        {
            foreach (string t in temporary)
            {
                File.Delete(t);
            }
        }
    }

    /// <summary>Scores the whole recording from row 0 with the exported graph and calibrates on the validation rows.</summary>
    internal static ScorerCalibration Calibrate(byte[] graph, SensorRecording recording, int trainRows, ScorerOptions options)
    {
        RnnModel model = RnnModel.Load(graph);
        EdgeRnnMetadata metadata = EdgeRnnMetadata.Read(model.Metadata) ?? throw new InvalidOperationException("The exported model has no edgernn metadata.");
        ScorerSettings settings = options.ToSettings();
        ScoredStream scored = StreamScorer.Score(model, metadata, recording.Values, settings);
        return ScorerCalibrator.Calibrate(scored.Likelihoods, trainRows, recording.Labels, options);
    }

    private static readonly JsonSerializerOptions s_indented = new() { WriteIndented = true };
}

/// <summary>What <c>edgernn export</c> needs besides the weights: the shape, the normalization and held-back input to verify on.</summary>
internal sealed record CheckpointInfo(ModelConfig Config, float[] Mean, float[] Std, string[] Features, double SamplePeriodSeconds, float[] HeldBack, string DataHash, int Seed)
{
    /// <summary>The edgernn.* metadata the trained model was exported with (calibrated scorer included); <c>edgernn export</c> writes it again.</summary>
    public Dictionary<string, string>? Metadata { get; init; }

    /// <summary>Held-back token sequences (token classifiers; <see cref="HeldBack"/> is then empty).</summary>
    public long[]? HeldBackTokens { get; init; }
}
