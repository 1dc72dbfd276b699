using EdgeRnn.Quantize.Onnx.Proto;
using EdgeRnn.Runtime;
using EdgeRnn.Runtime.Metadata;
using EdgeRnn.Runtime.Tools;
using Google.Protobuf;

namespace EdgeRnn.Quantize.Tests;

/// <summary>The edgernn metadata survives quantization, and the golden vector is recomputed for the int8 model.</summary>
public sealed class MetadataTests : IDisposable
{
    private readonly string _dir = QuantizeTestHelpers.TempDirectory();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static byte[] ForecastModel(out EdgeRnnMetadata meta)
    {
        byte[] bytes = BuiltinModels.CreateStreaming(BuiltinCell.Lstm, 3, 64, layers: 2);
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
        File.WriteAllLines(csv, ["temperature,humidity,pressure", .. Enumerable.Range(0, 300).Select(t =>
            $"{20 + (5 * Math.Sin(t / 10.0)):F3},{50 + (rng.NextDouble() * 10):F3},{1000 + (8 * Math.Cos(t / 15.0)):F3}")]);
        string output = Path.Combine(_dir, "forecast.int8.onnx");
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = Program.Run([model, "-o", output, "--calibration", csv, "--max-metric-drop", "0.05", "--latency-steps", "0"], stdout, stderr);
        Assert.True(code == 0, stderr.ToString() + stdout);
        Assert.Contains("forecast MAE", stdout.ToString(), StringComparison.Ordinal);

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
    public void Quantize_CsvColumnsInWrongOrder_ExitsTwoNamingTheExpectedOrder()
    {
        string model = Path.Combine(_dir, "forecast.onnx");
        File.WriteAllBytes(model, ForecastModel(out _));
        string csv = Path.Combine(_dir, "swapped.csv");
        File.WriteAllLines(csv, ["humidity,temperature,pressure", "50,20,1000", "51,21,1001"]);
        string output = Path.Combine(_dir, "out.onnx");
        var stderr = new StringWriter();
        int code = Program.Run([model, "-o", output, "--calibration", csv], new StringWriter(), stderr);
        Assert.Equal(ToolExitCodes.BadInput, code);
        Assert.Contains("temperature, humidity, pressure", stderr.ToString(), StringComparison.Ordinal);
        Assert.False(File.Exists(output));
    }
}
