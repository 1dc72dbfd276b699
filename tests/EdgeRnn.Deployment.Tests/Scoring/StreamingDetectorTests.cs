using EdgeRnn.Deployment.Metadata;
using EdgeRnn.Deployment.Scoring;
using EdgeRnn.Runtime;

namespace EdgeRnn.Deployment.Tests.Scoring;

/// <summary>The device's per-row sequence, on the shipped temperature model (a sensor feature, then clock features).</summary>
public class StreamingDetectorTests
{
    private static string ShippedModel() => Path.Combine(RepoPaths.Devices, "models", "temperature-forecast.onnx");

    [Fact]
    public void Step_SensorsAndTime_EqualsStepRowStepNormalizedRowAndTheManualSequence()
    {
        RnnModel model = RnnModel.Load(ShippedModel());
        EdgeRnnMetadata metadata = EdgeRnnMetadata.Read(model.Metadata)!;
        var byTime = new StreamingDetector(model, metadata, metadata.Scorer!);
        var byRow = new StreamingDetector(model, metadata, metadata.Scorer!);
        var byNormalizedRow = new StreamingDetector(model, metadata, metadata.Scorer!);
        Assert.True(byTime.UsesClock);
        Assert.Equal(1, byTime.SensorFeatures);

        // The manual sequence: normalize, Observe, Step, SetForecast.
        RnnState state = model.CreateState();
        var detector = new AnomalyDetector(metadata.Scorer!, metadata.Features.Count, 1);
        int n = metadata.Features.Count;
        float[] row = new float[n], x = new float[n], y = new float[n];
        for (int t = 0; t < 500; t++)
        {
            double time = 1_380_000_000 + (3600.0 * t);
            float reading = 70 + (5 * MathF.Sin(t * 0.26f)) + (t == 400 ? 15 : 0);
            row[0] = reading;
            TimeFeatures.Fill(metadata.Features, 1, time, row);
            metadata.Normalize(row, x);
            ScoreResult c = byNormalizedRow.StepNormalizedRow(x);
            ScoreResult expected = detector.Observe(x);
            model.Step(state, x, y);
            detector.SetForecast(y);

            ScoreResult a = byTime.Step([reading], time);
            ScoreResult b = byRow.StepRow(row);
            Assert.Equal(expected, a);
            Assert.Equal(expected, b);
            Assert.Equal(expected, c);
        }

        Assert.Equal(y, byTime.Forecast.ToArray());
    }

    [Fact]
    public void Step_NaNReading_StandsAtTheTrainingMean()
    {
        RnnModel model = RnnModel.Load(ShippedModel());
        EdgeRnnMetadata metadata = EdgeRnnMetadata.Read(model.Metadata)!;
        var withNaN = new StreamingDetector(model, metadata, metadata.Scorer!);
        var withMean = new StreamingDetector(model, metadata, metadata.Scorer!);

        withNaN.Step([float.NaN], 0);
        withMean.Step([metadata.Features[0].Mean], 0);

        Assert.Equal(withMean.Forecast.ToArray(), withNaN.Forecast.ToArray());
        Assert.Throws<ArgumentException>(() => withNaN.Step([1f, 2f], 0));
    }
}
