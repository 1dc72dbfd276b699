using System.Device.I2c;
using EdgeRnn.DeviceHost.Profiles;

namespace EdgeRnn.DeviceHost.Sensors.Bme280;

/// <summary>
/// Kind <c>bme280</c>: a Bosch BME280 at 0x77 (SDO high; the binding's default) or 0x76 (SDO low), identified by its
/// <c>id</c> register (0xD0) = 0x60.
/// Ranges are the datasheet's operating ranges (BST-BME280-DS002, table 1).
/// </summary>
internal sealed class Bme280Kind : I2cSensorKind
{
    public static readonly Bme280Kind Instance = new();

    private static readonly SensorChannel[] s_channels =
    [
        new("temperature", SensorQuantity.Temperature, -40, 85),
        new("pressure", SensorQuantity.Pressure, 300, 1100),
        new("humidity", SensorQuantity.Humidity, 0, 100),
    ];

    private Bme280Kind()
        : base("bme280", [Iot.Device.Bmxx80.Bmx280Base.DefaultI2cAddress, Iot.Device.Bmxx80.Bmx280Base.SecondaryI2cAddress], "BME280 / BMP280 / BME680")
    {
    }

    public override SensorChannel[] Channels => s_channels;

    public override I2cChipId? ChipId => new(0xD0, 0x60);

    protected override ISensor OpenChip(I2cDevice device, SensorProfile sensor) => new Bme280Sensor(device, sensor.Readings);
}
