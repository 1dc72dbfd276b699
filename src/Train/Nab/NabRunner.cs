using System.Diagnostics;
using System.Globalization;
using System.Text;
using EdgeRnn.Deployment.Cli;
using EdgeRnn.Deployment.IO;
using EdgeRnn.Deployment.Metadata;
using EdgeRnn.Runtime;
using EdgeRnn.Train.Commands;
using EdgeRnn.Train.Data;
using EdgeRnn.Train.Models;
using EdgeRnn.Train.Scoring;
using EdgeRnn.Train.Training;

namespace EdgeRnn.Train.Nab;

/// <summary>What running the detector on one file produced.</summary>
/// <param name="Key">NAB's key, <c>category/file.csv</c>.</param>
/// <param name="Results">The results CSV written.</param>
/// <param name="Rows">Rows scored.</param>
/// <param name="TrainSeconds">Training (TorchSharp) and export time.</param>
/// <param name="QuantizeSeconds">Quantization time.</param>
/// <param name="MicrosecondsPerRow">Streaming cost per row: normalize, score, model step (the device's per-row work).</param>
/// <param name="Skipped">True when a finished results file was already there (a rerun).</param>
/// <param name="Error">Why the file failed, or null.</param>
internal sealed record NabFileRun(string Key, string Results, int Rows, double TrainSeconds, double QuantizeSeconds, double MicrosecondsPerRow, bool Skipped, string? Error)
{
    /// <summary>The folder with the file's models (model.onnx, model.int8.onnx) and its probationary rows.</summary>
    public string? WorkFolder { get; init; }

    /// <summary>Every row's likelihood, decision and forecast as the device scored them (null when skipped or failed).</summary>
    public ScoredStream? Scored { get; init; }

    /// <summary>The scorer settings the rows were scored with (null when skipped or failed).</summary>
    public ScorerSettings? Scorer { get; init; }
}

/// <summary>
/// Runs EdgeRnn's detector over NAB data files under NAB's rules and writes NAB's results layout
/// <c>&lt;out&gt;/&lt;detector&gt;/&lt;category&gt;/&lt;detector&gt;_&lt;file&gt;.csv</c> (timestamp,value,anomaly_score,label).
/// </summary>
/// <remarks>
/// Per file: the first min(floor(0.15 x rows), 750) rows (the probationary period), copied to a file of their own,
/// are all the forecaster learns from (<c>edgernn train</c>: TorchSharp, export verified against ONNX Runtime); the model is quantized
/// to int8 by <c>edgernn-quantize</c>; then every row, from the first, streams one step at a time through the int8
/// model in the EdgeRnn runtime and the device's scorer (<see cref="StreamScorer"/>): a row is scored against the
/// forecast made before it arrived, and only then updates the model state and the error statistics, so no row
/// influences its own score. The work files of each data file stay in <c>&lt;out&gt;/.work</c>.
/// </remarks>
internal sealed class NabRunner
{
    private readonly NabDetectorConfig _config;
    private readonly NabWindows? _windows;
    private readonly string _out;

    public NabRunner(NabDetectorConfig config, NabWindows? windows, string outputRoot)
    {
        _config = config;
        _windows = windows;
        _out = outputRoot;
    }

    /// <summary>Where the results of a file go.</summary>
    public string ResultsPath(string key)
    {
        string category = Path.GetDirectoryName(key) ?? "";
        return Path.Combine(_out, _config.Name, category, $"{_config.Name}_{Path.GetFileName(key)}");
    }

    /// <summary>Where a file's models and probationary rows are kept.</summary>
    public string WorkFolder(string key) => Path.Combine(_out, ".work", _config.Name, Path.ChangeExtension(key, null));

