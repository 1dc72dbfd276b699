using EdgeRnn.Deployment.Metadata;
using EdgeRnn.Deployment.Scoring;
using EdgeRnn.Runtime.Onnx.Proto;
using EdgeRnn.Runtime;
using Google.Protobuf;

namespace EdgeRnn.Quantize;

/// <summary>Error of an int8 output against the float model's, over the evaluation steps.</summary>
/// <param name="Output">The graph output.</param>
/// <param name="MaxAbsError">max |int8 - float|.</param>
/// <param name="Rmse">Root mean square of int8 - float.</param>
/// <param name="SnrDb">10 log10(Σ float² / Σ (int8 - float)²); +Infinity when identical.</param>
internal sealed record OutputError(string Output, double MaxAbsError, double Rmse, double SnrDb);

/// <summary>Runs models step by step in EdgeRnn over evaluation rows.</summary>
internal static class Evaluator
{
    /// <summary>The model's features per step: the single streaming data input's length, else the last dimension of input 0.</summary>
    public static int FeatureCount(RnnModel model)
    {
        if (model.CanStream)
        {
            IReadOnlyList<(string Name, int Length)> inputs = model.StepInputs;
            return inputs.Count == 1
                ? inputs[0].Length
                : throw new NotSupportedException($"The model takes {inputs.Count} data inputs per step ({string.Join(", ", inputs.Select(i => i.Name))}); edgernn-quantize evaluates models with one.");
        }

        throw new NotSupportedException($"The model cannot stream step by step ({model.StreamingError}); edgernn-quantize evaluates streaming models.");
    }

    /// <summary>Every output of every step, concatenated per output.</summary>
    public static Dictionary<string, float[]> Run(RnnModel model, IReadOnlyList<float[]> rows)
    {
        RnnState state = model.CreateState();
        string input = model.StepInputs[0].Name;
        IReadOnlyList<(string Name, int Length)> outputs = model.StepOutputs;
        var result = outputs.ToDictionary(o => o.Name, o => new float[o.Length * rows.Count], StringComparer.Ordinal);
        for (int s = 0; s < rows.Count; s++)
        {
            rows[s].CopyTo(state.GetInput(input));
            model.Step(state);
            foreach ((string name, int length) in outputs)
            {
                state.GetOutput(name).CopyTo(result[name].AsSpan(s * length, length));
            }
        }

        return result;
    }

    /// <summary>Mean |forecast[t] - input[t + 1]| over the steps where the forecast has one value per input feature.</summary>
    public static double ForecastMae(float[] forecasts, IReadOnlyList<float[]> rows)
    {
        int features = rows[0].Length;
        if (forecasts.Length != features * rows.Count)
        {
            return double.NaN;
        }

        double sum = 0;
        long count = 0;
        for (int t = 0; t + 1 < rows.Count; t++)
        {
            for (int i = 0; i < features; i++)
            {
                sum += Math.Abs(forecasts[(t * features) + i] - (double)rows[t + 1][i]);
                count++;
            }
        }

        return count == 0 ? 0 : sum / count;
    }

    /// <summary>
    /// The anomaly decision at each step exactly the way the device makes it: <paramref name="model"/> streams the
    /// (normalized) rows through a <see cref="StreamingDetector"/> with the model's scorer settings.
    /// </summary>
    public static bool[] AnomalyFlags(RnnModel model, EdgeRnnMetadata metadata, IReadOnlyList<float[]> rows, ScorerSettings settings)
    {
        var stream = new StreamingDetector(model, metadata, settings);
        var flags = new bool[rows.Count];
        for (int t = 0; t < rows.Count; t++)
        {
            flags[t] = stream.StepNormalizedRow(rows[t]).Active;
        }

        return flags;
    }

    /// <summary>F1 of predicted flags against labels (0 when there are no positives at all).</summary>
    public static double F1(bool[] flags, IReadOnlyList<bool> labels)
    {
        int tp = 0, fp = 0, fn = 0;
        for (int i = 0; i < flags.Length; i++)
        {
            tp += flags[i] && labels[i] ? 1 : 0;
            fp += flags[i] && !labels[i] ? 1 : 0;
            fn += !flags[i] && labels[i] ? 1 : 0;
        }

        return tp == 0 ? 0 : 2.0 * tp / ((2.0 * tp) + fp + fn);
    }

    public static List<OutputError> Compare(Dictionary<string, float[]> reference, Dictionary<string, float[]> actual)
    {
        var errors = new List<OutputError>();
        foreach ((string name, float[] r) in reference)
        {
            float[] a = actual[name];
            double max = 0, sq = 0, signal = 0;
            for (int i = 0; i < r.Length; i++)
            {
                double d = a[i] - (double)r[i];
                max = Math.Max(max, Math.Abs(d));
                sq += d * d;
                signal += r[i] * (double)r[i];
            }

            double rmse = r.Length == 0 ? 0 : Math.Sqrt(sq / r.Length);
            double snr = sq == 0 ? double.PositiveInfinity : 10 * Math.Log10(signal / sq);
            errors.Add(new OutputError(name, max, rmse, snr));
        }

        return errors;
    }

    /// <summary>
    /// Static calibration: runs the float model with the given intermediate tensors exposed as extra outputs and
    /// returns each tensor's range (max |x|, or the given percentile of |x|).
    /// </summary>
    public static Dictionary<string, float> Calibrate(ModelProto model, IEnumerable<string> tensors, IReadOnlyList<float[]> rows, QuantizeOptions options)
    {
        ModelProto probe = model.Clone();
        var graphInputs = probe.Graph.Input.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        var wanted = tensors.Distinct(StringComparer.Ordinal).ToList();
        foreach (string t in wanted.Where(t => !graphInputs.Contains(t) && !probe.Graph.Output.Any(o => o.Name == t)))
        {
            probe.Graph.Output.Add(new ValueInfoProto
            {
                Name = t,
                Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float } },
            });
        }

        RnnModel runner = RnnModel.Load(probe.ToByteArray(), sourceName: "calibration probe");
        Dictionary<string, float[]> values = Run(runner, rows);
        var ranges = new Dictionary<string, float>(StringComparer.Ordinal);
        foreach (string t in wanted)
        {
            float[] v = graphInputs.Contains(t) ? [.. rows.SelectMany(r => r)] : values[t];
            ranges[t] = Range(v, options);
        }

        return ranges;
    }

    private static float Range(float[] values, QuantizeOptions options)
    {
        if (values.Length == 0)
        {
            return 0;
        }

        float[] abs = [.. values.Select(MathF.Abs)];
        if (options.CalibrationMethod == CalibrationMethod.MinMax)
        {
            return abs.Max();
        }

        Array.Sort(abs);
        int index = (int)Math.Ceiling(options.Percentile / 100.0 * abs.Length) - 1;
        return abs[Math.Clamp(index, 0, abs.Length - 1)];
    }
}
