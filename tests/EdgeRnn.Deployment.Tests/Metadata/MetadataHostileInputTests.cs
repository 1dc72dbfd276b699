using EdgeRnn.Deployment.Metadata;
using EdgeRnn.Runtime;

namespace EdgeRnn.Deployment.Tests.Metadata;

/// <summary>
/// The edgernn metadata JSON comes from the file: JSON null where an object, array or string belongs, and control
/// characters in text the device prints, are clear errors naming the key.
/// </summary>
public class MetadataHostileInputTests
{
    private static Dictionary<string, string> Valid() => new(StringComparer.Ordinal)
    {
        [EdgeRnnMetadata.FormatKey] = "1",
        [EdgeRnnMetadata.TaskKey] = "forecast",
        [EdgeRnnMetadata.FeaturesKey] = """[{"name":"t","unit":"degC","mean":20,"std":2}]""",
        [EdgeRnnMetadata.GoldenKey] = """{"inputs":[[0.5]],"outputs":[[0.25]],"tolerance":0.001}""",
    };

    [Theory]
    [InlineData(EdgeRnnMetadata.FeaturesKey, "[null]", "entry 0 is null")]
    [InlineData(EdgeRnnMetadata.FeaturesKey, """[{"name":"t","std":1},null]""", "entry 1 is null")]
    [InlineData(EdgeRnnMetadata.FeaturesKey, """[{"name":null,"std":1}]""", "non-empty and distinct (entry 0: '')")]
    [InlineData(EdgeRnnMetadata.FeaturesKey, "null", "is null")]
    [InlineData(EdgeRnnMetadata.GoldenKey, """{"inputs":null,"outputs":[[1]]}""", "has no 'inputs'")]
    [InlineData(EdgeRnnMetadata.GoldenKey, """{"inputs":[[1]],"outputs":null}""", "has no 'outputs'")]
    [InlineData(EdgeRnnMetadata.GoldenKey, """{"outputs":[[1]]}""", "not valid")]
    [InlineData(EdgeRnnMetadata.GoldenKey, """{"inputs":[[1],null],"outputs":[[1],[2]]}""", "'inputs' step 1 is null")]
    [InlineData(EdgeRnnMetadata.GoldenKey, """{"inputs":[[1]],"outputs":[null]}""", "'outputs' step 0 is null")]
    [InlineData(EdgeRnnMetadata.ClassesKey, """["idle",null]""", "entry 1 is null")]
    public void Read_NullInsideJson_ThrowsNamingKey(string key, string json, string expected)
    {
        Dictionary<string, string> metadata = Valid();
        metadata[key] = json;
        var e = Assert.Throws<ModelFormatException>(() => EdgeRnnMetadata.Read(metadata, "m.onnx"));
        Assert.StartsWith($"m.onnx: metadata '{key}'", e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(EdgeRnnMetadata.FeaturesKey, """[{"name":"t\u001b[2J","std":1}]""")]
    [InlineData(EdgeRnnMetadata.FeaturesKey, """[{"name":"t","unit":"deg\nC","std":1}]""")]
    [InlineData(EdgeRnnMetadata.ClassesKey, """["idle","walk\r\nFAKE LOG LINE"]""")]
    public void Read_ControlCharactersInPrintedText_ThrowsWithPrintableMessage(string key, string json)
    {
        Dictionary<string, string> metadata = Valid();
        metadata[key] = json;
        var e = Assert.Throws<ModelFormatException>(() => EdgeRnnMetadata.Read(metadata, "m.onnx"));
        Assert.Contains($"metadata '{key}'", e.Message, StringComparison.Ordinal);
        Assert.Contains("control characters", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(e.Message, char.IsControl);
    }

    [Fact]
    public void Read_TaskWithEscapeSequence_QuotedPrintably()
    {
        Dictionary<string, string> metadata = Valid();
        metadata[EdgeRnnMetadata.TaskKey] = "\u001b[31mforecast";
        var e = Assert.Throws<ModelFormatException>(() => EdgeRnnMetadata.Read(metadata, "m.onnx"));
        Assert.Contains("'\\u001B[31mforecast' is not one of", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_ValidMetadata_StillReads()
    {
        EdgeRnnMetadata m = EdgeRnnMetadata.Read(Valid(), "m.onnx")!;
        Assert.Equal("degC", m.Features[0].Unit);
        Assert.Equal(0.25f, m.Golden!.Outputs[0][0]);
    }
}
