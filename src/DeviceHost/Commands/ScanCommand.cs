using System.CommandLine;
using EdgeRnn.Deployment.Cli;
using EdgeRnn.DeviceHost.Loop;

namespace EdgeRnn.DeviceHost.Commands;

/// <summary><c>edgernn-device scan</c>: which I2C addresses answer on a bus (<see cref="ScanWorker"/>).</summary>
internal static class ScanCommand
{
    public static Command Create(DeviceEnvironment environment)
    {
        var bus = new Option<int>("--bus") { Description = "The I2C bus number (/dev/i2c-N).", DefaultValueFactory = _ => 1 }.InRange(0, 1023);
        var command = new Command("scan",
            "Probes every I2C address on a bus and lists the devices that answer, with the chips usually found there. "
            + "Exit codes: 0 = scanned, 2 = the bus does not exist or is not accessible.")
        {
            bus,
        };
        command.SetAction(parse => ScanWorker.Run(bus: parse.GetValue(bus), stdout: parse.Out(), stderr: parse.Error(), environment: environment));
        return command;
    }
}
