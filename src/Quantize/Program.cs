using System.CommandLine;
using EdgeRnn.Deployment.Cli;
using EdgeRnn.Quantize.Commands;

namespace EdgeRnn.Quantize;

/// <summary>edgernn-quantize: runs its one command (<see cref="QuantizeCommand"/>).</summary>
public static class Program
{
    /// <summary>The entry point.</summary>
    public static int Main(string[] args) => Run(args, Console.Out, Console.Error);

    /// <summary>Parses <paramref name="args"/> and runs with these writers as the output; bad options print to <paramref name="stderr"/> and return 2.</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr) =>
        CommandLineHost.Run(CreateRootCommand(), "edgernn-quantize", args, stdout, stderr);

    internal static RootCommand CreateRootCommand() => QuantizeCommand.Create();
}
