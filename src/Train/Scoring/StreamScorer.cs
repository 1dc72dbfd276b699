using EdgeRnn.Deployment.Metadata;
using EdgeRnn.Deployment.Scoring;
using EdgeRnn.Runtime;

namespace EdgeRnn.Train.Scoring;

/// <summary>What scoring a recording produced: one entry per row.</summary>
/// <param name="Likelihoods">The anomaly likelihood at every row (0 before a score exists and during warm-up).</param>
/// <param name="Active">Whether an anomaly was active after every row.</param>
/// <param name="Starts">The rows at which an anomaly started.</param>
/// <param name="AnomalyScores">The likelihood with repeat alarms masked (<see cref="ScoreResult.AnomalyScore"/>), what NAB's results record.</param>
/// <param name="Forecasts">
/// Forecast models: the forecast of each row's first feature made before the row arrived, in the feature's units (NaN
/// at row 0); autoencoders: empty.
/// </param>
internal sealed record ScoredStream(float[] Likelihoods, bool[] Active, IReadOnlyList<int> Starts, float[] AnomalyScores, float[] Forecasts);

/// <summary>
/// Scores a recording with an exported model and <see cref="AnomalyDetector"/> exactly the way the device does, one row
/// at a time with no look-ahead.
/// </summary>
/// <remarks>
/// Forecast (streaming graph): each row through <see cref="StreamingDetector"/>, the device's own per-row sequence
/// (normalize, score against the forecast made at t - 1, step, keep the forecast).
/// Autoencoder (whole-window graph of W steps): once W rows have arrived, every row reconstructs the last W rows and
/// passes the window's mean absolute reconstruction error (normalized units) to <see cref="AnomalyDetector.ObserveError"/>.
/// </remarks>
internal static class StreamScorer
{
    /// <summary>Scores <paramref name="rawRows"/> (row-major raw readings) with the model's own normalization and <paramref name="settings"/>.</summary>
    public static ScoredStream Score(RnnModel model, EdgeRnnMetadata metadata, ReadOnlySpan<float> rawRows, ScorerSettings settings)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(metadata);
        ArgumentNullException.ThrowIfNull(settings);
        int features = metadata.Features.Count;
        int rows = rawRows.Length / features;
        var likelihoods = new float[rows];
        var anomalyScores = new float[rows];
        float[] forecasts = [];
        var active = new bool[rows];
        var starts = new List<int>();
        if (metadata.Task == ModelTask.Forecast)
        {
            var stream = new StreamingDetector(model, metadata, settings);
            forecasts = new float[rows];
            float next = float.NaN;
            for (int t = 0; t < rows; t++)
            {
                Record(t, stream.StepRow(rawRows.Slice(t * features, features)));
                forecasts[t] = next;
                next = stream.FirstForecast;
            }
        }
        else if (metadata.Task == ModelTask.Autoencoder)
        {
            int window = metadata.WindowLength ?? throw new ArgumentException("An autoencoder model needs edgernn.window.", nameof(metadata));
            var detector = new AnomalyDetector(settings, 0);
            var normalized = new float[rows * features];
            for (int t = 0; t < rows; t++)
            {
                metadata.Normalize(rawRows.Slice(t * features, features), normalized.AsSpan(t * features, features));
                if (t + 1 < window)
                {
                    continue;
                }

                float[] input = normalized[((t + 1 - window) * features)..((t + 1) * features)];
                float[] output = model.Run(Tensor.FromFloat(input, window, 1, features))[0].FloatData!;
                double sum = 0;
                for (int i = 0; i < input.Length; i++)
                {
                    sum += Math.Abs(output[i] - input[i]);
                }

                Record(t, detector.ObserveError(sum / input.Length));
            }
        }
        else
        {
            throw new ArgumentException("Only forecast and autoencoder models are scored.", nameof(metadata));
        }

        return new ScoredStream(likelihoods, active, starts, anomalyScores, forecasts);

        void Record(int t, ScoreResult r)
        {
            likelihoods[t] = r.Likelihood;
            anomalyScores[t] = r.AnomalyScore;
            active[t] = r.Active;
            if (r.Change == DecisionChange.Started)
            {
                starts.Add(t);
            }
        }
    }
}
