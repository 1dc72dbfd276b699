using EdgeRnn.Deployment.Metadata;

namespace EdgeRnn.Train.Data;

/// <summary>
/// A time-ordered multi-sensor recording: strictly increasing timestamps, <see cref="FeatureCount"/> float values per
/// row (row-major) and an optional integer label per row.
/// </summary>
public sealed class SensorRecording
{
    /// <summary>Creates a recording; <paramref name="values"/> is row-major [rows, features].</summary>
    public SensorRecording(IReadOnlyList<string> features, double[] timestamps, float[] values, int[]? labels = null, string? labelName = null, string? source = null)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(timestamps);
        ArgumentNullException.ThrowIfNull(values);
        ArgumentOutOfRangeException.ThrowIfZero(features.Count);
        if (values.Length != timestamps.Length * features.Count)
        {
            throw new ArgumentException($"{values.Length} values do not make {timestamps.Length} rows of {features.Count} features.", nameof(values));
        }

        if (labels is not null && labels.Length != timestamps.Length)
        {
            throw new ArgumentException($"{labels.Length} labels for {timestamps.Length} rows.", nameof(labels));
        }

        Features = [.. features];
        Timestamps = timestamps;
        Values = values;
        Labels = labels;
        LabelName = labels is null ? null : labelName ?? "label";
        Source = source ?? "(memory)";
    }

    /// <summary>Feature (column) names in model input order.</summary>
    public IReadOnlyList<string> Features { get; }

    /// <summary>Timestamps in seconds since 1970-01-01 UTC.</summary>
    public double[] Timestamps { get; }

    /// <summary>Row-major values [rows, features].</summary>
    public float[] Values { get; }

    /// <summary>Per-row labels, or null.</summary>
    public int[]? Labels { get; }

    /// <summary>The label column's name, or null.</summary>
    public string? LabelName { get; }

    /// <summary>Where it came from (a path, or a description).</summary>
    public string Source { get; }

    /// <summary>Rows.</summary>
    public int Rows => Timestamps.Length;

    /// <summary>Features per row.</summary>
    public int FeatureCount => Features.Count;

    /// <summary>One row's values.</summary>
    public ReadOnlySpan<float> Row(int row) => Values.AsSpan(row * FeatureCount, FeatureCount);

    /// <summary>The median spacing of the timestamps in seconds, rounded to the microsecond (0 for fewer than two rows).</summary>
    public double SamplePeriodSeconds
    {
        get
        {
            if (Rows < 2)
            {
                return 0;
            }

            var d = new double[Rows - 1];
            for (int i = 1; i < Rows; i++)
            {
                d[i - 1] = Timestamps[i] - Timestamps[i - 1];
            }

            Array.Sort(d);
            // Rounded: the difference of two epoch timestamps (~1.7e9 s, where one double step is ~2.4e-7 s) is not the
            // period the clock ticked at. A 50 Hz recording gives 0.019999980926513672; the model's
            // edgernn.sample_period_s must be 0.02 for a device profile sampling every 0.02 s to fit it.
            return Math.Round(d[d.Length / 2] * 1e6) / 1e6;
        }
    }

    /// <summary>The same rows with the features renamed (model feature names that differ from the CSV's column names).</summary>
    public SensorRecording WithFeatureNames(IReadOnlyList<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        if (names.Count != FeatureCount)
        {
            throw new ArgumentException($"{names.Count} feature names for {FeatureCount} features ({string.Join(", ", Features)}).", nameof(names));
        }

        if (names.Any(string.IsNullOrWhiteSpace) || names.Distinct(StringComparer.Ordinal).Count() != names.Count)
        {
            throw new ArgumentException($"Feature names must be non-empty and distinct (got {string.Join(", ", names)}).", nameof(names));
        }

        return new SensorRecording(names, Timestamps, Values, Labels, LabelName, Source);
    }

    /// <summary>
    /// The same rows with clock features (<see cref="TimeFeatures"/>, computed from each row's timestamp) appended
    /// after the sensor features; the recording unchanged when <paramref name="names"/> is empty.
    /// </summary>
    public SensorRecording WithTimeFeatures(IReadOnlyList<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        if (names.Count == 0)
        {
            return this;
        }

        if (Features.Any(TimeFeatures.IsTimeFeature))
        {
            throw new ArgumentException($"The recording already has clock features ({string.Join(", ", Features.Where(TimeFeatures.IsTimeFeature))}).", nameof(names));
        }

        int width = FeatureCount + names.Count;
        var values = new float[Rows * width];
        for (int r = 0; r < Rows; r++)
        {
            Row(r).CopyTo(values.AsSpan(r * width, FeatureCount));
            for (int k = 0; k < names.Count; k++)
            {
                values[(r * width) + FeatureCount + k] = TimeFeatures.Compute(names[k], Timestamps[r]);
            }
        }

        return new SensorRecording([.. Features, .. names], Timestamps, values, Labels, LabelName, Source);
    }

    /// <summary>Rows [start, start + count) as a new recording.</summary>
    public SensorRecording Slice(int start, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(start + count, Rows);
        return new SensorRecording(Features, Timestamps[start..(start + count)], Values[(start * FeatureCount)..((start + count) * FeatureCount)],
            Labels?[start..(start + count)], LabelName, Source);
    }
}
