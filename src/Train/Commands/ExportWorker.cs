using System.Globalization;
using System.Text.Json;
using EdgeRnn.Deployment.Cli;
using EdgeRnn.Train.Export;
using EdgeRnn.Train.Models;
using EdgeRnn.Train.Training;

namespace EdgeRnn.Train.Commands;

/// <summary>
/// <c>edgernn export</c>: rebuilds the network from a checkpoint written by <c>edgernn train</c> (<c>model.ckpt</c> and
/// <c>model.ckpt.json</c>), exports it with the metadata it was trained with, and verifies it like train does
/// (TorchSharp == ONNX Runtime == EdgeRnn runtime within 1e-4 on the saved held-back data) before writing anything.
/// </summary>
internal static class ExportWorker
{
    public static int Run(string checkpoint, string output, bool json, TextWriter stdout, TextWriter stderr) =>
        TorchRuntime.Exclusive(() => RunExclusive(checkpoint, output, json, stdout, stderr));

    private static int RunExclusive(string checkpoint, string output, bool json, TextWriter stdout, TextWriter stderr)
    {
        string infoPath = checkpoint + ".json";
        CheckpointInfo info;
        SensorNet net;
        try
        {
            if (!File.Exists(checkpoint) || !File.Exists(infoPath))
            {
                throw new FileNotFoundException($"checkpoint '{checkpoint}' and its '{infoPath}' (written by 'edgernn train') must both exist.");
            }

            info = JsonSerializer.Deserialize<CheckpointInfo>(File.ReadAllText(infoPath), s_read)
                ?? throw new InvalidDataException($"{infoPath} is empty.");
            if (info.Metadata is null)
            {
                throw new InvalidDataException($"{infoPath} has no metadata (written by an older edgernn train); train again.");
            }

            if (info.Config.IsTokenModel && (info.HeldBackTokens is not { Length: > 0 } held || held.Length % info.Config.Window != 0))
            {
                throw new InvalidDataException($"{infoPath} holds no held-back token sequences to verify on; train again.");
            }

            TorchRuntime.Initialize(TorchRuntime.DefaultThreads, info.Seed);
            net = new SensorNet(info.Config);
            net.load(checkpoint);
            net.eval();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or JsonException or ArgumentException)
        {
            stderr.WriteLine("error: " + e.Message);
            return ToolExitCodes.BadInput;
        }

        ExportedModel model = OnnxExporter.Export(net, info.Metadata);
        VerifyErrors errors = info.Config.IsTokenModel
            ? ExportVerifier.VerifyTokens(net, model, info.HeldBackTokens ?? [])
            : ExportVerifier.Verify(net, model, info.HeldBack);
        string summary = errors.Summary;
        if (!errors.Passed(ExportVerifier.DefaultTolerance))
        {
            stderr.WriteLine("error: " + errors.FailureMessage(ExportVerifier.DefaultTolerance));
            return ToolExitCodes.ComparisonFailed;
        }

        string full = Path.GetFullPath(output);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        TrainWorker.WriteModels(full, model);
        string? sequencePath = model.Sequence is null ? null : Path.ChangeExtension(full, null) + ".seq.onnx";
        if (json)
        {
            stdout.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object?>
            {
                ["model"] = full,
                ["sequenceModel"] = sequencePath,
                ["task"] = info.Config.Task.ToString().ToLowerInvariant(),
                ["verifyMaxAbs"] = errors.Max,
            }, s_indented));
        }
        else
        {
            stdout.WriteLine(summary);
            stdout.WriteLine($"wrote {full}" + (sequencePath is null ? "" : $", {sequencePath}"));
        }

        return ToolExitCodes.Success;
    }

    private static readonly JsonSerializerOptions s_indented = new() { WriteIndented = true };

    // A non-finite held-back value must reach verification (and fail it there) rather than read as a malformed file.
    private static readonly JsonSerializerOptions s_read = new() { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };
}
