using System.CommandLine;
using EdgeRnn.Deployment.Cli;
using EdgeRnn.Train.Commands;

namespace EdgeRnn.Train;

/// <summary>edgernn: composes the commands (one file each under Commands/) and nothing else.</summary>
public static class Program
{
    /// <summary>The entry point.</summary>
    public static int Main(string[] args) => Run(args, Console.Out, Console.Error);

    /// <summary>Parses <paramref name="args"/> and runs the command with these writers as its output; bad options print to <paramref name="stderr"/> and return 2.</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr) =>
        CommandLineHost.Run(CreateRootCommand(), "edgernn", args, stdout, stderr);

    internal static RootCommand CreateRootCommand() =>
        new("edgernn: the desktop EdgeRnn tool: train sensor models with TorchSharp and export verified ONNX (train, export, synth), score recordings as the device will (score), write reference test data (testdata), verify models against it (verify), benchmark the runtime against ONNX Runtime (bench), run and score the Numenta Anomaly Benchmark (nab), watch devices publishing to an MQTT broker (fleet watch), and the main job end to end (demo). " + CommandLineHost.ExitCodesHelp)
        {
            VerifyCommand.Create("Checks a model against saved test data (the same check and output as edgernn-device verify)."),
            BenchCommand.Create(),
            TestDataCommand.Create(),
            TrainCommand.Create(),
            SynthCommand.Create(),
            ScoreCommand.Create(),
            ExportCommand.Create(),
            NabCommand.Create(),
            FleetCommand.Create(),
            DemoCommand.Create(),
        };
}
