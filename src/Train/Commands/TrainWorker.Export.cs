using System.Globalization;
using System.Text.Json;
using EdgeRnn.Deployment.Cli;
using EdgeRnn.Deployment.Metadata;
using EdgeRnn.Runtime;
using EdgeRnn.Train.Data;
using EdgeRnn.Train.Export;
using EdgeRnn.Train.Models;
using EdgeRnn.Train.Scoring;
using EdgeRnn.Train.Training;

namespace EdgeRnn.Train.Commands;

/// <summary>Export and verification: the ONNX files with their edgernn metadata, checked against TorchSharp and ONNX Runtime before anything is written; scorer calibration.</summary>
internal static partial class TrainWorker
{
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
        string checkpoint = stem + ".ckpt";
        try
        {
            WriteTrainingOutputs(full, model, net, JsonSerializer.Serialize(new CheckpointInfo(c, normalizer.Mean, normalizer.Std, [.. recording.Features],
                recording.SamplePeriodSeconds, heldBack, dataHash, seed) { Metadata = new Dictionary<string, string>(metadata.ToProperties()) }), history);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"error: writing the outputs beside {full} failed: {e.Message} Every file is written under a temporary name first and renamed only when all are complete, so none is left half-written.");
            return ToolExitCodes.BadInput;
        }

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

    /// <summary>
    /// Writes the model (and its <c>.seq.onnx</c> / <c>.step.onnx</c>) all or nothing: each goes to a temporary file
    /// first and is renamed into place only after every file was written.
    /// </summary>
    internal static void WriteModels(string fullPath, ExportedModel model) => WriteAllOrNothing(ModelFiles(fullPath, model));

    /// <summary>
    /// Writes everything <c>edgernn train</c> leaves (the models, the checkpoint and its JSON, the history and its plot)
    /// all or nothing: a full disk while any of them is written leaves none of them and no temporary file.
    /// </summary>
    internal static void WriteTrainingOutputs(string fullPath, ExportedModel model, SensorNet net, string checkpointJson, TrainingHistory history)
    {
        string stem = Path.ChangeExtension(fullPath, null);
        WriteAllOrNothing(
        [
            (stem + ".ckpt", temporary => net.save(temporary)),
            (stem + ".ckpt.json", temporary => File.WriteAllText(temporary, checkpointJson)),
            (stem + ".history.json", temporary => File.WriteAllText(temporary, JsonSerializer.Serialize(history, s_indented))),
            (stem + ".history.png", temporary => HistoryPlot.SavePng(history, temporary)),
            .. ModelFiles(fullPath, model),
        ]);
    }

    private static List<(string Path, Action<string> Write)> ModelFiles(string fullPath, ExportedModel model)
    {
        string stem = Path.ChangeExtension(fullPath, null);
        var files = new List<(string Path, Action<string> Write)> { (fullPath, temporary => File.WriteAllBytes(temporary, model.Main)) };
        if (model.Sequence is { } sequence)
        {
            files.Add((stem + ".seq.onnx", temporary => File.WriteAllBytes(temporary, sequence)));
        }

        if (model.Step is { } step)
        {
            files.Add((stem + ".step.onnx", temporary => File.WriteAllBytes(temporary, step)));
        }

        return files;
    }

    /// <summary>Writes every file to <c>name.partial</c>, then renames them all (the models last); on failure removes the partial files.</summary>
    private static void WriteAllOrNothing(List<(string Path, Action<string> Write)> files)
    {
        string[] temporary = [.. files.Select(f => f.Path + ".partial")];
        try
        {
            for (int i = 0; i < files.Count; i++)
            {
                files[i].Write(temporary[i]);
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
                if (File.Exists(t))
                {
                    File.Delete(t);
                }
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
