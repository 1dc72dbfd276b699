using System.CommandLine;
using EdgeRnn.Deployment.Cli;

namespace EdgeRnn.Quantize;

/// <summary>edgernn-quantize: composes the command and hands the parsed values to <see cref="QuantizeWorker"/>.</summary>
public static class Program
{
    internal const string ExitCodesHelp =
        "Exit codes: 0 = written, 1 = over a --max-error / --max-metric-drop budget (nothing written), 2 = bad input (missing, malformed or unsupported model, bad calibration data, bad options; nothing written).";

    /// <summary>The entry point.</summary>
    public static int Main(string[] args) => Run(args, Console.Out, Console.Error);

    /// <summary>Parses <paramref name="args"/> and runs; parse errors print to <paramref name="stderr"/> and return 2.</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr) =>
        CommandLineHost.Run(CreateRootCommand(stdout, stderr), "edgernn-quantize", args, stdout, stderr);

    internal static RootCommand CreateRootCommand(TextWriter stdout, TextWriter stderr)
    {
        var input = new Argument<string>("model") { Description = "The float ONNX model (LSTM / GRU / RNN with Gemm / MatMul heads, e.g. from edgernn train or torch.onnx.export)." };
        var output = new Option<string>("--output", "-o") { Description = "Where to write the int8 model. Default: <model>.int8.onnx next to the input." };
        var mode = new Option<QuantizeMode>("--mode")
        {
            Description = "dynamic: int8 weights, activations quantized at every step from their own range (no data needed). "
                + "static: activation ranges fixed from --calibration data.",
            DefaultValueFactory = _ => QuantizeMode.Dynamic,
        };
        var format = new Option<QuantizeFormat>("--format")
        {
            Description = "qdq: int8 weights + DequantizeLinear before standard ops; runs anywhere ONNX runs (EdgeRnn runs it with integer kernels). "
                + "ort: ONNX Runtime's com.microsoft DynamicQuantizeLSTM / DynamicQuantizeMatMul, so ORT runs integer math too (GRU / RNN stay qdq).",
            DefaultValueFactory = _ => QuantizeFormat.Qdq,
        };
        var perTensor = new Option<bool>("--per-tensor") { Description = "One scale per weight tensor instead of one per output channel (smaller error with per-channel, the default)." };
        var float32Scales = new Option<bool>("--float32-scales")
        {
            Description = "Keep scales and folded biases in float32. By default a tensor of 64 or more of them is stored as float16 and widened by a Cast: half their bytes; each scale is rounded up to a float16 (no weight clips), a bias moves by at most 1/2048 of its value (by at most 3e-8 when it is under 6e-5).",
        };
        var exclude = new Option<string[]>("--exclude") { Description = "Node names to keep in float (repeat or comma-separate).", AllowMultipleArgumentsPerToken = true };
        var calibration = new Option<string>("--calibration")
        {
            Description = "Data for static ranges and for the error report: a CSV of raw readings, one row per time step, whose header names "
                + "the model's features (other columns such as a timestamp are ignored; an 'anomaly' or 'label' column adds F1 to the report; "
                + "rows are normalized with the model's own statistics), a .pb tensor, or a folder of test_data_set_*/input_0.pb "
                + "(model inputs as they are). Without it the report uses synthetic N(0, 1) inputs.",
        };
        var method = new Option<CalibrationMethod>("--calibration-method") { Description = "Static ranges: MinMax (largest |x|) or Percentile.", DefaultValueFactory = _ => CalibrationMethod.MinMax };
        var percentile = new Option<double>("--percentile") { Description = "The |x| percentile for --calibration-method Percentile.", DefaultValueFactory = _ => 99.99 };
        var maxError = new Option<double?>("--max-error") { Description = "Fail (exit 1, write nothing) when any output's max abs error vs the float model exceeds this." };
        var maxMetricDrop = new Option<double?>("--max-metric-drop") { Description = "Fail (exit 1, write nothing) when the forecast MAE gets worse by more than this fraction (e.g. 0.02); needs a forecast model (metadata edgernn.task)." };
        var latencySteps = new Option<int>("--latency-steps") { Description = "Steps to time per runtime for the latency table (0 skips it).", DefaultValueFactory = _ => 2000 };
        var json = new Option<bool>("--json") { Description = "Print the report as JSON instead of a table." };
        var root = new RootCommand(
            "edgernn-quantize: turns a float ONNX recurrent model into an int8 one (about a quarter of the size) and reports what it costs: "
            + "error per output vs the float model, and per-step latency in EdgeRnn and ONNX Runtime. Weights become symmetric int8 "
            + "(per output channel unless --per-tensor). The output is written only when everything succeeded (a temporary file, then a rename). "
            + "Example: edgernn-quantize model.onnx -o model.int8.onnx --calibration recording.csv. " + ExitCodesHelp)
        {
            input, output, mode, format, perTensor, float32Scales, exclude, calibration, method, percentile, maxError, maxMetricDrop, latencySteps, json,
        };
        root.SetAction(parse =>
        {
            string model = parse.GetValue(input)!;
            var excluded = new HashSet<string>(
                (parse.GetValue(exclude) ?? []).SelectMany(e => e.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)),
                StringComparer.Ordinal);
            var request = new QuantizeRequest(
                Input: model,
                Output: parse.GetValue(output) ?? Path.ChangeExtension(model, ".int8.onnx"),
                Options: new QuantizeOptions
                {
                    Mode = parse.GetValue(mode),
                    Format = parse.GetValue(format),
                    PerTensor = parse.GetValue(perTensor),
                    Float16Params = !parse.GetValue(float32Scales),
                    Exclude = excluded,
                    CalibrationMethod = parse.GetValue(method),
                    Percentile = parse.GetValue(percentile),
                })
            {
                Calibration = parse.GetValue(calibration),
                MaxError = parse.GetValue(maxError),
                MaxMetricDrop = parse.GetValue(maxMetricDrop),
                LatencySteps = parse.GetValue(latencySteps),
                Json = parse.GetValue(json),
            };
            return QuantizeWorker.Run(request, stdout, stderr);
        });
        return root;
    }
}
