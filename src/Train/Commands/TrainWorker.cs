using System.Security.Cryptography;
using EdgeRnn.Deployment.Cli;
using EdgeRnn.Deployment.IO;
using EdgeRnn.Deployment.Metadata;
using EdgeRnn.Train.Data;
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
/// the checkpoint and the history. This file is the sensor pipeline (CSV columns to a forecaster, autoencoder or
/// window classifier); <c>TrainWorker.Tokens.cs</c> is the token classifier, <c>TrainWorker.Export.cs</c> the export,
/// verification and scorer calibration both share.
/// </summary>
internal static partial class TrainWorker
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
        // Before any training: an output that cannot be written is found now, not after minutes of work.
        if (OutputPath.CheckFile(request.Out, "--out") is { } unwritable)
        {
            stderr.WriteLine($"error: {unwritable}.");
            return ToolExitCodes.BadInput;
        }

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
            stderr.WriteLine($"train: {recording.Rows} rows x {recording.FeatureCount} features from {request.Data}; {request.Shape.Task} {request.Shape.Cell} hidden {request.Shape.Hidden} x {request.Shape.Layers}{(request.Options.Ensemble > 1 ? $", ensemble of {request.Options.Ensemble}" : "")}, torch threads {request.Options.Threads}");
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

    /// <summary>The metadata key of a token classifier's input contract: vocab, embedding_dim, pad_id, padding (front), longer (keep_last).</summary>
    public const string TokensMetadataKey = "edgernn.tokens";
}
