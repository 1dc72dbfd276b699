using System.Device.I2c;
using System.Globalization;
using EdgeRnn.Deployment.Cli;
using EdgeRnn.DeviceHost.Loop;
using EdgeRnn.DeviceHost.Sensors;

namespace EdgeRnn.DeviceHost.Commands;

/// <summary>
/// The <c>scan</c> command: probes every 7-bit address 0x03..0x77 on an I2C bus with a one-byte read (like
/// <c>i2cdetect -r</c>) and lists those that answer, with the chips that usually sit there; where a sensor kind with
/// an ID register (<see cref="I2cSensorKind.ChipId"/>) is strapped to the address, its ID register is read to say
/// whether it is that chip.
/// Exit codes: 0 the scan ran (even if nothing answered), 2 the bus does not exist or cannot be opened.
/// </summary>
internal static class ScanWorker
{
    public static int Run(int bus, TextWriter stdout, TextWriter stderr, DeviceEnvironment environment)
    {
        if (!environment.I2cBusExists(bus))
        {
            stderr.WriteLine($"error: /dev/i2c-{bus} does not exist. On a Raspberry Pi enable I2C (raspi-config > Interface Options > I2C, or dtparam=i2c_arm=on) and reboot.");
            return ToolExitCodes.BadInput;
        }

        int found = 0;
        for (int address = 0x03; address <= 0x77; address++)
        {
            string identity;
            try
            {
                using I2cDevice device = environment.OpenI2c(bus, address);
                device.ReadByte();
                identity = SensorKinds.Identify(device, address);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                if (e is UnauthorizedAccessException)
                {
                    stderr.WriteLine($"error: no permission to open /dev/i2c-{bus}: add the user to the i2c group.");
                    return ToolExitCodes.BadInput;
                }

                continue;
            }

            found++;
            string guess = SensorKinds.Guess(address);
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"0x{address:x2}  {(guess.Length == 0 ? "(unknown)" : guess)}{identity}"));
        }

        stdout.WriteLine($"{found} device(s) answered on /dev/i2c-{bus}");
        return ToolExitCodes.Success;
    }
}
