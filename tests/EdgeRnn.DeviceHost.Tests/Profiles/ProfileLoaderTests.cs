using EdgeRnn.Deployment.Metadata;
using EdgeRnn.DeviceHost.Profiles;

namespace EdgeRnn.DeviceHost.Tests.Profiles;

public sealed class ProfileLoaderTests
{
    private const string Minimal = """
        { "name": "t", "model": "m.onnx", "samplePeriodSeconds": 1,
          "sensors": [ { "id": "s", "kind": "synthetic", "readings": [ { "reading": "value", "feature": "temperature", "unit": "degC" } ] } ] }
        """;

    private static EdgeRnnMetadata Metadata(double? period = 1, string unit = "degC", params string[] names) => new()
    {
        Task = ModelTask.Forecast,
        Features = [.. (names.Length == 0 ? ["temperature"] : names).Select(n => new FeatureInfo(n, unit, 0, 1))],
        SamplePeriodSeconds = period,
    };

    [Theory]
    [InlineData("replay.json")]
    [InlineData("pi-bme280.json")]
    [InlineData("pi-mpu6050.json")]
    [InlineData("pi-ads1115.json")]
    public void Load_ShippedProfile_ParsesAndFitsItsModel(string file)
    {
        LoadedProfile profile = ProfileLoader.Load(Path.Combine(RepoPaths.Devices, file));
        string model = profile.Resolve(profile.Profile.Model);
        EdgeRnnMetadata? metadata = EdgeRnnMetadata.Read(Runtime.RnnModel.Load(model).Metadata);

        ScorerSettings settings = ProfileLoader.CheckAgainstModel(profile.Profile, metadata, file, model);

        Assert.Equal(profile.Profile.Alarm.MinDuration ?? metadata!.Scorer!.MinDuration, settings.MinDuration);
    }

    [Fact]
    public void Parse_UnknownField_ErrorNamesIt()
    {
        string json = Minimal.Replace("\"id\": \"s\"", "\"id\": \"s\", \"adress\": \"0x76\"", StringComparison.Ordinal);

        var e = Assert.Throws<ProfileException>(() => ProfileLoader.Parse(json, "p.json"));

        Assert.Contains("adress", e.Message, StringComparison.Ordinal);
        Assert.StartsWith("p.json: ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_MissingRequiredField_ErrorNamesIt()
    {
        string json = Minimal.Replace("\"model\": \"m.onnx\",", "", StringComparison.Ordinal);

        Assert.Contains("model", Assert.Throws<ProfileException>(() => ProfileLoader.Parse(json, "p.json")).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"samplePeriodSeconds\": 1", "\"samplePeriodSeconds\": -1", "$.samplePeriodSeconds")]
    [InlineData("\"kind\": \"synthetic\"", "\"kind\": \"bme281\"", "$.sensors[0].kind")]
    [InlineData("\"kind\": \"synthetic\"", "\"kind\": \"bme280\", \"address\": \"0x99\"", "$.sensors[0].address")]
    [InlineData("\"kind\": \"synthetic\"", "\"kind\": \"bme280\"", "$.sensors[0].readings[0].reading")]
    [InlineData("\"reading\": \"value\"", "\"reading\": \"temperature\"", "")]
    [InlineData("\"unit\": \"degC\" }", "\"unit\": \"degC\", \"min\": 5, \"max\": 1 }", "$.sensors[0].readings[0]")]
    public void Parse_BadValue_ErrorNamesField(string from, string to, string field)
    {
        string json = Minimal.Replace(from, to, StringComparison.Ordinal);

        if (field.Length == 0)
        {
            ProfileLoader.Parse(json, "p.json"); // a synthetic sensor may name its reading anything
            return;
        }

        Assert.Contains(field + ":", Assert.Throws<ProfileException>(() => ProfileLoader.Parse(json, "p.json")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_Bme280WrongUnit_ErrorListsUnits()
    {
        string json = Minimal.Replace("\"kind\": \"synthetic\"", "\"kind\": \"bme280\"", StringComparison.Ordinal)
            .Replace("\"reading\": \"value\"", "\"reading\": \"temperature\"", StringComparison.Ordinal)
            .Replace("\"unit\": \"degC\"", "\"unit\": \"celsius\"", StringComparison.Ordinal);

        var e = Assert.Throws<ProfileException>(() => ProfileLoader.Parse(json, "p.json"));

        Assert.Contains("$.sensors[0].readings[0].unit", e.Message, StringComparison.Ordinal);
        Assert.Contains("degC, degF, K", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckAgainstModel_FeatureOrder_ErrorNamesBoth()
    {
        string json = """
            { "name": "t", "model": "m.onnx", "samplePeriodSeconds": 1,
              "sensors": [ { "id": "s", "kind": "synthetic", "readings": [
                { "reading": "a", "feature": "pressure", "unit": "degC" }, { "reading": "b", "feature": "temperature", "unit": "degC" } ] } ] }
            """;
        DeviceProfile p = ProfileLoader.Parse(json, "p.json");

        var e = Assert.Throws<ProfileException>(() => ProfileLoader.CheckAgainstModel(p, Metadata(1, "degC", "temperature", "pressure"), "p.json", "m.onnx"));

        Assert.Contains("feature 0 is 'pressure' in the profile but 'temperature' in the model", e.Message, StringComparison.Ordinal);
        Assert.Contains("different order", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckAgainstModel_Count_Unit_Period_Task_AreErrors()
    {
        DeviceProfile p = ProfileLoader.Parse(Minimal, "p.json");

        Assert.Contains("takes 2", Assert.Throws<ProfileException>(() => ProfileLoader.CheckAgainstModel(p, Metadata(1, "degC", "temperature", "humidity"), "p", "m")).Message, StringComparison.Ordinal);
        Assert.Contains("trained on 'degF'", Assert.Throws<ProfileException>(() => ProfileLoader.CheckAgainstModel(p, Metadata(1, "degF"), "p", "m")).Message, StringComparison.Ordinal);
        Assert.Contains("every 60 s", Assert.Throws<ProfileException>(() => ProfileLoader.CheckAgainstModel(p, Metadata(60), "p", "m")).Message, StringComparison.Ordinal);
        Assert.Contains("Autoencoder", Assert.Throws<ProfileException>(() => ProfileLoader.CheckAgainstModel(p, Metadata() with { Task = ModelTask.Autoencoder }, "p", "m")).Message, StringComparison.Ordinal);
        Assert.Contains("no edgernn", Assert.Throws<ProfileException>(() => ProfileLoader.CheckAgainstModel(p, null, "p", "m")).Message, StringComparison.Ordinal);
        ProfileLoader.CheckAgainstModel(p, Metadata(null), "p", "m");
    }
}
