using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using EdgeRnn.Deployment.Cli;
using EdgeRnn.Deployment.Metadata;
using EdgeRnn.Train.Data;
using EdgeRnn.Train.Export;
using EdgeRnn.Train.Models;
using EdgeRnn.Train.Training;

namespace EdgeRnn.Train.Commands;

/// <summary>The token pipeline: a classifier over a column of token ids (embedding, recurrent layers, class head).</summary>
internal static partial class TrainWorker
{
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
        string checkpoint = stem + ".ckpt";
        try
        {
            WriteTrainingOutputs(full, model, net, JsonSerializer.Serialize(new CheckpointInfo(c, [], [], [request.TokenColumn!], 0, [], hash, request.Options.Seed)
            {
                Metadata = properties,
                HeldBackTokens = heldBack,
            }), result.History);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"error: writing the outputs beside {full} failed: {e.Message} Every file is written under a temporary name first and renamed only when all are complete, so none is left half-written.");
            return ToolExitCodes.BadInput;
        }

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
}
