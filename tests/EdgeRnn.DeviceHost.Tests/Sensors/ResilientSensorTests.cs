using EdgeRnn.DeviceHost.Profiles;
using EdgeRnn.DeviceHost.Sensors;
using EdgeRnn.DeviceHost.Sensors.Bme280;
using EdgeRnn.DeviceHost.Tests.Simulation;

namespace EdgeRnn.DeviceHost.Tests.Sensors;

public sealed class ResilientSensorTests
{
    private readonly List<TimeSpan> _sleeps = [];

    private static SensorProfile Profile(int stuckAfter = 0, double? min = -40, double? max = 85) => new()
    {
        Id = "env",
        Kind = Bme280Kind.Instance.Name,
        Attempts = 3,
        BackoffMs = 2,
        StuckAfter = stuckAfter,
        Readings = [new() { Reading = "temperature", Feature = "temperature", Unit = "degC", Min = min, Max = max }],
    };

    private ResilientSensor Wrap(SimulatedBme280 chip, SensorProfile profile) =>
        new(profile, () => new Bme280Sensor(chip, profile.Readings), _sleeps.Add);

    [Fact]
    public void Read_TransientIoError_RetriesWithBackoffAndSucceeds()
    {
        var chip = new SimulatedBme280();
        using ResilientSensor sensor = Wrap(chip, Profile());
        var v = new float[1];
        Assert.Equal(SampleQuality.Good, sensor.Read(v));

        chip.FailWithIoError(2);
        Assert.Equal(SampleQuality.Good, sensor.Read(v));

        Assert.Equal(2, sensor.Counters.IoErrors);
        Assert.Equal(2, sensor.Counters.Retries);
        Assert.Equal([TimeSpan.FromMilliseconds(2), TimeSpan.FromMilliseconds(4)], _sleeps);
        Assert.Equal(25.08, v[0], 0.01);
    }

    [Fact]
    public void Read_PersistentNack_DegradedHoldsLastGoodValueAndKeepsGoing()
    {
        var chip = new SimulatedBme280();
        using ResilientSensor sensor = Wrap(chip, Profile());
        var v = new float[1];
        sensor.Read(v);

        chip.FailWithNack(1000);
        for (int i = 0; i < 5; i++)
        {
            Assert.Equal(SampleQuality.Degraded, sensor.Read(v));
            Assert.Equal(25.08, v[0], 0.01);
        }

        Assert.Equal(5, sensor.Counters.Degraded);
        Assert.Contains("NACK", sensor.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_OutOfRange_CountsAndDegrades()
    {
        var chip = new SimulatedBme280();
        using ResilientSensor sensor = Wrap(chip, Profile(max: 20)); // 25.08 °C is above it
        var v = new float[1];

        Assert.Equal(SampleQuality.Degraded, sensor.Read(v));

        Assert.Equal(3, sensor.Counters.OutOfRange);
        Assert.True(float.IsNaN(v[0])); // nothing good yet: the loop substitutes the training mean
    }

    [Fact]
    public void Read_StuckValue_DegradedAfterThreshold()
    {
        var chip = new SimulatedBme280();
        using ResilientSensor sensor = Wrap(chip, Profile(stuckAfter: 3));
        var v = new float[1];

        SampleQuality[] q = [.. Enumerable.Range(0, 5).Select(_ => sensor.Read(v))];

        Assert.Equal([SampleQuality.Good, SampleQuality.Good, SampleQuality.Good, SampleQuality.Degraded, SampleQuality.Degraded], q);
        chip.SetRaw(519000, 415148, 30000);
        Assert.Equal(SampleQuality.Good, sensor.Read(v));
        Assert.Equal(2, sensor.Counters.Stuck);
    }

    [Fact]
    public void Read_MissingThenPluggedIn_RetriesOpenWithGrowingIntervalAndRecovers()
    {
        var chip = new SimulatedBme280 { Unplugged = true };
        using ResilientSensor sensor = Wrap(chip, Profile());
        var v = new float[1];

        SampleQuality[] q = [.. Enumerable.Range(0, 8).Select(_ => sensor.Read(v))];

        Assert.All(q, x => Assert.Equal(SampleQuality.Degraded, x));
        Assert.Equal(4, sensor.Counters.OpenFailures); // steps 1, 2, 4, 8: the interval doubles
        chip.Unplugged = false;
        SampleQuality last = SampleQuality.Degraded;
        for (int i = 0; i < 10 && last != SampleQuality.Good; i++)
        {
            last = sensor.Read(v);
        }

        Assert.Equal(SampleQuality.Good, last);
        Assert.True(sensor.IsOpen);
    }
}
