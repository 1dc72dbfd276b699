using System.Device.Gpio;
using System.Device.I2c;
using EdgeRnn.DeviceHost.IO;
using EdgeRnn.DeviceHost.Sensors;
using EdgeRnn.DeviceHost.Systemd;

namespace EdgeRnn.DeviceHost.Loop;

/// <summary>
/// What the device host touches outside the process: I2C, GPIO, sleeping, the files it writes, systemd. Tests swap in
/// simulated chips and pins, a file system that fails, a notify socket of their own.
/// </summary>
internal sealed class DeviceEnvironment
{
    /// <summary>The real hardware of this machine.</summary>
    public static readonly DeviceEnvironment Hardware = new();

    /// <summary>Opens an I2C device on a bus at an address.</summary>
    public Func<int, int, I2cDevice> OpenI2c { get; init; } = (bus, address) => I2cDevice.Create(new I2cConnectionSettings(bus, address));

    /// <summary>Whether an I2C bus exists (for <c>scan</c>).</summary>
    public Func<int, bool> I2cBusExists { get; init; } = bus => File.Exists($"/dev/i2c-{bus}");

    /// <summary>Opens the GPIO controller.</summary>
    public Func<GpioController> OpenGpio { get; init; } = () => new GpioController();

    /// <summary>Sleeps between read retries.</summary>
    public Action<TimeSpan> Sleep { get; init; } = Thread.Sleep;

    /// <summary>The event log and state file writes.</summary>
    public DeviceFileSystem Files { get; init; } = DeviceFileSystem.Real;

    /// <summary>The systemd notification socket (from NOTIFY_SOCKET, WATCHDOG_USEC, WATCHDOG_PID).</summary>
    public Func<SdNotify> Notify { get; init; } = SdNotify.FromEnvironment;

    /// <summary>The process's environment variables (RUNTIME_DIRECTORY for the console socket).</summary>
    public Func<string, string?> GetVariable { get; init; } = Environment.GetEnvironmentVariable;

    public SensorFactory Sensors => new(OpenI2c);
}