    /// <summary>Runs one file; failures are returned, not thrown, so the other files go on.</summary>
    public NabFileRun Run(string path, string key)
    {
        string results = ResultsPath(key);
        try
        {
            NabDataFile data = NabDataFile.Read(path, key);
            string work = WorkFolder(key);
            if (File.Exists(results) && CountDataLines(results) == data.Rows)
            {
                return new NabFileRun(key, results, data.Rows, 0, 0, 0, Skipped: true, null) { WorkFolder = work };
            }

            Directory.CreateDirectory(work);
            // The forecaster learns from the probationary rows only: the only rows it could see are in this file.
            int probationary = NabRules.ProbationaryRows(data.Rows);
            string head = Path.Combine(work, "probationary.csv");
            WriteCsv(head, data, probationary);

            // Models are reused when the training configuration and the probationary rows are unchanged (a rescoring run).
            string model = Path.Combine(work, "model.onnx");
            string streamed = _config.Int8 ? Path.Combine(work, "model.int8.onnx") : model;
            string stamp = Path.Combine(work, "model.config");
            string fingerprint = TrainingFingerprint(head);
            double trainSeconds = 0, quantizeSeconds = 0;
            if (!File.Exists(streamed) || !File.Exists(stamp) || File.ReadAllText(stamp) != fingerprint)
            {
                var log = new StringWriter(CultureInfo.InvariantCulture);
                long t0 = Stopwatch.GetTimestamp();
                int code = TrainWorker.Run(TrainRequest(head, model, probationary, ClockFeatures(data, probationary)), TextWriter.Null, log);
                if (code != ToolExitCodes.Success)
                {
                    return Failed(key, results, "training failed: " + LastLines(log.ToString()));
                }

                trainSeconds = Stopwatch.GetElapsedTime(t0).TotalSeconds;
                long t1 = Stopwatch.GetTimestamp();
                if (_config.Int8)
                {
                    var qlog = new StringWriter(CultureInfo.InvariantCulture);
                    code = Quantize.Program.Run(["--model", model, "-o", streamed, "--calibration", head, "--timed-steps", "0"], TextWriter.Null, qlog);
                    if (code != ToolExitCodes.Success)
                    {
                        return Failed(key, results, "quantization failed: " + LastLines(qlog.ToString()));
                    }
                }

                quantizeSeconds = Stopwatch.GetElapsedTime(t1).TotalSeconds;
                AtomicFile.WriteAllBytes(stamp, Encoding.UTF8.GetBytes(fingerprint));
            }

            RnnModel rnn = RnnModel.Load(streamed);
            EdgeRnnMetadata metadata = EdgeRnnMetadata.Read(rnn.Metadata, streamed) ?? throw new InvalidDataException($"{streamed} has no edgernn metadata.");
            // The scorer runs with this configuration's settings and the thresholds the model was calibrated with.
            ScorerSettings scorer = _config.Scorer.ToSettings() with
            {
                Threshold = metadata.Scorer?.Threshold ?? 0.999,
                ExitThreshold = metadata.Scorer?.ExitThreshold ?? 0.99,
            };
            // Each row as the model reads it: the value, then the clock features computed from the row's timestamp.
            int width = metadata.Features.Count;
            int sensors = TimeFeatures.SensorFeatureCount(metadata.Features);
            var raw = new float[data.Rows * width];
            for (int i = 0; i < data.Rows; i++)
            {
                Span<float> row = raw.AsSpan(i * width, width);
                row[0] = float.Parse(data.ValueTexts[i], CultureInfo.InvariantCulture);
                TimeFeatures.Fill(metadata.Features, sensors, NabTimestamp.ToUnixSeconds(data.Times[i]), row);
            }

            long t2 = Stopwatch.GetTimestamp();
            ScoredStream scored = StreamScorer.Score(rnn, metadata, raw, scorer);
            double perRow = Stopwatch.GetElapsedTime(t2).TotalMicroseconds / data.Rows;
            WriteResults(results, data, scored.AnomalyScores);
            return new NabFileRun(key, results, data.Rows, trainSeconds, quantizeSeconds, perRow, Skipped: false, null)
            {
                WorkFolder = work,
                Scored = scored,
                Scorer = scorer,
            };
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or ModelFormatException or ArgumentException)
        {
            return Failed(key, results, e.Message);
        }
    }

    /// <summary>The clock features for this file, decided from its probationary rows only.</summary>
    private IReadOnlyList<string> ClockFeatures(NabDataFile data, int probationary)
    {
        double span = (data.Times[probationary - 1] - data.Times[0]).TotalSeconds;
        double period = span / Math.Max(1, probationary - 1);
        return _config.ClockFeaturesFor(span, period);
    }

    private TrainRequest TrainRequest(string csv, string model, int probationary, IReadOnlyList<string> clock) =>
        new(csv, model,
            new CsvReadOptions { KeepFileOrder = true, Missing = MissingValuePolicy.Interpolate },
            new ModelConfig { Task = TrainTask.Forecast, Cell = _config.Cell, Hidden = _config.Hidden, Layers = _config.Layers },
            new TrainOptions
            {
                Epochs = _config.Epochs,
                SequenceLength = _config.SequenceLengthFor(probationary),
                Stride = 1,
                ValidationFraction = 0.2,
                Seed = _config.Seed,
                Ensemble = _config.Ensemble,
            },
            Json: false)
        {
            Scorer = _config.Scorer,
            TimeFeatureNames = clock,
        };

    /// <summary>
    /// What decides the trained model: the training settings and the probationary rows themselves (the scorer does not:
    /// a run with other scorer settings rescores with the same models; only the calibrated device thresholds stay).
    /// </summary>
    private string TrainingFingerprint(string head) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{_config.Cell} {_config.Hidden} {_config.Layers} {_config.SequenceLength} {_config.Epochs} {_config.Seed} {_config.Ensemble} {_config.Int8} {_config.ClockFeatures} {Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(head)))}");

    private void WriteResults(string path, NabDataFile data, float[] scores)
    {
        IReadOnlyList<NabWindow> windows = _windows is not null && _windows.TryGetWindows(data.Key, out IReadOnlyList<NabWindow>? w) ? w : [];
        var text = new StringBuilder(data.Rows * 48);
        text.Append("timestamp,value,anomaly_score,label\n");
        for (int i = 0; i < data.Rows; i++)
        {
            DateTime t = data.Times[i];
            bool inside = windows.Any(x => t >= x.Start && t <= x.End);
            text.Append(data.Timestamps[i]).Append(',').Append(data.ValueTexts[i]).Append(',')
                .Append(scores[i].ToString("R", CultureInfo.InvariantCulture)).Append(',').Append(inside ? '1' : '0').Append('\n');
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        AtomicFile.WriteAllBytes(path, Encoding.UTF8.GetBytes(text.ToString()));
    }

    private static void WriteCsv(string path, NabDataFile data, int rows = int.MaxValue)
    {
        var text = new StringBuilder();
        text.Append("timestamp,value\n");
        for (int i = 0; i < Math.Min(rows, data.Rows); i++)
        {
            text.Append(data.Timestamps[i]).Append(',').Append(data.ValueTexts[i]).Append('\n');
        }

        AtomicFile.WriteAllBytes(path, Encoding.UTF8.GetBytes(text.ToString()));
    }

    private static int CountDataLines(string path) => Math.Max(0, File.ReadLines(path).Count(l => l.Length > 0) - 1);

    private static string LastLines(string log) => string.Join(" / ", log.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).TakeLast(2));

    private static NabFileRun Failed(string key, string results, string error) => new(key, results, 0, 0, 0, 0, Skipped: false, error);
}
