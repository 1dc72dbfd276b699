using System.CommandLine;
using EdgeRnn.Deployment.Cli;

namespace EdgeRnn.Train.Commands;

/// <summary><c>edgernn testdata</c>: an ONNX backend test folder with ONNX Runtime's outputs (<see cref="TestDataWorker"/>).</summary>
internal static class TestDataCommand
{
    public static Command Create()
    {
        Option<string> model = CommonOptions.Model("A model file (.onnx). Omit it when using --builtin.", required: false);
        var builtin = new Option<string?>("--builtin") { Description = "Use a built-in whole-sequence model instead of a file: lstm or gru (random weights, fixed seed)." };
        builtin.AcceptOnlyFromAmong("lstm", "gru");
        var hidden = new Option<int>("--hidden") { Description = "Hidden size of the built-in model.", DefaultValueFactory = _ => 64 }.InRange(1, 4096);
        var input = new Option<int>("--input") { Description = "Input features of the built-in model.", DefaultValueFactory = _ => 4 }.InRange(1, 4096);
        var layers = new Option<int>("--layers") { Description = "Stacked recurrent layers of the built-in model.", DefaultValueFactory = _ => 1 }.InRange(1, 16);
        var seqLen = new Option<int>("--seq-len") { Description = "Length of each input sequence (symbolic dimensions named like seq/time/len; other symbolic dimensions are 1).", DefaultValueFactory = _ => 200 }.InRange(1, 1_000_000);
        var sets = new Option<int>("--sets") { Description = "Number of data sets (test_data_set_0, _1, ...).", DefaultValueFactory = _ => 2 }.InRange(1, 1000);
        var seed = new Option<int>("--seed") { Description = "Seed of the random (standard normal) inputs.", DefaultValueFactory = _ => 1 }.InRange(0, int.MaxValue);
        Option<string> output = CommonOptions.Out("The test folder to write (model.onnx and the data sets).");
        var command = new Command("testdata",
            "Writes an ONNX backend test folder (model.onnx, test_data_set_N/input_K.pb and output_K.pb) with random inputs and the "
            + "outputs ONNX Runtime computes for them, the reference a device is checked against with 'edgernn-device verify'. "
            + "Exit codes: 0 = written, 2 = bad input.")
        {
            model, builtin, hidden, input, layers, seqLen, sets, seed, output,
        };
        command.WithOldPositional(model).WithOldSpelling("--steps", seqLen);
        command.SetAction(parse => TestDataWorker.Run(
            model: parse.GetValue(model),
            builtin: parse.GetValue(builtin),
            hidden: parse.GetValue(hidden),
            input: parse.GetValue(input),
            layers: parse.GetValue(layers),
            steps: parse.GetValue(seqLen),
            sets: parse.GetValue(sets),
            seed: parse.GetValue(seed),
            output: parse.GetValue(output)!,
            stdout: parse.Out(),
            stderr: parse.Error()));
        return command;
    }
}
