using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using EdgeRnn.Deployment.Cli;
using EdgeRnn.Deployment.IO;
using EdgeRnn.Deployment.Metadata;
using EdgeRnn.Desktop.Bench;
using EdgeRnn.Runtime.Onnx.Proto;
using EdgeRnn.Runtime.Onnx;
using EdgeRnn.Runtime;

namespace EdgeRnn.Quantize;

/// <summary>What <c>edgernn-quantize</c> was asked to do.</summary>
internal sealed record QuantizeRequest(string Input, string Output, QuantizeOptions Options)
{
    /// <summary>Calibration / evaluation data: a CSV file, a .pb tensor, or a folder of test_data_set_* folders; null = synthetic.</summary>
    public string? Calibration { get; init; }

    /// <summary>Fail (exit 1, no output file) when any output's max abs error exceeds this.</summary>
    public double? MaxError { get; init; }

    /// <summary>Fail when the task metric gets worse by more than this fraction (needs a model that carries a task).</summary>
    public double? MaxMetricDrop { get; init; }

    /// <summary>Steps timed per runtime and model for the latency table; 0 skips it.</summary>
    public int LatencySteps { get; init; } = 2000;

    public bool Json { get; init; }
}

/// <summary>Latency per step in microseconds (the benchmark's headline: median of block averages).</summary>
internal sealed record LatencyRow(string Runtime, double Fp32Us, double Int8Us)
{
    public double Ratio => Int8Us / Fp32Us;
}

/// <summary>The report printed (as a table, or JSON with --json).</summary>
internal sealed record QuantizeReport(string Input, string Output, string Mode, string Format, string Granularity, long Fp32Bytes, long Int8Bytes,
    string EvaluationData, IReadOnlyList<NodeDecision> Nodes, IReadOnlyList<ActivationRange> Ranges, IReadOnlyList<OutputError> Errors,
    IReadOnlyList<LatencyRow> Latency, string? TaskMetric, IReadOnlyList<string> Failures)
{
    public double SizeRatio => (double)Int8Bytes / Fp32Bytes;

    /// <summary>
    /// Which model to deploy, from what was measured: int8 when its EdgeRnn step is at least as fast as the float one
    /// (within 5%: timing noise), else the float model for speed, with what int8 would save in size. Below some hidden
    /// size the int8 step is slower (quantizing the activations each step costs more than the smaller weights save);
    /// where that is, is a property of the machine, so it is measured here, not assumed.
    /// </summary>
    public string Recommendation
    {
        get
        {
            string size = string.Create(CultureInfo.InvariantCulture, $"{1 / SizeRatio:0.0}x smaller");
            if (Failures.Count > 0)
            {
                return "float: the int8 model failed the checks above";
            }

            if (Latency.Count == 0 || !double.IsFinite(Latency[0].Ratio))
            {
                return $"int8 for size ({size}); the step latency was not measured (--timed-steps 0), so whether it is also faster here is unknown";
            }

            double ratio = Latency[0].Ratio;
            return ratio <= 1.05
                ? string.Create(CultureInfo.InvariantCulture, $"int8: {size} and {1 / ratio:0.00}x the speed of float per EdgeRnn step on this machine")
                : string.Create(CultureInfo.InvariantCulture, $"float for speed: the int8 EdgeRnn step is {ratio:0.00}x slower than float on this machine at this size; int8 only if size matters more ({size})");
        }
    }
}

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals, UseStringEnumConverter = true)]
[JsonSerializable(typeof(QuantizeReport))]
internal sealed partial class QuantizeJsonContext : JsonSerializerContext;

/// <summary>Quantizes one model, evaluates it against the float model, and writes it atomically.</summary>
internal static class QuantizeWorker
{
    public static int Run(QuantizeRequest request, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        try
        {
            return RunCore(request, stdout, stderr);
        }
        catch (Exception e) when (e is ModelFormatException or FormatException or IOException or UnauthorizedAccessException
            or NotSupportedException or ArgumentException)
        {
            stderr.WriteLine("error: " + e.Message);
            stderr.WriteLine($"No output was written to '{request.Output}'.");
            return ToolExitCodes.BadInput;
        }
    }

