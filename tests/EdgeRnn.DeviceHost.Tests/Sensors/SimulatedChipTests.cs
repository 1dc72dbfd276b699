using EdgeRnn.DeviceHost.Profiles;
using EdgeRnn.DeviceHost.Sensors.Ads1115;
using EdgeRnn.DeviceHost.Sensors.Bme280;
using EdgeRnn.DeviceHost.Sensors.Mpu6050;
using EdgeRnn.DeviceHost.Tests.Simulation;

namespace EdgeRnn.DeviceHost.Tests.Sensors;

public sealed class SimulatedChipTests
{
    private static ReadingProfile R(string reading, string unit) => new() { Reading = reading, Feature = reading, Unit = unit };

    [Fact]
    public void Bme280_DatasheetExample_CompensatesTo2508CelsiusAnd100653Pascal()
    {
        var chip = new SimulatedBme280();
        using var sensor = new Bme280Sensor(chip, [R("temperature", "degC"), R("pressure", "Pa"), R("humidity", "%RH")]);
        var values = new float[3];

        Assert.True(sensor.Read(values));

        (double t, double p, double h) = SimulatedBme280.Compensate(519888, 415148, 30000);
        Assert.Equal(25.08, t, 0.01);          // the datasheet's example result
        Assert.Equal(100653.27, p, 0.5);
        Assert.Equal(t, values[0], 0.01);
        Assert.Equal(p, values[1], 1.0);
        Assert.Equal(h, values[2], 0.01);
    }

    [Fact]
    public void Bme280_OtherUnitsAndNewRawValues_Follow()
    {
        var chip = new SimulatedBme280();
        using var sensor = new Bme280Sensor(chip, [R("temperature", "degF"), R("pressure", "hPa")]);
        chip.SetRaw(adcT: 500000, adcP: 400000, adcH: 20000);
        var values = new float[2];

        sensor.Read(values);

        (double t, double p, _) = SimulatedBme280.Compensate(500000, 400000, 20000);
        Assert.Equal((t * 9 / 5) + 32, values[0], 0.02);
        Assert.Equal(p / 100, values[1], 0.01);
    }

    [Fact]
    public void Bme280_WrongChipId_IsIOException()
    {
        var chip = new SimulatedBme280();
        chip.Registers[0xD0] = 0x58; // a BMP280

        Assert.ThrowsAny<IOException>(() => new Bme280Sensor(chip, [R("temperature", "degC")]));
    }

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

    [Fact]
    public void Ads1115_SingleEndedInputs_ConvertAtFullScale()
    {
        var chip = new SimulatedAds1115();
        chip.Inputs[0] = 1.234;
        chip.Inputs[1] = 3.0;
        using var sensor = new Ads1115Sensor(chip, [R("ain0", "V"), R("ain1", "mV")], 4.096);
        var values = new float[2];

        sensor.Read(values);

        double lsb = 4.096 / 32768;
        Assert.Equal(1.234, values[0], lsb);
        Assert.Equal(3000, values[1], lsb * 1000);
        Assert.True(chip.Conversions >= 2);
    }
}
