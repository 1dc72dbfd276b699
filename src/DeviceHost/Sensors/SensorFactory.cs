using System.Device.I2c;
using EdgeRnn.DeviceHost.Profiles;

namespace EdgeRnn.DeviceHost.Sensors;

/// <summary>Opens the sensor a profile describes through its kind; the I2C bus is a parameter so tests can put simulated chips on it.</summary>
internal sealed class SensorFactory(Func<int, int, I2cDevice> openI2c)
{
    /// <summary>Opens /dev/i2c-{bus} at an address.</summary>
    public static readonly SensorFactory Hardware = new((bus, address) => I2cDevice.Create(new I2cConnectionSettings(bus, address)));

    /// <exception cref="IOException">The sensor cannot be opened.</exception>
    public ISensor Open(SensorProfile s, LoadedProfile profile) => SensorKinds.Get(s.Kind).Open(s, profile, openI2c);
}