    private static int RunCore(QuantizeRequest request, TextWriter stdout, TextWriter stderr)
    {
        if (!File.Exists(request.Input))
        {
            throw new FileNotFoundException($"The model file '{request.Input}' does not exist.", request.Input);
        }

        if (Path.GetFullPath(request.Input) == Path.GetFullPath(request.Output))
        {
            throw new ArgumentException("The output path is the input model; choose another file for the int8 model.");
        }

        if (request.Options.Mode == QuantizeMode.Static && request.Calibration is null)
        {
            throw new ArgumentException("--mode static fixes activation ranges from data: pass --calibration (a CSV recording or test-data tensors).");
        }

        if (request.Options.CalibrationMethod == CalibrationMethod.Percentile && !(request.Options.Percentile is > 0 and <= 100))
        {
            throw new ArgumentException($"--percentile {request.Options.Percentile} must be in (0, 100].");
        }

        byte[] fp32Bytes = File.ReadAllBytes(request.Input);
        ModelProto proto = ModelQuantizer.Parse(fp32Bytes);

        // Loading in EdgeRnn validates the model (ops, shapes, limits) with the runtime's own messages.
        RnnModel fp32 = RnnModel.Load(fp32Bytes, sourceName: request.Input);
        int features = Evaluator.FeatureCount(fp32);
        EdgeRnnMetadata? meta = ReadMetadata(fp32, request.Input, stderr);
        if (request.MaxMetricDrop is not null && meta?.Task != ModelTask.Forecast)
        {
            throw new ArgumentException("--max-metric-drop needs a forecast model (metadata 'edgernn.task' = forecast; its metric is the forecast MAE); use --max-error for this model.");
        }

        if (meta is not null && meta.Features.Count != features)
        {
            throw new ModelFormatException($"{request.Input}: the metadata lists {meta.Features.Count} features but the model takes {features} per step.");
        }

        // CSV rows are raw readings in the model's feature order; the model's own statistics normalize them.
        EvaluationData data = request.Calibration is null
            ? EvaluationData.Synthetic(features, 256, seed: 1)
            : EvaluationData.Load(request.Calibration, features, meta?.Features.Select(x => x.Name).ToArray(), meta is null ? null : meta.Normalize);

        QuantizeOptions options = request.Options;
        var nodeNames = proto.Graph.Node.Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
        string[] unknown = [.. options.Exclude.Where(e => !nodeNames.Contains(e))];
        if (unknown.Length > 0)
        {
            string candidates = string.Join(", ", proto.Graph.Node.Where(ModelQuantizer.IsCandidate).Select(n => n.Name));
            throw new ArgumentException($"--exclude names no node of the model: {string.Join(", ", unknown)}. Quantizable nodes: {candidates}.");
        }

        Dictionary<string, float>? ranges = null;
        if (options.Mode == QuantizeMode.Static)
        {
            ranges = Evaluator.Calibrate(proto, ModelQuantizer.CalibrationPoints(proto, options).Select(p => p.Tensor), data.Rows, options);
        }

        QuantizeOutcome outcome = ModelQuantizer.Quantize(proto, options, ranges);
        if (!outcome.Nodes.Any(n => n.Quantized))
        {
            throw new NotSupportedException($"Nothing to quantize in '{request.Input}': {(outcome.Nodes.Count == 0 ? "it has no LSTM, GRU, RNN, Gemm or MatMul" : string.Join("; ", outcome.Nodes.Select(n => $"{n.Node}: {n.Detail}")))}.");
        }

        byte[] int8Bytes = outcome.Model;
        RnnModel int8 = RnnModel.Load(int8Bytes, sourceName: request.Output);
        if (meta is not null)
        {
            // The golden vector is the device's self-check: it must hold what this int8 model computes. The
            // provenance records how the model was quantized.
            int8Bytes = UpdateMetadata(int8Bytes, meta, int8, options, outcome.Weights);
            int8 = RnnModel.Load(int8Bytes, sourceName: request.Output);
        }

        Dictionary<string, float[]> fp32Outputs = Evaluator.Run(fp32, data.Rows);
        Dictionary<string, float[]> int8Outputs = Evaluator.Run(int8, data.Rows);
        List<OutputError> errors = Evaluator.Compare(fp32Outputs, int8Outputs);
        string? taskMetric = null;
        double? metricDrop = null;
        if (meta?.Task == ModelTask.Forecast)
        {
            string first = fp32.StepOutputs[0].Name;
            double before = Evaluator.ForecastMae(fp32Outputs[first], data.Rows);
            double after = Evaluator.ForecastMae(int8Outputs[first], data.Rows);
            metricDrop = before > 0 ? (after - before) / before : 0;
            taskMetric = string.Create(CultureInfo.InvariantCulture, $"task metric (forecast MAE of '{first}' vs the next step's input, normalized units): fp32 {before:g5}, int8 {after:g5} ({metricDrop * 100:+0.00;-0.00;0.00}%)");
            if (meta.Scorer is { } scorer && fp32Outputs[first].Length == features * data.Rows.Count)
            {
                bool[] a = Evaluator.AnomalyFlags(fp32, meta, data.Rows, scorer);
                bool[] b = Evaluator.AnomalyFlags(int8, meta, data.Rows, scorer);
                double same = a.Length == 0 ? 1 : a.Zip(b).Count(p => p.First == p.Second) / (double)a.Length;
                taskMetric += string.Create(CultureInfo.InvariantCulture, $"\nanomaly flags: {same:P2} of {a.Length} steps identical (fp32 flags {a.Count(f => f)}, int8 {b.Count(f => f)})");
                if (data.Labels is { } labels)
                {
                    taskMetric += string.Create(CultureInfo.InvariantCulture, $"; F1 vs the label column: fp32 {Evaluator.F1(a, labels):F3}, int8 {Evaluator.F1(b, labels):F3}");
                }
            }
        }

        var latency = new List<LatencyRow>();
        if (request.LatencySteps > 0)
        {
            BenchResult a = Bench(fp32Bytes, request.LatencySteps);
            BenchResult b = Bench(int8Bytes, request.LatencySteps);
            latency.Add(new LatencyRow("EdgeRnn (RnnModel.Step)", a.Ours.HeadlineUs, b.Ours.HeadlineUs));
            latency.Add(new LatencyRow("ONNX Runtime (IoBinding, 1 thread)", a.Ort.HeadlineUs, b.Ort.HeadlineUs));
        }

        var failures = new List<string>();
        double worst = errors.Count == 0 ? 0 : errors.Max(e => e.MaxAbsError);
        if (request.MaxError is { } maxError && worst > maxError)
        {
            failures.Add($"max abs error {worst:g4} exceeds --max-error {maxError:g4}");
        }

        if (request.MaxMetricDrop is { } maxDrop && metricDrop > maxDrop)
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture, $"the forecast MAE got {metricDrop:P2} worse, more than --max-metric-drop {maxDrop:P2}"));
        }

        var report = new QuantizeReport(request.Input, request.Output, options.Mode.ToString().ToLowerInvariant(), options.Format.ToString().ToLowerInvariant(),
            options.PerTensor ? "per-tensor" : "per-channel", fp32Bytes.Length, int8Bytes.Length, data.Source, outcome.Nodes, outcome.Ranges, errors,
            latency, taskMetric, failures);
        if (failures.Count == 0)
        {
            AtomicFile.WriteAllBytes(request.Output, int8Bytes);
        }

        if (request.Json)
        {
            stdout.WriteLine(JsonSerializer.Serialize(report, QuantizeJsonContext.Default.QuantizeReport));
        }
        else
        {
            WriteTable(report, stdout);
        }

        if (failures.Count > 0)
        {
            stderr.WriteLine("error: " + string.Join("; ", failures) + $". No output was written to '{request.Output}'.");
            return ToolExitCodes.ComparisonFailed;
        }

        return ToolExitCodes.Success;
    }

    /// <summary>The edgernn metadata, or null when absent or incomplete (then it is carried over unchanged, with a note).</summary>
    private static EdgeRnnMetadata? ReadMetadata(RnnModel model, string path, TextWriter stderr)
    {
        try
        {
            return EdgeRnnMetadata.Read(model.Metadata, path);
        }
        catch (ModelFormatException e)
        {
            stderr.WriteLine($"note: {e.Message} The metadata is copied as it is; no golden vector or task metric is recomputed.");
            return null;
        }
    }

    private static byte[] UpdateMetadata(byte[] model, EdgeRnnMetadata meta, RnnModel int8, QuantizeOptions options, string weights)
    {
        ModelProto proto = ModelQuantizer.Parse(model);
        if (meta.Golden is { } golden)
        {
            var outputs = new float[golden.Inputs.Length][];
            RnnState state = int8.CreateState();
            for (int t = 0; t < golden.Inputs.Length; t++)
            {
                outputs[t] = new float[int8.StepOutputs[0].Length];
                int8.Step(state, golden.Inputs[t], outputs[t]);
            }

            EdgeRnnMetadata updated = meta with { Golden = new GoldenVector { Inputs = golden.Inputs, Outputs = outputs, Tolerance = golden.Tolerance }.WithRoundedOutputs() };
            ModelQuantizer.SetMetadata(proto, EdgeRnnMetadata.GoldenKey, updated.ToProperties()[EdgeRnnMetadata.GoldenKey]);
        }

        JsonObject provenance = meta.ProvenanceJson is { } p && JsonNode.Parse(p) is JsonObject o ? o : [];
        provenance["quantization"] = new JsonObject
        {
            ["mode"] = options.Mode.ToString().ToLowerInvariant(),
            ["format"] = options.Format.ToString().ToLowerInvariant(),
            ["weights"] = weights,
            ["excluded"] = new JsonArray([.. options.Exclude.Order(StringComparer.Ordinal).Select(e => (JsonNode)e)]),
        };
        ModelQuantizer.SetMetadata(proto, EdgeRnnMetadata.ProvenanceKey, provenance.ToJsonString());

        // The provenance says it all; a second key would only repeat it in every int8 file.
        var duplicate = proto.MetadataProps.Where(e => e.Key == ModelQuantizer.QuantizationKey).ToList();
        duplicate.ForEach(e => proto.MetadataProps.Remove(e));
        return Google.Protobuf.MessageExtensions.ToByteArray(proto);
    }

    private static BenchResult Bench(byte[] model, int steps)
    {
        using var bench = new StepBenchmark(model, "model");
        return bench.Run(steps, Math.Max(100, steps / 4), TextWriter.Null);
    }

    private static void WriteTable(QuantizeReport r, TextWriter o)
    {
        CultureInfo c = CultureInfo.InvariantCulture;
        o.WriteLine(string.Create(c, $"{r.Input} -> {r.Output}: {r.Mode} int8, {r.Format} format, {r.Granularity} weights"));
        o.WriteLine(string.Create(c, $"size: {r.Fp32Bytes:N0} -> {r.Int8Bytes:N0} bytes ({r.SizeRatio:P1} of float)"));
        o.WriteLine();
        o.WriteLine("node                             op      result");
        foreach (NodeDecision n in r.Nodes)
        {
            o.WriteLine(string.Create(c, $"{n.Node,-32} {n.OpType,-7} {(n.Quantized ? "int8" : "float")}: {n.Detail}"));
        }

        if (r.Ranges.Count > 0)
        {
            o.WriteLine();
            o.WriteLine("calibrated activation ranges (static)");
            foreach (ActivationRange a in r.Ranges)
            {
                o.WriteLine(string.Create(c, $"  {a.Tensor,-30} |x| <= {a.Range:g5}  scale {a.Scale:g5}"));
            }
        }

        o.WriteLine();
        o.WriteLine(string.Create(c, $"error of the int8 model vs the float model in EdgeRnn, on {r.EvaluationData}"));
        o.WriteLine("output                           max abs err      RMSE   SNR dB");
        foreach (OutputError e in r.Errors)
        {
            o.WriteLine(string.Create(c, $"{e.Output,-32} {e.MaxAbsError,11:g4} {e.Rmse,9:g4} {e.SnrDb,8:F1}"));
        }

        if (r.Latency.Count > 0)
        {
            o.WriteLine();
            o.WriteLine("per-step latency (us)                 fp32      int8   int8/fp32");
            foreach (LatencyRow l in r.Latency)
            {
                o.WriteLine(string.Create(c, $"{l.Runtime,-36} {l.Fp32Us,6:F2} {l.Int8Us,9:F2} {l.Ratio,10:F2}"));
            }
        }

        o.WriteLine();
        o.WriteLine(r.TaskMetric ?? "task metric: n/a (the model carries no task metadata)");
        o.WriteLine();
        o.WriteLine("recommendation: " + r.Recommendation);
    }
}
