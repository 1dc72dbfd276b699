using System.Device.I2c;
using System.Numerics;
using EdgeRnn.DeviceHost.Profiles;
using Iot.Device.Imu;

namespace EdgeRnn.DeviceHost.Sensors;

/// <summary>An InvenSense MPU6050 (accelerometer, gyroscope, temperature) through Iot.Device.Bindings' <see cref="Mpu6050"/>.</summary>
internal sealed class Mpu6050Sensor : ISensor
{
    private readonly Mpu6050 _chip;
    private readonly ReadingProfile[] _readings;
    private readonly bool _accel;
    private readonly bool _gyro;
    private readonly bool _temperature;

    /// <summary>Opens the chip: resets it, checks WHO_AM_I (0x68), ranges ±2 g and ±250 °/s.</summary>
    /// <exception cref="IOException">No chip answers, or it is not an MPU6050.</exception>
    public Mpu6050Sensor(I2cDevice device, ReadingProfile[] readings)
    {
        _readings = readings;
        try
        {
            _chip = new Mpu6050(device);
        }
        catch (Exception e) when (e is not IOException)
        {
            throw new IOException($"MPU6050 did not initialize: {e.Message}", e);
        }

        _accel = readings.Any(r => r.Reading.StartsWith("accel_", StringComparison.Ordinal));
        _gyro = readings.Any(r => r.Reading.StartsWith("gyro_", StringComparison.Ordinal));
        _temperature = readings.Any(r => r.Reading == "temperature");
    }

    public int Count => _readings.Length;

    public bool Read(Span<float> values)
    {
        Vector3 a = _accel ? _chip.GetAccelerometer() : default;
        Vector3 g = _gyro ? _chip.GetGyroscopeReading() : default;
        double t = _temperature ? _chip.GetTemperature().DegreesCelsius : 0;
        for (int i = 0; i < _readings.Length; i++)
        {
            ReadingProfile p = _readings[i];
            values[i] = (float)(p.Reading switch
            {
                "accel_x" => UnitConversion.Acceleration(a.X, p.Unit),
                "accel_y" => UnitConversion.Acceleration(a.Y, p.Unit),
                "accel_z" => UnitConversion.Acceleration(a.Z, p.Unit),
                "gyro_x" => UnitConversion.AngularRate(g.X, p.Unit),
                "gyro_y" => UnitConversion.AngularRate(g.Y, p.Unit),
                "gyro_z" => UnitConversion.AngularRate(g.Z, p.Unit),
                _ => t,
            });
        }

        return true;
    }

    public void Dispose() => _chip.Dispose();
}
