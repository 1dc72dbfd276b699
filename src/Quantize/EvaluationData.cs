using System.Globalization;
using EdgeRnn.Deployment.Metadata;
using EdgeRnn.Deployment.Verification;
using EdgeRnn.Runtime;

namespace EdgeRnn.Quantize;

/// <summary>
/// Input rows for calibration and evaluation: one float vector per time step, in the model's feature order.
/// From a CSV file (one row per step; an optional header row), from ONNX test-data tensors (a folder with
/// test_data_set_*/input_0.pb, or one .pb file), or synthetic (seeded standard normal) when no data is given.
/// </summary>
internal sealed class EvaluationData
{
    /// <summary>Normalizes one row of raw readings (in place allowed).</summary>
    public delegate void NormalizeRow(ReadOnlySpan<float> raw, Span<float> normalized);

    private EvaluationData(List<float[]> rows, string source, List<bool>? labels = null)
    {
        Rows = rows;
        Source = source;
        Labels = labels;
    }

    /// <summary>Per step: the CSV's label column ('anomaly' or 'label') is non-zero; null without such a column.</summary>
    public IReadOnlyList<bool>? Labels { get; }

    public IReadOnlyList<float[]> Rows { get; }

    public string Source { get; }

    public static EvaluationData Synthetic(int features, int steps, int seed)
    {
        var rng = new Random(seed);
        var rows = new List<float[]>(steps);
        for (int s = 0; s < steps; s++)
        {
            var row = new float[features];
            for (int i = 0; i < features; i++)
            {
                // Box-Muller: standard normal, the scale of normalized sensor features.
                double u = 1 - rng.NextDouble(), v = rng.NextDouble();
                row[i] = (float)(Math.Sqrt(-2 * Math.Log(u)) * Math.Cos(2 * Math.PI * v));
            }

            rows.Add(row);
        }

        return new EvaluationData(rows, $"synthetic: {steps} steps of seeded N(0, 1) features (pass --calibration for real data)");
    }

    /// <summary>Reads rows; throws <see cref="FormatException"/> with the file and line for anything malformed.</summary>
    /// <param name="path">The CSV, .pb file or test-data folder.</param>
    /// <param name="features">Values per step.</param>
    /// <param name="featureNames">The model's feature names (a CSV header must list them in order), or null.</param>
    /// <param name="normalize">Maps a CSV row of raw readings to model inputs (the model's normalization), or null.</param>
    public static EvaluationData Load(string path, int features, IReadOnlyList<string>? featureNames, NormalizeRow? normalize = null)
    {
        if (Directory.Exists(path) || path.EndsWith(".pb", StringComparison.OrdinalIgnoreCase))
        {
            return LoadTensors(path, features);
        }

        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The calibration file '{path}' does not exist.", path);
        }

        var rows = new List<float[]>();
        int lineNumber = 0;
        int[]? columns = null;
        int width = features;
        int labelColumn = -1;
        int timestampColumn = 0;
        List<bool>? labels = null;
        foreach (string line in File.ReadLines(path))
        {
            lineNumber++;
            if (line.Trim().Length == 0)
            {
                continue;
            }

            string[] fields = line.Split(',');
            bool numeric = fields.All(f => float.TryParse(f, NumberStyles.Float, CultureInfo.InvariantCulture, out _));
            if (lineNumber == 1 && !numeric)
            {
                string[] header = [.. fields.Select(f => f.Trim())];
                (columns, width) = MapHeader(path, header, features, featureNames);
                timestampColumn = Math.Max(0, Array.FindIndex(header, h => h.ToLowerInvariant() is "timestamp" or "time" or "date" or "datetime"));
                labelColumn = Array.FindIndex(header, h => h.Equals("anomaly", StringComparison.OrdinalIgnoreCase) || h.Equals("label", StringComparison.OrdinalIgnoreCase));
                labels = labelColumn >= 0 && !columns.Contains(labelColumn) ? [] : null;
                continue;
            }

            if (fields.Length != width)
            {
                throw new FormatException($"{path}, line {lineNumber}: {fields.Length} columns; {(columns is null ? $"the model takes {features} features per step" : $"the header has {width}")}.");
            }

            var row = new float[features];
            for (int i = 0; i < features; i++)
            {
                int c = columns?[i] ?? i;
                if (c == ClockColumn)
                {
                    // A clock feature the file does not hold: computed from the row's timestamp, as the device does.
                    if (!TimeFeatures.TryParseTimestamp(fields[timestampColumn], out double seconds))
                    {
                        throw new FormatException($"{path}, line {lineNumber}, column {timestampColumn + 1}: '{fields[timestampColumn].Trim()}' is not a timestamp; the model's clock feature '{featureNames![i]}' is computed from it.");
                    }

                    row[i] = TimeFeatures.Compute(featureNames![i], seconds);
                    continue;
                }

                if (!float.TryParse(fields[c], NumberStyles.Float, CultureInfo.InvariantCulture, out row[i]) || !float.IsFinite(row[i]))
                {
                    throw new FormatException($"{path}, line {lineNumber}, column {c + 1}: '{fields[c].Trim()}' is not a finite number.");
                }
            }

            if (normalize is not null)
            {
                normalize(row, row);
            }

            if (labels is not null)
            {
                labels.Add(float.TryParse(fields[labelColumn], NumberStyles.Float, CultureInfo.InvariantCulture, out float label) && label != 0);
            }

            rows.Add(row);
        }

