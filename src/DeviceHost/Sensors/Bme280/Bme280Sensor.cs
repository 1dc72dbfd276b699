using System.Device.I2c;
using EdgeRnn.DeviceHost.Profiles;
using Iot.Device.Bmxx80;
using Iot.Device.Bmxx80.PowerMode;
using Iot.Device.Bmxx80.ReadResult;
using Bme280Chip = Iot.Device.Bmxx80.Bme280;

namespace EdgeRnn.DeviceHost.Sensors.Bme280;

/// <summary>A Bosch BME280 (temperature, pressure, humidity) through Iot.Device.Bindings' <see cref="Bme280Chip"/>.</summary>
internal sealed class Bme280Sensor : ISensor
{
    private readonly Bme280Chip _chip;
    private readonly ReadingProfile[] _readings;

    /// <summary>Opens the chip: reads its id and calibration, sets 16x oversampling and normal mode.</summary>
    /// <exception cref="IOException">No chip answers, or it is not a BME280.</exception>
    public Bme280Sensor(I2cDevice device, ReadingProfile[] readings)
    {
        _readings = readings;
        try
        {
            _chip = new Bme280Chip(device)
            {
                TemperatureSampling = Sampling.UltraHighResolution,
                PressureSampling = Sampling.UltraHighResolution,
                HumiditySampling = Sampling.UltraHighResolution,
                FilterMode = Iot.Device.Bmxx80.FilteringMode.Bmx280FilteringMode.Off,
            };
            _chip.SetPowerMode(Bmx280PowerMode.Normal);
        }
        catch (Exception e) when (e is not IOException)
        {
            // The binding reports a wrong chip id as an IOException and a dead bus as whatever the driver threw.
            throw new IOException($"BME280 did not initialize: {e.Message}", e);
        }
    }

    public int Count => _readings.Length;

    public bool Read(Span<float> values)
    {
        Bme280ReadResult r = _chip.Read();
        for (int i = 0; i < _readings.Length; i++)
        {
            ReadingProfile p = _readings[i];
            values[i] = (float)(p.Reading switch
            {
                "temperature" => UnitConversion.Temperature(r.Temperature ?? throw Missing(p), p.Unit),
                "pressure" => UnitConversion.Pressure(r.Pressure ?? throw Missing(p), p.Unit),
                _ => UnitConversion.Humidity(r.Humidity ?? throw Missing(p), p.Unit),
            });
        }

        return true;
    }

    private static IOException Missing(ReadingProfile p) => new($"BME280 returned no {p.Reading}.");

    public void Dispose() => _chip.Dispose();
}
