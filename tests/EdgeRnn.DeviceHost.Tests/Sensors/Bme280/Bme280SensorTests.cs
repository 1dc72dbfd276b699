using EdgeRnn.DeviceHost.Profiles;
using EdgeRnn.DeviceHost.Sensors.Bme280;
using EdgeRnn.DeviceHost.Tests.Simulation;

namespace EdgeRnn.DeviceHost.Tests.Sensors.Bme280;

/// <summary>The BME280 driver through the real binding on a simulated register map.</summary>
public sealed class Bme280SensorTests
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
}
