using EdgeRnn.Deployment.Metadata;
using EdgeRnn.Desktop.Models;
using EdgeRnn.Runtime.Onnx;
using EdgeRnn.Runtime;

namespace EdgeRnn.Deployment.Tests.Metadata;

public class EdgeRnnMetadataTests
{
    private static EdgeRnnMetadata Sample() => new()
    {
        Task = ModelTask.Forecast,
        Features = [new FeatureInfo("temperature", "degC", 21.5f, 3.25f), new FeatureInfo("humidity", "%", 40f, 10f)],
        SamplePeriodSeconds = 300,
        Scorer = new ScorerSettings { LongWindow = 400, ShortWindow = 8, Threshold = 0.995, ExitThreshold = 0.9, MinDuration = 3 },
        Golden = new GoldenVector { Inputs = [[0.5f, -1f]], Outputs = [[0.25f, 0.125f]], Tolerance = 1e-5f },
        ProvenanceJson = """{"seed":1,"epochs":12}""",
    };

    [Fact]
    public void ToPropertiesThenRead_RoundTrips()
    {
        EdgeRnnMetadata m = Sample();
        EdgeRnnMetadata back = EdgeRnnMetadata.Read(m.ToProperties())!;
        Assert.Equal(m.Task, back.Task);
        Assert.Equal(m.Features, back.Features);
        Assert.Equal(m.SamplePeriodSeconds, back.SamplePeriodSeconds);
        Assert.Equal(m.Scorer, back.Scorer);
        Assert.Equal(m.Golden!.Outputs[0], back.Golden!.Outputs[0]);
        Assert.Equal(m.ProvenanceJson, back.ProvenanceJson);
    }

    [Fact]
    public void Read_NoFormatKey_ReturnsNull()
    {
        Assert.Null(EdgeRnnMetadata.Read(new Dictionary<string, string> { ["producer"] = "x" }));
    }

    [Theory]
    [InlineData("edgernn.format", "2", "newer EdgeRnn")]
    [InlineData("edgernn.task", "regress", "forecast, autoencoder, classify")]
    [InlineData("edgernn.features", "[{\"name\":\"t\",\"mean\":0,\"std\":0}]", "positive std")]
    [InlineData("edgernn.features", "[{\"name\":\"t\",\"std\":1},{\"name\":\"t\",\"std\":1}]", "distinct")]
    [InlineData("edgernn.features", "{not json", "not valid")]
    [InlineData("edgernn.scorer", "{\"threshold\":0.5,\"exitThreshold\":0.9}", "exitThreshold <= threshold")]
    [InlineData("edgernn.sample_period_s", "-3", "positive number of seconds")]
    [InlineData("edgernn.golden", "{\"inputs\":[[1]],\"outputs\":[]}", "as many output steps")]
    [InlineData("edgernn.provenance", "{oops", "not valid JSON")]
    public void Read_MalformedKey_ThrowsNamingIt(string key, string value, string expected)
    {
        var props = new Dictionary<string, string>(Sample().ToProperties()) { [key] = value };
        ModelFormatException e = Assert.Throws<ModelFormatException>(() => EdgeRnnMetadata.Read(props, "m.onnx"));
        Assert.Contains(key, e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.StartsWith("m.onnx", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_MissingFeatures_Throws()
    {
        var props = new Dictionary<string, string>(Sample().ToProperties());
        props.Remove(EdgeRnnMetadata.FeaturesKey);
        Assert.Contains("is missing", Assert.Throws<ModelFormatException>(() => EdgeRnnMetadata.Read(props)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NormalizeDenormalize_Inverse()
    {
        EdgeRnnMetadata m = Sample();
        var n = new float[2];
        var r = new float[2];
        m.Normalize([24.75f, 30f], n);
        Assert.Equal([1f, -1f], n);
        m.Denormalize(n, r);
        Assert.Equal([24.75f, 30f], r);
    }

    [Fact]
    public void GoldenCheck_ModelOutputs_PassAndDetectTampering()
    {
        byte[] bytes = BuiltinModels.CreateSequence(RecurrentCellKind.Lstm, 3, 8);
        RnnModel model = RnnModel.Load(bytes);
        float[][] inputs = [[0.1f, 0.2f, 0.3f], [0.3f, -0.2f, 0.1f], [1f, 0f, -1f]];
        RnnState s = model.CreateState();
        float[][] outputs = [.. inputs.Select(x => { var y = new float[3]; model.Step(s, x, y); return y; })];
        Assert.True(GoldenCheck.Run(model, new GoldenVector { Inputs = inputs, Outputs = outputs, Tolerance = 0 }).Passed);
        outputs[2][1] += 1e-3f;
        GoldenCheckResult bad = GoldenCheck.Run(model, new GoldenVector { Inputs = inputs, Outputs = outputs, Tolerance = 1e-4f });
        Assert.False(bad.Passed);
        Assert.InRange(bad.MaxAbsError, 9e-4, 1.1e-3);
    }
}
