using System.Device.I2c;
using System.Globalization;
using EdgeRnn.DeviceHost.Profiles;

namespace EdgeRnn.DeviceHost.Sensors;

/// <summary>
/// A sensor kind that is a chip on an I2C bus: takes <c>bus</c> and <c>address</c> in the profile, tells <c>scan</c>
/// which addresses it answers at and how to confirm it by its chip-ID register, and opens its driver on the bus.
/// </summary>
internal abstract class I2cSensorKind : SensorKind
{
    private static readonly SensorOption[] s_options = [SensorOption.Bus, SensorOption.Address];

    /// <param name="name">The profile's <c>kind</c>.</param>
    /// <param name="addresses">The addresses the chip's address pins select; the first is the default.</param>
    /// <param name="scanLabel">The chips that usually answer at those addresses, for <c>scan</c>, e.g. <c>BME280 / BMP280 / BME680</c>.</param>
    protected I2cSensorKind(string name, int[] addresses, string scanLabel)
        : base(name)
    {
        ArgumentOutOfRangeException.ThrowIfZero(addresses.Length);
        _addresses = addresses;
        ScanLabel = scanLabel;
    }

    private readonly int[] _addresses;

    /// <summary>The addresses the chip can be strapped to; the first is the default.</summary>
    public IReadOnlyList<int> Addresses => _addresses;

    /// <summary>The address used when the profile gives none.</summary>
    public int DefaultAddress => _addresses[0];

    /// <summary>Whether the chip can be strapped to <paramref name="address"/>.</summary>
    public bool CanBeAt(int address) => _addresses.AsSpan().Contains(address);

    /// <summary>The chips that usually answer at <see cref="Addresses"/> (for <c>scan</c>).</summary>
    public string ScanLabel { get; }

    /// <summary>The register that identifies the chip and the value it holds; null when the chip has none.</summary>
    public virtual I2cChipId? ChipId => null;

    public sealed override bool IsHardware => true;

    public override SensorOption[] Options => s_options;

    public override void Validate(SensorProfile sensor, ProfileCheck check)
    {
        check(sensor.Bus is null or >= 0, ".bus", $"must be >= 0 (got {sensor.Bus})");
        if (sensor.Address is not null)
        {
            check(TryParseAddress(sensor.Address, out _), ".address", $"'{sensor.Address}' is not a 7-bit I2C address such as \"0x76\" (0x03 to 0x77)");
        }
    }

    /// <summary>The bus and address a validated profile puts the chip at.</summary>
    public (int Bus, int Address) Location(SensorProfile sensor) =>
        (sensor.Bus ?? 1, sensor.Address is { } text && TryParseAddress(text, out int address) ? address : DefaultAddress);

    /// <summary>Where the chip is, as diag prints it: <c>/dev/i2c-1 at 0x76</c>.</summary>
    public string Describe(SensorProfile sensor)
    {
        (int bus, int address) = Location(sensor);
        return string.Create(CultureInfo.InvariantCulture, $"/dev/i2c-{bus} at 0x{address:x2}");
    }

    public sealed override ISensor Open(SensorProfile sensor, LoadedProfile profile, Func<int, int, I2cDevice> openI2c)
    {
        (int bus, int address) = Location(sensor);
        I2cDevice device = openI2c(bus, address);
        try
        {
            return OpenChip(device, sensor);
        }
        catch
        {
            device.Dispose();
            throw;
        }
    }

    /// <summary>Opens the driver on the chip's device; the caller disposes the device if this throws.</summary>
    /// <exception cref="IOException">No chip answers, or it is not this chip.</exception>
    protected abstract ISensor OpenChip(I2cDevice device, SensorProfile sensor);

    /// <summary>Parses "0x76", "118" or "0X76" as a 7-bit address in the range a scan probes (0x03 to 0x77).</summary>
    public static bool TryParseAddress(string text, out int address)
    {
        bool ok = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? int.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out address)
            : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out address);
        return ok && address is >= 0x03 and <= 0x77;
    }
}
