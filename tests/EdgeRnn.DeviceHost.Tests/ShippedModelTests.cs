using System.Security.Cryptography;
using System.Text.Json;
using EdgeRnn.Deployment.Metadata;
using EdgeRnn.DeviceHost.Profiles;
using EdgeRnn.Runtime;

namespace EdgeRnn.DeviceHost.Tests;

public sealed class ShippedModelTests
{
    public static TheoryData<string, string, string> Kits => new()
    {
        { "pi-bme280.json", "bme280-forecast.onnx", "environment" },
        { "pi-mpu6050.json", "mpu6050-forecast.onnx", "imu" },
        { "pi-ads1115.json", "ads1115-forecast.onnx", "analog" },
    };

    /// <summary>
    /// The sensor-kit models are trained by eng/train-device-models.sh on `edgernn synth --kit KIT --seed 1`
    /// recordings: each must fit its hardware profile under the device's own check (feature names, order, units and
    /// sample period, all present so the check is not vacuous), pass its golden vector on this runtime, carry a
    /// calibrated scorer, and say in its provenance that it was trained, and on which recording.
    /// </summary>
    [Theory]
    [MemberData(nameof(Kits))]
    public void TrainedKitModel_FitsHardwareProfilePassesGoldenAndNamesItsTraining(string profileFile, string modelFile, string kit)
    {
        (LoadedProfile profile, EdgeRnnMetadata metadata) = LoadFittingModel(profileFile, modelFile);
        ReadingProfile[] readings = [.. profile.Profile.Sensors.SelectMany(s => s.Readings)];
        Assert.Equal(readings.Select(r => (r.Feature, r.Unit)), metadata.Features.Select(f => (f.Name, f.Unit)));
        Assert.Equal(profile.Profile.SamplePeriodSeconds, metadata.SamplePeriodSeconds);
        Assert.All(metadata.Features, f => Assert.True(f.Std > 0 && float.IsFinite(f.Mean), $"{f.Name}: no normalization"));

        using JsonDocument provenance = JsonDocument.Parse(metadata.ProvenanceJson!);
        JsonElement p = provenance.RootElement;
        Assert.Equal($"synth-{kit}-seed1.csv", p.GetProperty("data").GetString());
        Assert.Matches("^[0-9a-f]{64}$", p.GetProperty("data_sha256").GetString());
        Assert.Equal("lstm", p.GetProperty("cell").GetString());
        Assert.InRange(p.GetProperty("hidden").GetInt32(), 8, 32);
        Assert.InRange(p.GetProperty("best_epoch").GetInt32(), 1, p.GetProperty("epochs").GetInt32());
        Assert.True(p.GetProperty("metrics").GetProperty("mae").GetDouble() > 0);
    }

    /// <summary>
    /// temperature-forecast.onnx is trained (eng/train-device-models.sh) on NAB's probationary period (the first 750
    /// rows) of the recording devices/replay.json replays, with the clock as extra inputs: it must load, fit that
    /// profile (feature, unit, sample period; the clock features are the device's), pass its golden vector on this
    /// runtime and say in its provenance that it was trained on exactly that file.
    /// </summary>
    [Fact]
    public void TrainedTemperatureModel_LoadsFitsReplayProfileAndPassesGolden()
    {
        (_, EdgeRnnMetadata metadata) = LoadFittingModel("replay.json", "temperature-forecast.onnx");
        Assert.Equal(["temperature", .. TimeFeatures.DailyAndWeekly], metadata.Features.Select(f => f.Name));
        FeatureInfo feature = metadata.Features[0];
        Assert.Equal(("temperature", "degF"), (feature.Name, feature.Unit));
        Assert.InRange(feature.Std, 0.1f, 20f);
        Assert.Equal(3600, metadata.SamplePeriodSeconds);

        using JsonDocument provenance = JsonDocument.Parse(metadata.ProvenanceJson!);
        string data = Path.Combine(RepoPaths.Devices, "data", "nab", "ambient_temperature_system_failure.csv");
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(data))), provenance.RootElement.GetProperty("data_sha256").GetString());
    }

    /// <summary>
    /// Loads the profile and the model it names (which must be devices/models/<paramref name="modelFile"/>): a
    /// forecast model that passes the device's own profile check and its golden vector, with a calibrated scorer.
    /// </summary>
    private static (LoadedProfile Profile, EdgeRnnMetadata Metadata) LoadFittingModel(string profileFile, string modelFile)
    {
        string profilePath = Path.Combine(RepoPaths.Devices, profileFile);
        LoadedProfile profile = ProfileLoader.Load(profilePath);
        string path = profile.Resolve(profile.Profile.Model);
        Assert.Equal(Path.GetFullPath(Path.Combine(RepoPaths.Devices, "models", modelFile)), Path.GetFullPath(path));

        RnnModel model = RnnModel.Load(path);
        EdgeRnnMetadata metadata = EdgeRnnMetadata.Read(model.Metadata, path)!;
        Assert.Equal(ModelTask.Forecast, metadata.Task);
        ProfileLoader.CheckAgainstModel(profile.Profile, metadata, profilePath, path);
        Assert.NotNull(metadata.Golden);
        Assert.True(GoldenCheck.Run(model, metadata.Golden).Passed);
        Assert.NotNull(metadata.Scorer);
        Assert.InRange(metadata.Scorer.Threshold, 0.5, 1);
        return (profile, metadata);
    }
}
