using System.CommandLine;
using EdgeRnn.Deployment.Cli;

namespace EdgeRnn.Quantize.Commands;

/// <summary>edgernn-quantize's one command: its options, their ranges, and the hand-off to <see cref="QuantizeWorker"/>.</summary>
internal static class QuantizeCommand
{
    internal const string ExitCodesHelp =
        "Exit codes: 0 = written, 1 = over a --max-error / --max-metric-drop budget (nothing written), 2 = bad input (missing, malformed or unsupported model, bad calibration data, bad options; nothing written).";

    public static RootCommand Create()
    {
        Option<string> input = CommonOptions.Model("The float ONNX model (LSTM / GRU / RNN with Gemm / MatMul heads, e.g. from edgernn train or torch.onnx.export).");
        Option<string> output = CommonOptions.Out("Where to write the int8 model. Default: <model>.int8.onnx next to the input.", required: false);
        Option<QuantizeMode> mode = CommonOptions.Choice<QuantizeMode>("--mode",
            "dynamic: int8 weights, activations quantized at every step from their own range (no data needed). "
            + "static: activation ranges fixed from --calibration data.");
        Option<QuantizeFormat> format = CommonOptions.Choice<QuantizeFormat>("--format",
            "qdq: int8 weights + DequantizeLinear before standard ops; runs anywhere ONNX runs (EdgeRnn runs it with integer kernels). "
            + "ort: ONNX Runtime's com.microsoft DynamicQuantizeLSTM / DynamicQuantizeMatMul, so ORT runs integer math too (GRU / RNN stay qdq).");
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
        Option<CalibrationMethod> method = CommonOptions.Choice<CalibrationMethod>("--calibration-method", "Static ranges: minmax (largest |x|) or percentile (--percentile of |x|).");
        var percentile = new Option<double>("--percentile") { Description = "The |x| percentile for --calibration-method percentile.", DefaultValueFactory = _ => 99.99 }.InInterval(0, 100, minOpen: true);
        var maxError = new Option<double?>("--max-error") { Description = "Fail (exit 1, write nothing) when any output's max abs error vs the float model exceeds this." }.InInterval(0, double.PositiveInfinity);
        var maxMetricDrop = new Option<double?>("--max-metric-drop") { Description = "Fail (exit 1, write nothing) when the forecast MAE gets worse by more than this fraction (e.g. 0.02); needs a forecast model (metadata edgernn.task)." }.InInterval(0, double.PositiveInfinity);
        var timedSteps = new Option<int>("--timed-steps") { Description = "Steps to time per runtime for the latency table (0 skips it).", DefaultValueFactory = _ => 2000 }.InRange(0, 100_000_000);
        Option<bool> json = CommonOptions.Json("Print the report as JSON (camelCase keys) instead of a table.");
        var root = new RootCommand(
            "edgernn-quantize: turns a float ONNX recurrent model into an int8 one (about a quarter of the size) and reports what it costs: "
            + "error per output vs the float model, and per-step latency in EdgeRnn and ONNX Runtime. Weights become symmetric int8 "
            + "(per output channel unless --per-tensor). The output is written only when everything succeeded (a temporary file, then a rename). "
            + "Example: edgernn-quantize -m model.onnx -o model.int8.onnx --calibration recording.csv. " + ExitCodesHelp)
        {
            input, output, mode, format, perTensor, float32Scales, exclude, calibration, method, percentile, maxError, maxMetricDrop, timedSteps, json,
        };
        root.WithOldPositional(input).WithOldSpelling("--output", output).WithOldSpelling("--latency-steps", timedSteps);
        root.SetAction(parse =>
        {
            string model = parse.GetValue(input)!;
            var excluded = new HashSet<string>(CommonOptions.SplitList(parse.GetValue(exclude)) ?? [], StringComparer.Ordinal);
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
                LatencySteps = parse.GetValue(timedSteps),
                Json = parse.GetValue(json),
            };
            return QuantizeWorker.Run(request, parse.Out(), parse.Error());
        });
        return root;
    }
}
