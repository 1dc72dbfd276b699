using EdgeRnn.DeviceHost.Profiles;
using EdgeRnn.DeviceHost.Sensors.Ads1115;
using EdgeRnn.DeviceHost.Tests.Simulation;

namespace EdgeRnn.DeviceHost.Tests.Sensors.Ads1115;

/// <summary>The ADS1115 driver through the real binding on a simulated register map.</summary>
public sealed class Ads1115SensorTests
{
    private static ReadingProfile R(string reading, string unit) => new() { Reading = reading, Feature = reading, Unit = unit };

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
