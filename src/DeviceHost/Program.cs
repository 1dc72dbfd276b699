using System.CommandLine;
using EdgeRnn.Deployment.Cli;
using EdgeRnn.DeviceHost.Commands;
using EdgeRnn.DeviceHost.IO;
using EdgeRnn.DeviceHost.Loop;

namespace EdgeRnn.DeviceHost;

/// <summary>edgernn-device: composes the commands (one file each under Commands/) and nothing else.</summary>
public static class Program
{
    /// <summary>The entry point. stdout reports write errors (see <see cref="StandardOutput"/>): a closed pipe ends a replay.</summary>
    public static int Main(string[] args) => Run(args, StandardOutput.Open(), Console.Error);

    /// <summary>Parses <paramref name="args"/> and runs the command with these writers as its output; bad options print to <paramref name="stderr"/> and return 2.</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr) => Run(args, stdout, stderr, DeviceEnvironment.Hardware);

    internal static int Run(string[] args, TextWriter stdout, TextWriter stderr, DeviceEnvironment environment) =>
        CommandLineHost.Run(CreateRootCommand(environment), "edgernn-device", args, stdout, stderr);

    internal static RootCommand CreateRootCommand(DeviceEnvironment environment) =>
        new("edgernn-device: reads sensors, streams them through an EdgeRnn model and reports anomalies; checks models and "
            + "the device. " + CommandLineHost.ExitCodesHelp)
        {
            RunCommand.Create(environment),
            ReplayCommand.Create(environment),
            SelftestCommand.Create(),
            ScanCommand.Create(environment),
            DiagCommand.Create(environment),
            TopCommand.Create(environment),
            RecordCommand.Create(environment),
            VerifyCommand.Create("Checks that this device computes what the desktop computed."),
            InfoCommand.Create(),
        };
}
