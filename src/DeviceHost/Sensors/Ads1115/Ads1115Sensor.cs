using System.Device.I2c;
using EdgeRnn.DeviceHost.Profiles;
using Iot.Device.Ads1115;
using Ads1115Chip = Iot.Device.Ads1115.Ads1115;

namespace EdgeRnn.DeviceHost.Sensors.Ads1115;

/// <summary>A TI ADS1115 16-bit ADC (single-ended inputs ain0..ain3) through Iot.Device.Bindings' <see cref="Ads1115Chip"/>.</summary>
internal sealed class Ads1115Sensor : ISensor
{
    private readonly Ads1115Chip _chip;
    private readonly ReadingProfile[] _readings;
    private readonly InputMultiplexer[] _inputs;

    /// <summary>Opens the ADC in single-shot (power-down) mode at 860 samples/s with the given full-scale range.</summary>
    public Ads1115Sensor(I2cDevice device, ReadingProfile[] readings, double fullScaleVolts)
    {
        _readings = readings;
        _inputs = [.. readings.Select(r => r.Reading switch
        {
            "ain0" => InputMultiplexer.AIN0,
            "ain1" => InputMultiplexer.AIN1,
            "ain2" => InputMultiplexer.AIN2,
            _ => InputMultiplexer.AIN3,
        })];
        if (!TryRange(fullScaleVolts, out MeasuringRange range))
        {
            throw new ArgumentOutOfRangeException(nameof(fullScaleVolts), fullScaleVolts, "Not an ADS1115 range.");
        }

        try
        {
            _chip = new Ads1115Chip(device, _inputs[0], range, DataRate.SPS860, DeviceMode.PowerDown);
        }
        catch (Exception e) when (e is not IOException)
        {
            throw new IOException($"ADS1115 did not initialize: {e.Message}", e);
        }
    }

    public int Count => _readings.Length;

    public bool Read(Span<float> values)
    {
        for (int i = 0; i < _readings.Length; i++)
        {
            values[i] = (float)UnitConversion.Voltage(_chip.ReadVoltage(_inputs[i]), _readings[i].Unit);
        }

        return true;
    }

    /// <summary>The full-scale ranges of the programmable gain amplifier (SBAS444, table 3), in volts, with their settings.</summary>
    private static readonly (double Volts, MeasuringRange Range)[] s_ranges =
    [
        (6.144, MeasuringRange.FS6144), (4.096, MeasuringRange.FS4096), (2.048, MeasuringRange.FS2048),
        (1.024, MeasuringRange.FS1024), (0.512, MeasuringRange.FS0512), (0.256, MeasuringRange.FS0256),
    ];

    /// <summary>The full-scale ranges a profile may ask for, in volts.</summary>
    public static IEnumerable<double> FullScaleRanges => s_ranges.Select(r => r.Volts);

    /// <summary>Maps a full-scale voltage to the chip's programmable gain setting.</summary>
    public static bool TryRange(double volts, out MeasuringRange range)
    {
        foreach ((double v, MeasuringRange r) in s_ranges)
        {
            if (v == volts)
            {
                range = r;
                return true;
            }
        }

        range = MeasuringRange.FS4096;
        return false;
    }

    public void Dispose() => _chip.Dispose();
}
