using System.Globalization;
using EdgeRnn.Runtime;
using EdgeRnn.Runtime.Tools;

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

    private EvaluationData(List<float[]> rows, string source)
    {
        Rows = rows;
        Source = source;
    }

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
        foreach (string line in File.ReadLines(path))
        {
            lineNumber++;
            if (line.Trim().Length == 0)
            {
                continue;
            }

            string[] fields = line.Split(',');
            bool numeric = fields.All(f => float.TryParse(f, NumberStyles.Float, CultureInfo.InvariantCulture, out _));
            if (rows.Count == 0 && !numeric && lineNumber == 1)
            {
                string[] header = [.. fields.Select(f => f.Trim())];
                if (header.Length != features)
                {
                    throw new FormatException($"{path}: the header has {header.Length} columns ({string.Join(", ", header)}); the model takes {features} features per step.");
                }

                if (featureNames is not null && !header.SequenceEqual(featureNames, StringComparer.Ordinal))
                {
                    throw new FormatException($"{path}: the columns are ({string.Join(", ", header)}); the model expects ({string.Join(", ", featureNames)}) in that order.");
                }

                continue;
            }

            if (fields.Length != features)
            {
                throw new FormatException($"{path}, line {lineNumber}: {fields.Length} columns; the model takes {features} features per step.");
            }

            var row = new float[features];
            for (int i = 0; i < features; i++)
            {
                if (!float.TryParse(fields[i], NumberStyles.Float, CultureInfo.InvariantCulture, out row[i]) || !float.IsFinite(row[i]))
                {
                    throw new FormatException($"{path}, line {lineNumber}, column {i + 1}: '{fields[i].Trim()}' is not a finite number.");
                }
            }

            if (normalize is not null)
            {
                normalize(row, row);
            }

            rows.Add(row);
        }

        return rows.Count == 0
            ? throw new FormatException($"{path}: no data rows.")
            : new EvaluationData(rows, $"{path}: {rows.Count} steps");
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
