using System.Buffers.Binary;
using System.Device.I2c;
using System.Numerics;
using EdgeRnn.DeviceHost.Profiles;
using Iot.Device.Imu;
using Mpu6050Chip = Iot.Device.Imu.Mpu6050;

namespace EdgeRnn.DeviceHost.Sensors.Mpu6050;

/// <summary>An InvenSense MPU6050 (accelerometer, gyroscope, temperature) through Iot.Device.Bindings' <see cref="Mpu6050Chip"/>.</summary>
internal sealed class Mpu6050Sensor : ISensor
{
    private readonly Mpu6050Chip _chip;
    private readonly I2cDevice _device;
    private readonly ReadingProfile[] _readings;
    private readonly bool _accel;
    private readonly bool _gyro;
    private readonly bool _temperature;

    /// <summary>
    /// Opens the chip: resets it, checks WHO_AM_I (0x68), ranges ±2 g and ±250 °/s, and sets the digital low-pass
    /// filter to DLPF_CFG 3 (accelerometer 44 Hz, gyroscope 42 Hz). The binding leaves it open (260 / 256 Hz), which at
    /// the profiles' 50 readings a second folds vibration above the 25 Hz Nyquist limit into the band the model sees
    /// (a 37 Hz harmonic would read as 13 Hz); 44 Hz is what the IMU kit the shipped model learnt from assumes.
    /// </summary>
    /// <exception cref="IOException">No chip answers, or it is not an MPU6050.</exception>
    public Mpu6050Sensor(I2cDevice device, ReadingProfile[] readings)
    {
        _readings = readings;
        _device = device;
        try
        {
            _chip = new Mpu6050Chip(device);

            // On the MPU6050, CONFIG (0x1A) DLPF_CFG sets both filters; the binding writes the enum value there.
            _chip.GyroscopeBandwidth = GyroscopeBandwidth.Bandwidth0041Hz;
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
        UnitsNet.Temperature t = _temperature ? ReadTemperature() : default;
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
                _ => UnitConversion.Temperature(t, p.Unit),
            });
        }

        return true;
    }

    public void Dispose() => _chip.Dispose();

    /// <summary>
    /// TEMP_OUT (0x41, big-endian) by the MPU6050 register map (RM-MPU-6000A-00, 4.18): °C = raw / 340 + 36.53. The binding's
    /// GetTemperature applies the MPU-9250's formula ((raw - 21) / 333.87 + 21), 15.6 °C low at a raw 340.
    /// </summary>
    private UnitsNet.Temperature ReadTemperature()
    {
        Span<byte> raw = stackalloc byte[2];
        _device.WriteRead([0x41], raw);
        return UnitsNet.Temperature.FromDegreesCelsius((BinaryPrimitives.ReadInt16BigEndian(raw) / 340.0) + 36.53);
    }
}
