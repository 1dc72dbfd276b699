using System.Device.I2c;
using EdgeRnn.DeviceHost.Profiles;

namespace EdgeRnn.DeviceHost.Sensors.Ads1115;

/// <summary>
/// Kind <c>ads1115</c>: a TI ADS1115 ADC at 0x48 to 0x4B (ADDR to GND, VDD, SDA, SCL); it has no ID register.
/// Takes <c>fullScaleVolts</c>, the programmable gain's full-scale range (default 4.096 V): the inputs read ±that.
/// </summary>
internal sealed class Ads1115Kind : I2cSensorKind
{
    public static readonly Ads1115Kind Instance = new();

    /// <summary>The full-scale range when the profile gives none.</summary>
    public const double DefaultFullScaleVolts = 4.096;

    /// <summary>The ADC's full-scale range in volts: 6.144, 4.096, 2.048, 1.024, 0.512 or 0.256.</summary>
    public static readonly SensorOption FullScaleVolts = new("fullScaleVolts", s => s.FullScaleVolts is not null);

    private static readonly SensorOption[] s_options = [SensorOption.Bus, SensorOption.Address, FullScaleVolts];

    private static readonly SensorChannel[] s_channels =
    [
        new("ain0", SensorQuantity.Voltage, -DefaultFullScaleVolts, DefaultFullScaleVolts),
        new("ain1", SensorQuantity.Voltage, -DefaultFullScaleVolts, DefaultFullScaleVolts),
        new("ain2", SensorQuantity.Voltage, -DefaultFullScaleVolts, DefaultFullScaleVolts),
        new("ain3", SensorQuantity.Voltage, -DefaultFullScaleVolts, DefaultFullScaleVolts),
    ];

    private Ads1115Kind()
        : base("ads1115", [0x48, 0x49, 0x4A, 0x4B], "ADS1115 / ADS1015")
    {
    }

    public override SensorChannel[] Channels => s_channels;

    public override SensorOption[] Options => s_options;

    public override void Validate(SensorProfile sensor, ProfileCheck check)
    {
        base.Validate(sensor, check);
        check(sensor.FullScaleVolts is null || Ads1115Sensor.TryRange(sensor.FullScaleVolts.Value, out _), ".fullScaleVolts",
            $"{sensor.FullScaleVolts} is not one of {Ads1115Sensor.FullScaleRanges}");
    }

    public override (double Min, double Max) FullScale(SensorProfile sensor, SensorChannel channel)
    {
        double volts = sensor.FullScaleVolts ?? DefaultFullScaleVolts;
        return (-volts, volts);
    }

    protected override ISensor OpenChip(I2cDevice device, SensorProfile sensor) =>
        new Ads1115Sensor(device, sensor.Readings, sensor.FullScaleVolts ?? DefaultFullScaleVolts);
}