        return rows.Count == 0
            ? throw new FormatException($"{path}: no data rows.")
            : new EvaluationData(rows, $"{path}: {rows.Count} steps", labels);
    }

    /// <summary>
    /// Which CSV column holds each model feature. When the model names its features, the header must contain them
    /// (in any order; other columns such as a timestamp or a label are ignored); otherwise the header must have
    /// exactly one column per feature, in the model's order.
    /// </summary>
    /// <summary>The column index <see cref="MapHeader"/> gives a clock feature computed from the timestamp.</summary>
    private const int ClockColumn = -2;

    private static (int[] Columns, int Width) MapHeader(string path, string[] header, int features, IReadOnlyList<string>? featureNames)
    {
        if (featureNames is null)
        {
            return header.Length == features
                ? ([.. Enumerable.Range(0, features)], header.Length)
                : throw new FormatException($"{path}: the header has {header.Length} columns ({string.Join(", ", header)}); the model takes {features} features per step.");
        }

        var columns = new int[features];
        for (int i = 0; i < features; i++)
        {
            columns[i] = Array.IndexOf(header, featureNames[i]);
            if (columns[i] < 0 && TimeFeatures.IsTimeFeature(featureNames[i]))
            {
                columns[i] = ClockColumn;
            }
            else if (columns[i] < 0)
            {
                throw new FormatException($"{path}: no column '{featureNames[i]}'; the model expects the features ({string.Join(", ", featureNames)}), the header has ({string.Join(", ", header)}).");
            }
        }

        return (columns, header.Length);
    }

    private static EvaluationData LoadTensors(string path, int features)
    {
        string[] files = File.Exists(path)
            ? [path]
            : [.. Directory.EnumerateDirectories(path, "test_data_set_*").Order(StringComparer.Ordinal)
                .Select(d => Path.Combine(d, "input_0.pb")).Where(File.Exists)];
        if (files.Length == 0)
        {
            throw new FormatException($"{path}: no test_data_set_*/input_0.pb tensors.");
        }

        var rows = new List<float[]>();
        foreach (string file in files)
        {
            Tensor t = TestDataFiles.ReadTensor(file).Tensor;
            if (!t.IsFloat || t.Shape.Length == 0 || t.Shape[^1] != features)
            {
                throw new FormatException($"{file}: tensor {t}; expected Float[..., {features}].");
            }

            float[] data = t.FloatData;
            for (int i = 0; i + features <= data.Length; i += features)
            {
                float[] row = data.AsSpan(i, features).ToArray();
                if (row.Any(v => !float.IsFinite(v)))
                {
                    throw new FormatException($"{file}: element {i} onwards is not finite.");
                }

                rows.Add(row);
            }
        }

        return new EvaluationData(rows, $"{path}: {rows.Count} steps from {files.Length} tensor file(s)");
    }
}
