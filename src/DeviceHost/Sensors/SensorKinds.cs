using System.Device.I2c;
using System.Globalization;
using EdgeRnn.DeviceHost.IO;
using EdgeRnn.DeviceHost.Sensors.Ads1115;
using EdgeRnn.DeviceHost.Sensors.Bme280;
using EdgeRnn.DeviceHost.Sensors.Csv;
using EdgeRnn.DeviceHost.Sensors.Mpu6050;
using EdgeRnn.DeviceHost.Sensors.Synthetic;

namespace EdgeRnn.DeviceHost.Sensors;

/// <summary>
/// The sensor kinds a profile may name: the one list of them. Everything else (the profile loader, the sensor
/// factory, <c>diag</c>, <c>scan</c>, <c>replay</c>) asks this registry; what a kind is sits in its own folder.
/// An explicit table rather than discovery by reflection, so NativeAOT sees every kind and trims nothing it needs.
/// </summary>
internal static class SensorKinds
{
    /// <summary>Every kind, in the order error messages and <c>diag</c> list them. A new kind is one line here.</summary>
    public static readonly SensorKind[] All =
    [
        Bme280Kind.Instance,
        Mpu6050Kind.Instance,
        Ads1115Kind.Instance,
        CsvKind.Instance,
        SyntheticKind.Instance,
    ];

    /// <summary>Every kind-specific option any kind takes, each once, in the order of <see cref="All"/>.</summary>
    public static readonly SensorOption[] Options = CollectOptions();

    /// <summary>The kinds' names: <c>bme280, mpu6050, ads1115, csv, synthetic</c>.</summary>
    public static readonly string Names = JoinNames(All, ", ");

    /// <summary>The kind a profile names, or null.</summary>
    public static SensorKind? Find(string name)
    {
        foreach (SensorKind kind in All)
        {
            if (kind.Name == name)
            {
                return kind;
            }
        }

        return null;
    }

    /// <summary>The kind of a validated profile's sensor.</summary>
    /// <exception cref="ArgumentOutOfRangeException">No kind has that name (the profile was not validated).</exception>
    public static SensorKind Get(string name) =>
        Find(name) ?? throw new ArgumentOutOfRangeException(nameof(name), name, $"Not a sensor kind ({Names}).");

    /// <summary>Why <paramref name="name"/> is not a kind: the known ones, and the nearest when it looks misspelt.</summary>
    public static string Unknown(string name)
    {
        SensorKind? near = null;
        foreach (SensorKind kind in All)
        {
            if (kind.Name.Equals(name, StringComparison.OrdinalIgnoreCase) || (near is null && EditDistance.Within(kind.Name, name, 2)))
            {
                near = kind;
            }
        }

        return $"'{ErrorText.Sanitize(name, 64)}' is not one of {Names}" + (near is null ? "" : $" (did you mean '{near.Name}'?)");
    }

    /// <summary>Who takes an option, for "applies only to ...": <c>I2C sensors</c>, <c>kind csv</c>, <c>kinds csv and synthetic</c>.</summary>
    public static string OwnersOf(SensorOption option)
    {
        if (option.Owners is { } owners)
        {
            return owners;
        }

        var takers = new SensorKind[All.Length];
        int count = 0;
        foreach (SensorKind kind in All)
        {
            if (kind.Takes(option))
            {
                takers[count++] = kind;
            }
        }

        return count == 1 ? "kind " + takers[0].Name : $"kinds {JoinNames(takers.AsSpan(0, count - 1), ", ")} and {takers[count - 1].Name}";
    }

    /// <summary>
    /// The chips that usually answer at an I2C address (for <c>scan</c>): the kinds strapped to it, else other
    /// common chips the device host has no driver for.
    /// </summary>
    public static string Guess(int address)
    {
        string labels = "";
        foreach (SensorKind kind in All)
        {
            if (kind is I2cSensorKind chip && chip.CanBeAt(address))
            {
                labels += (labels.Length == 0 ? "" : " / ") + chip.ScanLabel;
            }
        }

        return labels.Length > 0 ? labels : address switch
        {
            0x40 => "INA219 / SHT21 / PCA9685",
            0x44 or 0x45 => "SHT3x",
            0x3C or 0x3D => "SSD1306 display",
            0x23 => "BH1750",
            0x27 => "PCF8574 (LCD backpack)",
            _ => "",
        };
    }

    /// <summary>
    /// For <c>scan</c>: reads the ID register of each kind strapped to <paramref name="address"/> that has one, and says
    /// which kind the chip is, or that it is not (a BMP280 answers at a BME280's address); empty when there is nothing to read.
    /// </summary>
    public static string Identify(I2cDevice device, int address)
    {
        string notes = "";
        byte[] value = new byte[1];
        foreach (SensorKind kind in All)
        {
            if (kind is not I2cSensorKind chip || !chip.CanBeAt(address) || chip.ChipId is not { } id)
            {
                continue;
            }

            try
            {
                device.WriteRead([id.Register], value);
            }
            catch (IOException)
            {
                continue;
            }

            if (value[0] == id.Value)
            {
                return string.Create(CultureInfo.InvariantCulture, $": {kind.Name} (chip id 0x{value[0]:x2} at register 0x{id.Register:x2})");
            }

            notes += string.Create(CultureInfo.InvariantCulture, $"{(notes.Length == 0 ? ": " : "; ")}not a {kind.Name} (register 0x{id.Register:x2} reads 0x{value[0]:x2}, a {kind.Name} 0x{id.Value:x2})");
        }

        return notes;
    }

    private static SensorOption[] CollectOptions()
    {
        int total = 0;
        foreach (SensorKind kind in All)
        {
            total += kind.Options.Length;
        }

        var options = new SensorOption[total];
        int count = 0;
        foreach (SensorKind kind in All)
        {
            foreach (SensorOption option in kind.Options)
            {
                if (Array.IndexOf(options, option, 0, count) < 0)
                {
                    options[count++] = option;
                }
            }
        }

        return options[..count];
    }

    private static string JoinNames(ReadOnlySpan<SensorKind> kinds, string separator)
    {
        var names = new string[kinds.Length];
        for (int i = 0; i < names.Length; i++)
        {
            names[i] = kinds[i].Name;
        }

        return string.Join(separator, names);
    }
}
