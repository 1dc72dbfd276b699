using UnitsNet;

namespace EdgeRnn.DeviceHost.Sensors;

/// <summary>Typed readings to the unit a profile asks for (the units of each <see cref="SensorQuantity"/>).</summary>
internal static class UnitConversion
{
    /// <summary>The gravity the MPU6050 binding scales by (m/s² per g).</summary>
    public const double MpuGravity = 9.807;

    public static double Temperature(Temperature t, string unit) => unit switch
    {
        "degC" => t.DegreesCelsius,
        "degF" => t.DegreesFahrenheit,
        "K" => t.Kelvins,
        _ => throw new ArgumentOutOfRangeException(nameof(unit), unit, "Not a temperature unit."),
    };

    public static double Pressure(Pressure p, string unit) => unit switch
    {
        "hPa" => p.Hectopascals,
        "Pa" => p.Pascals,
        "kPa" => p.Kilopascals,
        _ => throw new ArgumentOutOfRangeException(nameof(unit), unit, "Not a pressure unit."),
    };

    public static double Humidity(RelativeHumidity h, string unit) => unit == "%RH"
        ? h.Percent
        : throw new ArgumentOutOfRangeException(nameof(unit), unit, "Not a humidity unit.");

    public static double Acceleration(double metresPerSecondSquared, string unit) => unit == "g" ? metresPerSecondSquared / MpuGravity : metresPerSecondSquared;

    public static double AngularRate(double degreesPerSecond, string unit) => unit == "rad/s" ? degreesPerSecond * Math.PI / 180 : degreesPerSecond;

    public static double Voltage(ElectricPotential v, string unit) => unit == "mV" ? v.Millivolts : v.Volts;
}
