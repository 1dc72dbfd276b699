using EdgeRnn.Deployment.Cli;
using EdgeRnn.Deployment.Metadata;
using EdgeRnn.Desktop.Models;
using EdgeRnn.Runtime.Onnx.Proto;
using EdgeRnn.Runtime;
using Google.Protobuf;

namespace EdgeRnn.Quantize.Tests;

/// <summary>The edgernn metadata survives quantization, and the golden vector is recomputed for the int8 model.</summary>
public sealed class MetadataTests : IDisposable
{
    private readonly string _dir = QuantizeTestHelpers.TempDirectory();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static byte[] ForecastModel(out EdgeRnnMetadata meta)
    {
        byte[] bytes = BuiltinModels.CreateStreaming(RecurrentCellKind.Lstm, 3, 64, layers: 2);
        RnnModel model = RnnModel.Load(bytes);
        float[][] inputs = [[0.1f, -0.5f, 1f], [0.3f, 0.2f, -1f], [1.5f, 0f, 0.25f]];
        var outputs = new float[inputs.Length][];
        RnnState state = model.CreateState();
        for (int t = 0; t < inputs.Length; t++)
        {
            outputs[t] = new float[3];
            model.Step(state, inputs[t], outputs[t]);
        }

        meta = new EdgeRnnMetadata
        {
            Task = ModelTask.Forecast,
            Features = [new("temperature", "degC", 20f, 5f), new("humidity", "%", 50f, 10f), new("pressure", "hPa", 1000f, 8f)],
            Golden = new GoldenVector { Inputs = inputs, Outputs = outputs, Tolerance = 1e-5f },
            Scorer = new ScorerSettings { LongWindow = 50, ShortWindow = 5, WarmupSteps = 20, Threshold = 0.99, ExitThreshold = 0.9 },
        };
        ModelProto proto = ModelQuantizer.Parse(bytes);
        foreach ((string key, string value) in meta.ToProperties())
        {
            ModelQuantizer.SetMetadata(proto, key, value);
        }

        return proto.ToByteArray();
    }

    [Fact]
    public void Quantize_ForecastModelWithRawCsv_CarriesMetadataAndRecomputesGolden()
    {
        string model = Path.Combine(_dir, "forecast.onnx");
        File.WriteAllBytes(model, ForecastModel(out EdgeRnnMetadata meta));
        string csv = Path.Combine(_dir, "recording.csv");
        var rng = new Random(4);
        File.WriteAllLines(csv, ["temperature,humidity,pressure,anomaly", .. Enumerable.Range(0, 300).Select(t =>
            $"{20 + (5 * Math.Sin(t / 10.0)) + (t is > 200 and < 210 ? 30 : 0):F3},{50 + (rng.NextDouble() * 10):F3},{1000 + (8 * Math.Cos(t / 15.0)):F3},{(t is > 200 and < 210 ? 1 : 0)}")]);
        string output = Path.Combine(_dir, "forecast.int8.onnx");
        (int code, string stdout, string stderr) = ToolRun.Run(Program.Run, "--model", model, "-o", output, "--calibration", csv, "--max-metric-drop", "0.05", "--timed-steps", "0");
        Assert.True(code == 0, stderr + stdout);
        Assert.Contains("forecast MAE", stdout, StringComparison.Ordinal);
        Assert.Contains("anomaly flags", stdout, StringComparison.Ordinal);
        Assert.Contains("F1 vs the label column", stdout, StringComparison.Ordinal);

        RnnModel int8 = RnnModel.Load(output);
        EdgeRnnMetadata carried = EdgeRnnMetadata.Read(int8.Metadata)!;
        Assert.Equal(meta.Features, carried.Features);
        Assert.Equal(ModelTask.Forecast, carried.Task);
        Assert.Contains("\"quantization\"", carried.ProvenanceJson, StringComparison.Ordinal);
        GoldenCheckResult check = GoldenCheck.Run(int8, carried.Golden!);
        Assert.True(check.Passed, $"int8 golden max error {check.MaxAbsError}");

        // The float model's golden outputs are not what the int8 model computes (that is why they were recomputed).
        Assert.False(GoldenCheck.Run(int8, meta.Golden!).Passed);
    }

    [Fact]
    public void Quantize_CsvMissingAFeature_ExitsTwoNamingIt()
    {
        string model = Path.Combine(_dir, "forecast.onnx");
        File.WriteAllBytes(model, ForecastModel(out _));
        string csv = Path.Combine(_dir, "missing.csv");
        File.WriteAllLines(csv, ["timestamp,humidity,temperature,wind", "1,50,20,3", "2,51,21,4"]);
        string output = Path.Combine(_dir, "out.onnx");
        (int code, _, string stderr) = ToolRun.Run(Program.Run, "--model", model, "-o", output, "--calibration", csv);
        Assert.Equal(ToolExitCodes.BadInput, code);
        Assert.Contains("no column 'pressure'", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void Quantize_RecordingWithTimestampAndLabelColumns_PicksFeaturesByName()
    {
        string model = Path.Combine(_dir, "forecast.onnx");
        File.WriteAllBytes(model, ForecastModel(out _));
        string csv = Path.Combine(_dir, "recording.csv");
        File.WriteAllLines(csv, ["timestamp,pressure,humidity,temperature,anomaly", .. Enumerable.Range(0, 50).Select(t => $"{t},{1000 + t % 7},{50 + t % 5},{20 + t % 3},0")]);
        (int code, string stdout, string stderr) = ToolRun.Run(Program.Run, "--model", model, "-o", Path.Combine(_dir, "out.onnx"), "--calibration", csv, "--timed-steps", "0");
        Assert.True(code == 0, stderr);
        Assert.Contains("50 steps", stdout, StringComparison.Ordinal);
    }
}
