using System.Device.I2c;
using EdgeRnn.DeviceHost.Profiles;

namespace EdgeRnn.DeviceHost.Sensors.Mpu6050;

/// <summary>
/// Kind <c>mpu6050</c>: an InvenSense MPU6050 at 0x68 (AD0 low) or 0x69, identified by WHO_AM_I (0x75) = 0x68.
/// Ranges are those the driver sets (±2 g, ±250 °/s) and the temperature sensor's (-40 to 85 °C).
/// </summary>
internal sealed class Mpu6050Kind : I2cSensorKind
{
    public static readonly Mpu6050Kind Instance = new();

    private const double Accel = 2 * UnitConversion.MpuGravity;
    private const double Gyro = 250;

    private static readonly SensorChannel[] s_channels =
    [
        new("accel_x", SensorQuantity.Acceleration, -Accel, Accel),
        new("accel_y", SensorQuantity.Acceleration, -Accel, Accel),
        new("accel_z", SensorQuantity.Acceleration, -Accel, Accel),
        new("gyro_x", SensorQuantity.AngularRate, -Gyro, Gyro),
        new("gyro_y", SensorQuantity.AngularRate, -Gyro, Gyro),
        new("gyro_z", SensorQuantity.AngularRate, -Gyro, Gyro),
        new("temperature", SensorQuantity.Temperature, -40, 85),
    ];

    private Mpu6050Kind()
        : base("mpu6050", [Iot.Device.Imu.Mpu6050.DefaultI2cAddress, Iot.Device.Imu.Mpu6050.SecondI2cAddress], "MPU6050 / MPU9250 / DS3231 RTC")
    {
    }

    public override SensorChannel[] Channels => s_channels;

    public override I2cChipId? ChipId => new(0x75, 0x68);

    protected override ISensor OpenChip(I2cDevice device, SensorProfile sensor) => new Mpu6050Sensor(device, sensor.Readings);
}
