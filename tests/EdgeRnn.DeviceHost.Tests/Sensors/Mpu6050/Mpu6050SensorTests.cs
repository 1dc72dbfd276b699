using EdgeRnn.DeviceHost.Profiles;
using EdgeRnn.DeviceHost.Sensors.Mpu6050;
using EdgeRnn.DeviceHost.Tests.Simulation;

namespace EdgeRnn.DeviceHost.Tests.Sensors.Mpu6050;

/// <summary>The MPU6050 driver through the real binding on a simulated register map.</summary>
public sealed class Mpu6050SensorTests
{
    private static ReadingProfile R(string reading, string unit) => new() { Reading = reading, Feature = reading, Unit = unit };

    [Fact]
    public void Mpu6050_RawCounts_ScaleToMetresPerSecondSquaredAndDegreesPerSecond()
    {
        var chip = new SimulatedMpu6050();
        using var sensor = new Mpu6050Sensor(chip, [R("accel_x", "m/s2"), R("accel_z", "g"), R("gyro_y", "deg/s"), R("gyro_z", "rad/s")]);
        chip.SetRaw(ax: 8192, ay: 0, az: 16384, gx: 0, gy: -16384, gz: 13107);
        var values = new float[4];

        sensor.Read(values);

        Assert.Equal(8192 * 2 * 9.807 / 32768, values[0], 1e-4);   // ±2 g range
        Assert.Equal(1.0, values[1], 1e-5);
        Assert.Equal(-125.0, values[2], 1e-3);                    // ±250 °/s range
        Assert.Equal(13107 * 250.0 / 32768 * Math.PI / 180, values[3], 1e-4);
        Assert.Equal(0x68, chip.Registers[0x75]);
        Assert.Equal(3, chip.Registers[0x1A] & 0x07); // DLPF_CFG 3: accelerometer 44 Hz, gyroscope 42 Hz
    }

    [Fact]
    public void Mpu6050_Temperature_FollowsTheProfileUnit()
    {
        // Datasheet: °C = raw / 340 + 36.53 (the binding's GetTemperature uses the MPU-9250's formula and reads 21.96).
        var chip = new SimulatedMpu6050();
        using var sensor = new Mpu6050Sensor(chip, [R("temperature", "degC"), R("temperature", "degF")]);
        chip.SetRaw(ax: 0, ay: 0, az: 0, gx: 0, gy: 0, gz: 0, temperature: 340);
        var values = new float[2];

        sensor.Read(values);

        Assert.Equal(37.53, values[0], 1e-3);
        Assert.Equal((37.53 * 9 / 5) + 32, values[1], 1e-3);
    }

    [Fact]
    public void Mpu6050_WrongWhoAmI_IsIOException()
    {
        var chip = new SimulatedMpu6050();
        chip.Registers[0x75] = 0x71; // an MPU9250

        Assert.ThrowsAny<IOException>(() => new Mpu6050Sensor(chip, [R("accel_x", "m/s2")]));
    }
}
