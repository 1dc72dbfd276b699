using EdgeRnn.Deployment.Metadata;
namespace EdgeRnn.Train.Data;

/// <summary>
/// Per-feature z-score normalization, x' = (x - mean) / std, fit on the training rows only (so nothing from the
/// validation part leaks into training) and saved in the model's metadata.
/// </summary>
public sealed class ZScoreNormalizer
{
    /// <summary>Creates a normalizer from saved statistics.</summary>
    public ZScoreNormalizer(float[] mean, float[] std)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(std);
        if (mean.Length != std.Length || mean.Length == 0)
        {
            throw new ArgumentException("mean and std must have the same, non-zero length.", nameof(std));
        }

        Mean = mean;
        Std = std;
    }

    /// <summary>Per-feature mean.</summary>
    public float[] Mean { get; }

    /// <summary>Per-feature standard deviation (a constant feature gets 1, so it normalizes to 0 instead of dividing by 0).</summary>
    public float[] Std { get; }

    /// <summary>Fits mean and population std on rows [0, <paramref name="rows"/>) of <paramref name="recording"/>.</summary>
    public static ZScoreNormalizer Fit(SensorRecording recording, int rows)
    {
        ArgumentNullException.ThrowIfNull(recording);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(rows, recording.Rows);
        int n = recording.FeatureCount;
        var sum = new double[n];
        var sumSq = new double[n];
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> row = recording.Row(r);
            for (int f = 0; f < n; f++)
            {
                sum[f] += row[f];
            }
        }

        var mean = new float[n];
        for (int f = 0; f < n; f++)
        {
            mean[f] = (float)(sum[f] / rows);
        }

        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> row = recording.Row(r);
            for (int f = 0; f < n; f++)
            {
                double d = row[f] - mean[f];
                sumSq[f] += d * d;
            }
        }

        var std = new float[n];
        for (int f = 0; f < n; f++)
        {
            double s = Math.Sqrt(sumSq[f] / rows);
            std[f] = s < 1e-6 * Math.Max(1, Math.Abs(mean[f])) ? 1f : (float)s;
            if (TimeFeatures.IsTimeFeature(recording.Features[f]))
            {
                // Clock features are already in [-1, 1]: statistics of a few days of a weekly phase would stretch the
                // phases not seen yet far outside the range the model learned on.
                mean[f] = 0;
                std[f] = 1;
            }
        }

        return new ZScoreNormalizer(mean, std);
    }

    /// <summary>Returns the normalized values of a whole recording (row-major, a new array).</summary>
    public float[] Transform(SensorRecording recording)
    {
        ArgumentNullException.ThrowIfNull(recording);
        if (recording.FeatureCount != Mean.Length)
        {
            throw new ArgumentException($"The recording has {recording.FeatureCount} features; the normalizer {Mean.Length}.", nameof(recording));
        }

        var result = new float[recording.Values.Length];
        int n = Mean.Length;
        for (int i = 0; i < result.Length; i++)
        {
            int f = i % n;
            result[i] = (recording.Values[i] - Mean[f]) / Std[f];
        }

        return result;
    }
}
