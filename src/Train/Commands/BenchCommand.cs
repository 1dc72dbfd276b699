using System.CommandLine;
using EdgeRnn.Deployment.Cli;

namespace EdgeRnn.Train.Commands;

/// <summary><c>edgernn bench</c>: one time step in EdgeRnn and in ONNX Runtime (<see cref="BenchWorker"/>).</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        Option<string> model = CommonOptions.Model("A model file (.onnx) or a test folder holding model.onnx. Omit it when using --builtin.", required: false);
        var builtin = new Option<string?>("--builtin") { Description = "Benchmark a built-in streaming model instead of a file: lstm or gru (random weights, fixed seed)." };
        builtin.AcceptOnlyFromAmong("lstm", "gru");
        var hidden = new Option<int>("--hidden") { Description = "Hidden size of the built-in model.", DefaultValueFactory = _ => 64 }.InRange(1, 4096);
        var input = new Option<int>("--input") { Description = "Input features of the built-in model (its output has as many).", DefaultValueFactory = _ => 4 }.InRange(1, 4096);
        var layers = new Option<int>("--layers") { Description = "Stacked recurrent layers of the built-in model.", DefaultValueFactory = _ => 1 }.InRange(1, 16);
        var timedSteps = new Option<int>("--timed-steps") { Description = "Timed steps per runtime (individually, then again in blocks of 1000).", DefaultValueFactory = _ => 20000 }.InRange(1, 100_000_000);
        var warmup = new Option<int>("--warmup") { Description = "Untimed warm-up steps per runtime (warm-up also lasts at least 300 ms, for the JIT to optimize).", DefaultValueFactory = _ => 2000 }.InRange(0, 100_000_000);
        var streams = new Option<int>("--streams")
        {
            Description = "Instead of the ORT comparison, time N streams of the model per call (RnnModel.Step(streams, ...)) against N separate "
                + "steps, interleaved in rounds, with GFLOP/s and the percentage of this core's FMA peak measured in the same rounds. 0 = off.",
            DefaultValueFactory = _ => 0,
        }.InRange(0, 4096);
        var rounds = new Option<int>("--rounds") { Description = "Interleaved rounds of --streams (each times --timed-steps / rounds calls of each path).", DefaultValueFactory = _ => 20 }.InRange(1, 10_000);
        Option<bool> json = CommonOptions.Json();
        var command = new Command("bench",
            "Measures the latency of one time step in EdgeRnn (RnnModel.Step, no allocation) and in ONNX Runtime (one thread, "
            + "IoBinding with buffers bound once, state carried through two alternating buffer sets), and their ratio. Reports the "
            + "median of 1000-step block averages (the headline), and the median, p99 and mean of individually timed steps. "
            + "A model that cannot stream is timed as whole-sequence runs. Progress goes to stderr. "
            + "Exit codes: 0 = measured, 2 = bad input (missing or malformed model, bad options).")
        {
            model, builtin, hidden, input, layers, timedSteps, warmup, streams, rounds, json,
        };
        command.WithOldPositional(model).WithOldSpelling("--steps", timedSteps);
        command.SetAction(parse => BenchWorker.Run(
            model: parse.GetValue(model),
            builtin: parse.GetValue(builtin),
            hidden: parse.GetValue(hidden),
            input: parse.GetValue(input),
            layers: parse.GetValue(layers),
            steps: parse.GetValue(timedSteps),
            warmup: parse.GetValue(warmup),
            streams: parse.GetValue(streams),
            rounds: parse.GetValue(rounds),
            json: parse.GetValue(json),
            stdout: parse.Out(),
            stderr: parse.Error()));
        return command;
    }
}
