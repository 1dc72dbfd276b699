using System.CommandLine;
using EdgeRnn.Runtime.Tools;
using EdgeRnn.Shared;
using EdgeRnn.Train.Commands;

namespace EdgeRnn.Train;

/// <summary>
/// edgernn: composes the commands and nothing else. Each command's action hands its parsed, named values to a
/// worker that writes to the given <see cref="TextWriter"/>s and returns the exit code.
/// </summary>
public static class Program
{
    internal const string ExitCodesHelp = CommandLineHost.ExitCodesHelp;

    /// <summary>The entry point.</summary>
    public static int Main(string[] args) => Run(args, Console.Out, Console.Error);

    /// <summary>Parses <paramref name="args"/> and runs the command; parse errors print to <paramref name="stderr"/> and return 2.</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr) =>
        CommandLineHost.Run(CreateRootCommand(stdout, stderr), "edgernn", args, stdout, stderr);

    internal static RootCommand CreateRootCommand(TextWriter stdout, TextWriter stderr) =>
        new("edgernn: the desktop EdgeRnn tool: verify models against saved test data, write test data whose expected outputs come from ONNX Runtime, and benchmark the runtime against ONNX Runtime. " + ExitCodesHelp)
        {
            CommandLineHost.CreateVerifyCommand("Checks a model against saved test data (the same check and output as edgernn-device verify).", stdout, stderr),
            CreateBenchCommand(stdout, stderr),
            CreateTestDataCommand(stdout, stderr),
        };

    internal static Command CreateBenchCommand(TextWriter stdout, TextWriter stderr)
    {
        var model = new Argument<string?>("model")
        {
            Description = "A model file (.onnx) or a test folder holding model.onnx. Omit it when using --builtin.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var builtin = new Option<string?>("--builtin") { Description = "Benchmark a built-in streaming model instead of a file: lstm or gru (random weights, fixed seed)." };
        builtin.AcceptOnlyFromAmong("lstm", "gru");
        var hidden = new Option<int>("--hidden") { Description = "Hidden size of the built-in model.", DefaultValueFactory = _ => 64 };
        var input = new Option<int>("--input") { Description = "Input features of the built-in model (its output has as many).", DefaultValueFactory = _ => 4 };
        var layers = new Option<int>("--layers") { Description = "Stacked recurrent layers of the built-in model.", DefaultValueFactory = _ => 1 };
        var steps = new Option<int>("--steps") { Description = "Timed steps per runtime (individually, then again in blocks of 1000).", DefaultValueFactory = _ => 20000 };
        var warmup = new Option<int>("--warmup") { Description = "Untimed warm-up steps per runtime (warm-up also lasts at least 300 ms, for the JIT to optimize).", DefaultValueFactory = _ => 2000 };
        var json = new Option<bool>("--json") { Description = "Print machine-readable JSON instead of a table." };
        var command = new Command("bench",
            "Measures the latency of one time step in EdgeRnn (RnnModel.Step, no allocation) and in ONNX Runtime (one thread, "
            + "IoBinding with buffers bound once, state carried through two alternating buffer sets), and their ratio. Reports the "
            + "median of 1000-step block averages (the headline), and the median, p99 and mean of individually timed steps. "
            + "A model that cannot stream is timed as whole-sequence runs. Progress goes to stderr. "
            + "Exit codes: 0 = measured, 2 = bad input (missing or malformed model, bad options).")
        {
            model, builtin, hidden, input, layers, steps, warmup, json,
        };
        command.SetAction(parse => BenchWorker.Run(
            model: parse.GetValue(model),
            builtin: parse.GetValue(builtin),
            hidden: parse.GetValue(hidden),
            input: parse.GetValue(input),
            layers: parse.GetValue(layers),
            steps: parse.GetValue(steps),
            warmup: parse.GetValue(warmup),
            json: parse.GetValue(json),
            stdout: stdout,
            stderr: stderr));
        return command;
    }

    internal static Command CreateTestDataCommand(TextWriter stdout, TextWriter stderr)
    {
        var model = new Argument<string?>("model") { Description = "A model file (.onnx). Omit it when using --builtin.", Arity = ArgumentArity.ZeroOrOne };
        var builtin = new Option<string?>("--builtin") { Description = "Use a built-in whole-sequence model instead of a file: lstm or gru (random weights, fixed seed)." };
        builtin.AcceptOnlyFromAmong("lstm", "gru");
        var hidden = new Option<int>("--hidden") { Description = "Hidden size of the built-in model.", DefaultValueFactory = _ => 64 };
        var input = new Option<int>("--input") { Description = "Input features of the built-in model.", DefaultValueFactory = _ => 4 };
        var layers = new Option<int>("--layers") { Description = "Stacked recurrent layers of the built-in model.", DefaultValueFactory = _ => 1 };
        var steps = new Option<int>("--steps") { Description = "Length of each input sequence (symbolic dimensions named like seq/time/len; other symbolic dimensions are 1).", DefaultValueFactory = _ => 200 };
        var sets = new Option<int>("--sets") { Description = "Number of data sets (test_data_set_0, _1, ...).", DefaultValueFactory = _ => 2 };
        var seed = new Option<int>("--seed") { Description = "Seed of the random (standard normal) inputs.", DefaultValueFactory = _ => 1 };
        var output = new Option<string>("--out") { Description = "The test folder to write (model.onnx and the data sets).", Required = true };
        var command = new Command("testdata",
            "Writes an ONNX backend test folder (model.onnx, test_data_set_N/input_K.pb and output_K.pb) with random inputs and the "
            + "outputs ONNX Runtime computes for them, the reference a device is checked against with 'edgernn-device verify'. "
            + "Exit codes: 0 = written, 2 = bad input.")
        {
            model, builtin, hidden, input, layers, steps, sets, seed, output,
        };
        command.SetAction(parse => TestDataWorker.Run(
            model: parse.GetValue(model),
            builtin: parse.GetValue(builtin),
            hidden: parse.GetValue(hidden),
            input: parse.GetValue(input),
            layers: parse.GetValue(layers),
            steps: parse.GetValue(steps),
            sets: parse.GetValue(sets),
            seed: parse.GetValue(seed),
            output: parse.GetValue(output)!,
            stdout: stdout,
            stderr: stderr));
        return command;
    }
}
