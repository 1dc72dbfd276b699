namespace EdgeRnn.DeviceHost.Sensors;

/// <summary>The sensor kinds a profile may name, their readings, the units each reading can be delivered in, and default addresses.</summary>
internal static class SensorCatalog
{
    public const string Bme280 = "bme280";
    public const string Mpu6050 = "mpu6050";
    public const string Ads1115 = "ads1115";
    public const string Csv = "csv";
    public const string Synthetic = "synthetic";

    public static readonly string[] Kinds = [Bme280, Mpu6050, Ads1115, Csv, Synthetic];

    private static readonly Dictionary<string, Dictionary<string, string[]>> s_units = new(StringComparer.Ordinal)
    {
        [Bme280] = new(StringComparer.Ordinal)
        {
            ["temperature"] = ["degC", "degF", "K"],
            ["pressure"] = ["hPa", "Pa", "kPa"],
            ["humidity"] = ["%RH"],
        },
        [Mpu6050] = new(StringComparer.Ordinal)
        {
            ["accel_x"] = ["m/s2", "g"],
            ["accel_y"] = ["m/s2", "g"],
            ["accel_z"] = ["m/s2", "g"],
            ["gyro_x"] = ["deg/s", "rad/s"],
            ["gyro_y"] = ["deg/s", "rad/s"],
            ["gyro_z"] = ["deg/s", "rad/s"],
            ["temperature"] = ["degC", "degF", "K"],
        },
        [Ads1115] = new(StringComparer.Ordinal)
        {
            ["ain0"] = ["V", "mV"],
            ["ain1"] = ["V", "mV"],
            ["ain2"] = ["V", "mV"],
            ["ain3"] = ["V", "mV"],
        },
    };

    public static bool IsI2c(string kind) => kind is Bme280 or Mpu6050 or Ads1115;

    public static int DefaultAddress(string kind) => kind switch
    {
        Bme280 => Iot.Device.Bmxx80.Bmx280Base.DefaultI2cAddress,
        Mpu6050 => Iot.Device.Imu.Mpu6050.DefaultI2cAddress,
        Ads1115 => 0x48,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not an I2C sensor kind."),
    };

    /// <summary>The readings of a chip kind and their units; null for csv and synthetic (any reading name, unit as declared).</summary>
    public static IReadOnlyDictionary<string, string[]>? Readings(string kind) => s_units.GetValueOrDefault(kind);

    /// <summary>Names the chips that commonly answer at an I2C address (for <c>scan</c>).</summary>
    public static string Guess(int address) => address switch
    {
        0x76 or 0x77 => "BME280 / BMP280 / BME680",
        0x68 or 0x69 => "MPU6050 / MPU9250 / DS3231 RTC",
        0x48 or 0x49 or 0x4A or 0x4B => "ADS1115 / ADS1015",
        0x40 => "INA219 / SHT21 / PCA9685",
        0x44 or 0x45 => "SHT3x",
        0x3C or 0x3D => "SSD1306 display",
        0x23 => "BH1750",
        0x27 => "PCF8574 (LCD backpack)",
        _ => "",
    };
}
