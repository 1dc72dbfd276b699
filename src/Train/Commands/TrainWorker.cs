using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using EdgeRnn.Runtime.Metadata;
using EdgeRnn.Runtime.Tools;
using EdgeRnn.Train.Data;
using EdgeRnn.Train.Export;
using EdgeRnn.Train.Models;
using EdgeRnn.Train.Training;

namespace EdgeRnn.Train.Commands;

/// <summary>What <c>edgernn train</c> reads.</summary>
internal sealed record TrainRequest(string Data, string Out, CsvReadOptions Csv, ModelConfig Shape, TrainOptions Options, bool Json);

/// <summary>
/// <c>edgernn train</c>: reads the CSV, trains, exports ONNX with metadata, verifies the export (TorchSharp == ONNX
/// Runtime == EdgeRnn runtime within 1e-4 on held-back data) and writes the model, the sequence graph (forecast),
/// the checkpoint and the history.
/// </summary>
internal static class TrainWorker
{
    public static int Run(TrainRequest request, TextWriter stdout, TextWriter stderr)
    {
        SensorRecording recording;
        try
        {
            recording = CsvRecordingReader.Read(request.Data, request.Csv);
        }
        catch (Exception e) when (e is CsvFormatException or IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine("error: " + e.Message);
            return ToolExitCodes.BadInput;
        }

        TrainResult result;
        try
        {
            stderr.WriteLine($"train: {recording.Rows} rows x {recording.FeatureCount} features from {request.Data}; {request.Shape.Task} {request.Shape.Cell} hidden {request.Shape.Hidden} x {request.Shape.Layers}, torch threads {request.Options.Threads}");
            result = Trainer.Train(recording, request.Shape, request.Options, (e, total) => stderr.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"epoch {e.Epoch}/{total}  loss {e.TrainLoss:F5}  val {e.ValidationLoss:F5}  lr {e.LearningRate:G3}  {e.Seconds:F1}s")));
        }
        catch (ArgumentException e)
        {
            stderr.WriteLine("error: " + e.Message);
            return ToolExitCodes.BadInput;
        }

        string hash = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(request.Data)));
        return ExportAndVerify(result.Net, result.Normalizer, recording, result.Normalized, result.TrainRows, result.History, hash, request.Options.Seed, request.Out, request.Json, stdout, stderr);
    }

    internal static int ExportAndVerify(SensorNet net, ZScoreNormalizer normalizer, SensorRecording recording, float[] normalized, int trainRows,
        TrainingHistory history, string dataHash, int seed, string output, bool json, TextWriter stdout, TextWriter stderr)
    {
        ModelConfig c = net.Config;
        int features = c.Features;
        int steps = c.Task == TrainTask.Forecast ? Math.Min(256, recording.Rows - trainRows) : c.Window;
        float[] heldBack = normalized.AsSpan(trainRows * features, steps * features).ToArray();
        GoldenVector? golden = null;
        if (c.Task == TrainTask.Forecast)
        {
            int g = Math.Min(16, steps);
            float[] outputs = ExportVerifier.TorchForward(net, heldBack[..(g * features)], g);
            golden = new GoldenVector
            {
                Inputs = [.. Enumerable.Range(0, g).Select(t => heldBack[(t * features)..((t + 1) * features)])],
                Outputs = [.. Enumerable.Range(0, g).Select(t => outputs[(t * features)..((t + 1) * features)])],
            };
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
            Features = [.. recording.Features.Select((f, i) => new FeatureInfo(f, "", normalizer.Mean[i], normalizer.Std[i]))],
            SamplePeriodSeconds = recording.SamplePeriodSeconds > 0 ? recording.SamplePeriodSeconds : null,
            WindowLength = c.Task == TrainTask.Forecast ? null : c.Window,
            Classes = c.Task == TrainTask.Classify ? [.. Enumerable.Range(0, c.Classes).Select(k => k.ToString(CultureInfo.InvariantCulture))] : null,
            Scorer = c.Task == TrainTask.Classify ? null : new ScorerSettings(),
            Golden = golden,
            ProvenanceJson = JsonSerializer.Serialize(provenance),
        };

        ExportedModel model = OnnxExporter.Export(net, metadata.ToProperties());
        VerifyErrors errors = ExportVerifier.Verify(net, model, heldBack);
        bool passed = errors.Max <= ExportVerifier.DefaultTolerance;
        string summary = string.Create(CultureInfo.InvariantCulture,
            $"verify ({errors.Steps} held-back steps, max |diff| vs TorchSharp): ORT sequence {errors.OrtSequence:E2}, runtime sequence {errors.RuntimeSequence:E2}, ORT streaming {errors.OrtStreaming:E2}, runtime streaming {errors.RuntimeStreaming:E2}");
        if (!passed)
        {
            stderr.WriteLine($"error: export verification FAILED (tolerance {ExportVerifier.DefaultTolerance:E0}); nothing written. {summary}");
            return ToolExitCodes.ComparisonFailed;
        }

        string full = Path.GetFullPath(output);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllBytes(full, model.Main);
        string stem = Path.ChangeExtension(full, null);
        string? sequencePath = null;
        if (model.Sequence is not null)
        {
            sequencePath = stem + ".seq.onnx";
            File.WriteAllBytes(sequencePath, model.Sequence);
        }

        string checkpoint = stem + ".ckpt";
        net.save(checkpoint);
        File.WriteAllText(stem + ".ckpt.json", JsonSerializer.Serialize(new CheckpointInfo(c, normalizer.Mean, normalizer.Std, [.. recording.Features],
            recording.SamplePeriodSeconds, heldBack, dataHash, seed)));
        File.WriteAllText(stem + ".history.json", JsonSerializer.Serialize(history, s_indented));
        var result = new Dictionary<string, object?>
        {
            ["model"] = full,
            ["sequence_model"] = sequencePath,
            ["checkpoint"] = checkpoint,
            ["task"] = c.Task.ToString().ToLowerInvariant(),
            ["epochs"] = history.Epochs.Count,
            ["best_epoch"] = history.BestEpoch,
            ["best_val_loss"] = history.BestValidationLoss,
            ["metrics"] = history.Metrics,
            ["verify_max_abs"] = errors.Max,
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
            stdout.WriteLine($"wrote {full}" + (sequencePath is null ? "" : $", {sequencePath}") + $", {checkpoint}(.json), {stem}.history.json");
        }

        return ToolExitCodes.Success;
    }

    private static readonly JsonSerializerOptions s_indented = new() { WriteIndented = true };
}

/// <summary>What <c>edgernn export</c> needs besides the weights: the shape, the normalization and held-back input to verify on.</summary>
internal sealed record CheckpointInfo(ModelConfig Config, float[] Mean, float[] Std, string[] Features, double SamplePeriodSeconds, float[] HeldBack, string DataHash, int Seed);
