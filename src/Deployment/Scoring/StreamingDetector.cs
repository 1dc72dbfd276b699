using System.Diagnostics.CodeAnalysis;
using EdgeRnn.Deployment.Metadata;
using EdgeRnn.Runtime;

namespace EdgeRnn.Deployment.Scoring;

/// <summary>
/// One stream of a forecast model and its scorer: the per-row sequence the device runs, written once so the desktop
/// (edgernn score, calibration, nab run, bench) scores exactly as the device does. Per row, allocation-free:
/// <list type="number">
/// <item>clock features (<see cref="TimeFeatures"/>) from the row's time, when the model takes them;</item>
/// <item>normalize with the model's statistics; a reading that is not finite stands at the training mean (0);</item>
/// <item>score the row against the forecast made before it arrived (<see cref="AnomalyDetector.Observe"/>);</item>
/// <item>step the model (<see cref="RnnModel.Step(RnnState, ReadOnlySpan{float}, Span{float})"/>) and keep its forecast
/// of the next row.</item>
/// </list>
/// So a row never influences its own score.
/// </summary>
public sealed class StreamingDetector
{
    private readonly float[] _row;
    private readonly float[] _normalized;
    private readonly float[] _forecast;

    /// <summary>Creates the stream, its model state and its scorer.</summary>
    /// <exception cref="ArgumentException">The model does not stream one row of the metadata's features to a forecast of them.</exception>
    /// <exception cref="ModelFormatException">The metadata's clock features are out of order or unknown.</exception>
    public StreamingDetector(RnnModel model, EdgeRnnMetadata metadata, ScorerSettings settings)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(metadata);
        ArgumentNullException.ThrowIfNull(settings);
        int features = metadata.Features.Count;
        if (model.StepInputs.Count != 1 || model.StepInputs[0].Length != features || model.StepOutputs.Count < 1 || model.StepOutputs[0].Length != features)
        {
            throw new ArgumentException($"{model.SourceName}: a forecast model must stream one input of {features} features to a forecast of {features}.", nameof(model));
        }

        Model = model;
        Metadata = metadata;
        SensorFeatures = TimeFeatures.SensorFeatureCount(metadata.Features);
        State = model.CreateState();
        Detector = new AnomalyDetector(settings, features, SensorFeatures);
        _row = new float[features];
        _normalized = new float[features];
        _forecast = new float[features];
    }

    /// <summary>The model.</summary>
    public RnnModel Model { get; }

    /// <summary>The model's edgernn metadata (features, normalization).</summary>
    public EdgeRnnMetadata Metadata { get; }

    /// <summary>The stream's model state.</summary>
    public RnnState State { get; }

    /// <summary>The stream's scorer.</summary>
    public AnomalyDetector Detector { get; }

    /// <summary>The leading features read from sensors; the rest are clock features.</summary>
    public int SensorFeatures { get; }

    /// <summary>Whether the model takes clock features (then <see cref="Step(ReadOnlySpan{float}, double)"/> needs the time).</summary>
    public bool UsesClock => SensorFeatures < _row.Length;

    /// <summary>The model's forecast of the next row, normalized.</summary>
    public ReadOnlySpan<float> Forecast => _forecast;

    /// <summary>The forecast of the next row in the first feature's units.</summary>
    public float FirstForecast => (_forecast[0] * Metadata.Features[0].Std) + Metadata.Features[0].Mean;

    /// <summary>
    /// Scores and learns one row given as the sensor readings (raw units) and the row's time in seconds since
    /// 1970-01-01 (as the model's clock features read it; ignored when the model takes none).
    /// </summary>
    public ScoreResult Step(ReadOnlySpan<float> sensorReadings, double unixSeconds)
    {
        if (sensorReadings.Length != SensorFeatures)
        {
            ThrowLength("sensor readings", SensorFeatures, sensorReadings.Length);
        }

        sensorReadings.CopyTo(_row);
        if (UsesClock)
        {
            TimeFeatures.Fill(Metadata.Features, SensorFeatures, unixSeconds, _row);
        }

        return StepNormalized();
    }

    /// <summary>Scores and learns one row given with every model feature (clock features already computed), raw units.</summary>
    public ScoreResult StepRow(ReadOnlySpan<float> row)
    {
        if (row.Length != _row.Length)
        {
            ThrowLength("features", _row.Length, row.Length);
        }

        row.CopyTo(_row);
        return StepNormalized();
    }

    /// <summary>Back to the model's initial state and a fresh scorer.</summary>
    public void Reset()
    {
        State.Reset();
        Detector.Reset();
        Array.Clear(_forecast);
    }

    /// <summary>
    /// Scores and learns one row already normalized with the model's statistics (every feature, clock features
    /// included), as a quantization or calibration set holds them.
    /// </summary>
    public ScoreResult StepNormalizedRow(ReadOnlySpan<float> normalized)
    {
        if (normalized.Length != _normalized.Length)
        {
            ThrowLength("features", _normalized.Length, normalized.Length);
        }

        normalized.CopyTo(_normalized);
        return ScoreAndStep();
    }

    private ScoreResult StepNormalized()
    {
        Metadata.Normalize(_row, _normalized);
        return ScoreAndStep();
    }

    private ScoreResult ScoreAndStep()
    {
        for (int i = 0; i < _normalized.Length; i++)
        {
            // A reading no sensor has delivered stands at the training mean.
            _normalized[i] = float.IsFinite(_normalized[i]) ? _normalized[i] : 0;
        }

        ScoreResult score = Detector.Observe(_normalized);
        Model.Step(State, _normalized, _forecast);
        Detector.SetForecast(_forecast);
        return score;
    }

    [DoesNotReturn]
    private static void ThrowLength(string what, int expected, int got) =>
        throw new ArgumentException($"Expected {expected} {what} per row, got {got}.");
}
