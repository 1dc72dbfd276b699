using System.Device.I2c;
using EdgeRnn.DeviceHost.Profiles;

namespace EdgeRnn.DeviceHost.Sensors;

/// <summary>Opens the sensor a profile describes; the I2C bus is a parameter so tests can put simulated chips on it.</summary>
internal sealed class SensorFactory(Func<int, int, I2cDevice> openI2c)
{
    /// <summary>Opens /dev/i2c-{bus} at an address.</summary>
    public static readonly SensorFactory Hardware = new((bus, address) => I2cDevice.Create(new I2cConnectionSettings(bus, address)));

    public ISensor Open(SensorProfile s, LoadedProfile profile)
    {
        switch (s.Kind)
        {
            case SensorCatalog.Csv:
                return new CsvReplaySensor(profile.Resolve(s.File!), s.Readings, s.Loop ?? false);
            case SensorCatalog.Synthetic:
                return new SyntheticSensor(s.Synthetic ?? new SyntheticProfile(), s.Readings.Length);
        }

        int address = s.Address is null ? SensorCatalog.DefaultAddress(s.Kind) : ProfileLoader.TryParseAddress(s.Address, out int a) ? a : 0;
        I2cDevice device = openI2c(s.Bus ?? 1, address);
        try
        {
            return s.Kind switch
            {
                SensorCatalog.Bme280 => new Bme280Sensor(device, s.Readings),
                SensorCatalog.Mpu6050 => new Mpu6050Sensor(device, s.Readings),
                _ => new Ads1115Sensor(device, s.Readings, s.FullScaleVolts ?? 4.096),
            };
        }
        catch
        {
            device.Dispose();
            throw;
        }
    }
}
