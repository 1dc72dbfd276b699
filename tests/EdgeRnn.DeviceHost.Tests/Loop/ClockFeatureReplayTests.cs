using System.Globalization;
using System.Text.Json;
using EdgeRnn.Deployment.Metadata;
using EdgeRnn.Deployment.Scoring;
using EdgeRnn.DeviceHost.Loop;
using EdgeRnn.Runtime;

namespace EdgeRnn.DeviceHost.Tests.Runs;

/// <summary>
/// A model whose last inputs are clock features (<see cref="TimeFeatures"/>): the profile maps only the sensor
/// feature, the device computes the clock features from the replay's timestamps, and the scores equal a reference
/// computed here from the same rows (normalize, score against the last forecast, step, keep the forecast).
/// </summary>
public sealed class ClockFeatureReplayTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Replay_ClockFeatureModel_ComputesClockFromTimestamps()
    {
        string[] lines = ["timestamp,value", .. File.ReadLines(Path.Combine(RepoPaths.Devices, "data/nab/ambient_temperature_system_failure.csv")).Skip(1).Take(600)];
        string csv = _temp.File("data.csv");
        File.WriteAllLines(csv, lines);
        var scorer = new ScorerSettings { Method = ScorerSettings.LogTailMethod, LongWindow = 300, ShortWindow = 10, WarmupSteps = 0, Threshold = 0.5, ExitThreshold = 0.4 };
        FeatureInfo[] features = [new("temperature", "degF", 70, 4), new(TimeFeatures.DaySin, "", 0, 1), new(TimeFeatures.DayCos, "", 0, 1)];
        string model = _temp.File("clock.onnx");
        File.WriteAllBytes(model, TestModels.Create(features, 3600, hidden: 12, scorer: scorer));
        string profile = _temp.File("profile.json");
        File.WriteAllText(profile, $$"""
            { "name": "clock", "model": "clock.onnx", "samplePeriodSeconds": 3600,
              "sensors": [ { "id": "nab", "kind": "csv", "file": "data.csv", "speed": 0,
                             "readings": [ { "reading": "value", "feature": "temperature", "unit": "degF" } ] } ],
              "outputs": { "console": "off" } }
            """);

        (int code, string stdout, string stderr) = ToolRun.Run(Program.Run, "replay", "--profile", profile, "--json");

        Assert.True(code == 0, stderr);
        double[] device = [.. stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("likelihood").GetDouble())];
        float[] expected = Reference(model, lines[1..], scorer);
        Assert.Equal(expected.Length, device.Length);
        for (int t = 0; t < device.Length; t++)
        {
            Assert.True(Math.Abs(expected[t] - device[t]) <= 1e-6, $"row {t}: device {device[t]}, reference {expected[t]}");
        }

        Assert.Contains(device, l => l > 0);
    }

    private static float[] Reference(string path, string[] rows, ScorerSettings scorer)
    {
        RnnModel model = RnnModel.Load(path);
        EdgeRnnMetadata metadata = EdgeRnnMetadata.Read(model.Metadata)!;
        RnnState state = model.CreateState();
        var detector = new AnomalyDetector(scorer, 3, scoredFeatures: 1);
        var raw = new float[3];
        var x = new float[3];
        var y = new float[3];
        var likelihoods = new float[rows.Length];
        for (int t = 0; t < rows.Length; t++)
        {
            string[] cells = rows[t].Split(',');
            Assert.True(TimeFeatures.TryParseTimestamp(cells[0], out double seconds));
            raw[0] = float.Parse(cells[1], CultureInfo.InvariantCulture);
            raw[1] = TimeFeatures.Compute(TimeFeatures.DaySin, seconds);
            raw[2] = TimeFeatures.Compute(TimeFeatures.DayCos, seconds);
            metadata.Normalize(raw, x);
            likelihoods[t] = detector.Observe(x).Likelihood;
            model.Step(state, x, y);
            detector.SetForecast(y);
        }

        return likelihoods;
    }
}
