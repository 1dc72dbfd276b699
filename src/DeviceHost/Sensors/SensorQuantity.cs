using System.Globalization;

namespace EdgeRnn.DeviceHost.Sensors;

/// <summary>
/// A physical quantity a sensor channel measures and the units a profile may ask for, with a reference value in each
/// unit: <c>diag</c> converts the reference through the same code the drivers use (<see cref="UnitConversion"/>) and
/// compares, so NativeAOT trimming cannot break a conversion unnoticed. The first unit is the one channel ranges are in.
/// A kind measuring something new declares its quantity beside itself.
/// </summary>
internal sealed class SensorQuantity
{
    private readonly Func<double, string, double> _convert;
    private readonly string[] _units;
    private readonly double[] _reference;

    /// <param name="name">For messages, e.g. <c>temperature</c>.</param>
    /// <param name="convert">Converts a value in the first unit to the unit named, as the drivers do.</param>
    /// <param name="units">The units; the first is the one ranges are in.</param>
    /// <param name="reference">The reference value in each unit.</param>
    public SensorQuantity(string name, Func<double, string, double> convert, string[] units, double[] reference)
    {
        ArgumentOutOfRangeException.ThrowIfZero(units.Length);
        ArgumentOutOfRangeException.ThrowIfNotEqual(reference.Length, units.Length);
        Name = name;
        _convert = convert;
        _units = units;
        _reference = reference;
    }

    public string Name { get; }

    /// <summary>The units a profile may ask for; ranges are given in the first. Shared: do not modify.</summary>
    public string[] Units => _units;

    /// <summary>Whether a profile may ask for <paramref name="unit"/>.</summary>
    public bool Has(string unit) => Array.IndexOf(_units, unit) >= 0;

    /// <summary>Converts <paramref name="value"/> in the first unit to <paramref name="unit"/>.</summary>
    public double Convert(double value, string unit) => _convert(value, unit);

    /// <summary>The reference value converted to <paramref name="unit"/> by the drivers' code, and what it must be.</summary>
    public (double Actual, double Expected) ConvertReference(string unit)
    {
        int i = Array.IndexOf(_units, unit);
        return i < 0 ? (double.NaN, double.NaN) : (Convert(_reference[0], unit), _reference[i]);
    }

    /// <summary>The reference in every unit: <c>25 degC = 77 degF = 298.15 K</c>.</summary>
    public string ReferenceText
    {
        get
        {
            var parts = new string[_units.Length];
            for (int i = 0; i < parts.Length; i++)
            {
                parts[i] = string.Create(CultureInfo.InvariantCulture, $"{_reference[i]:G6} {_units[i]}");
            }

            return string.Join(" = ", parts);
        }
    }

    public static readonly SensorQuantity Temperature = new("temperature",
        (v, unit) => UnitConversion.Temperature(UnitsNet.Temperature.FromDegreesCelsius(v), unit), ["degC", "degF", "K"], [25, 77, 298.15]);

    public static readonly SensorQuantity Pressure = new("pressure",
        (v, unit) => UnitConversion.Pressure(UnitsNet.Pressure.FromHectopascals(v), unit), ["hPa", "Pa", "kPa"], [1013.25, 101325, 101.325]);

    public static readonly SensorQuantity Humidity = new("humidity",
        (v, unit) => UnitConversion.Humidity(UnitsNet.RelativeHumidity.FromPercent(v), unit), ["%RH"], [40]);

    public static readonly SensorQuantity Acceleration = new("acceleration",
        UnitConversion.Acceleration, ["m/s2", "g"], [UnitConversion.MpuGravity, 1]);

    public static readonly SensorQuantity AngularRate = new("angular rate",
        UnitConversion.AngularRate, ["deg/s", "rad/s"], [180, Math.PI]);

    public static readonly SensorQuantity Voltage = new("voltage",
        (v, unit) => UnitConversion.Voltage(UnitsNet.ElectricPotential.FromVolts(v), unit), ["V", "mV"], [1.5, 1500]);
}
