using System.Device.I2c;
using System.Globalization;
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

    /// <summary>The full-scale ranges of the programmable gain amplifier (SBAS444, table 3), in volts.</summary>
    private static readonly double[] s_fullScaleVolts = [6.144, 4.096, 2.048, 1.024, 0.512, 0.256];

    /// <summary>The gain settings of <see cref="s_fullScaleVolts"/>, in the same order.</summary>
    private static readonly MeasuringRange[] s_ranges =
        [MeasuringRange.FS6144, MeasuringRange.FS4096, MeasuringRange.FS2048, MeasuringRange.FS1024, MeasuringRange.FS0512, MeasuringRange.FS0256];

    /// <summary>The full-scale ranges a profile may ask for, in volts: <c>6.144, 4.096, 2.048, 1.024, 0.512, 0.256</c>.</summary>
    public static string FullScaleRanges
    {
        get
        {
            var texts = new string[s_fullScaleVolts.Length];
            for (int i = 0; i < texts.Length; i++)
            {
                texts[i] = s_fullScaleVolts[i].ToString(CultureInfo.InvariantCulture);
            }

            return string.Join(", ", texts);
        }
    }

    /// <summary>Maps a full-scale voltage to the chip's programmable gain setting.</summary>
    public static bool TryRange(double volts, out MeasuringRange range)
    {
        for (int i = 0; i < s_fullScaleVolts.Length; i++)
        {
            if (s_fullScaleVolts[i] == volts)
            {
                range = s_ranges[i];
                return true;
            }
        }

        range = MeasuringRange.FS4096;
        return false;
    }

    public void Dispose() => _chip.Dispose();
}
