using System.Device.I2c;
using EdgeRnn.DeviceHost.Profiles;

namespace EdgeRnn.DeviceHost.Sensors;

/// <summary>
/// Everything the device host knows about one kind of sensor a profile can name: its name, the readings it offers
/// (with units and full-scale ranges), the profile fields it takes and how they are checked, and how its driver is
/// opened. One sealed subclass per kind sits beside its driver (<c>Sensors/Bme280/Bme280Kind.cs</c> next to
/// <c>Bme280Sensor.cs</c>) and is listed once in <see cref="SensorKinds.All"/>; the profile loader, the sensor
/// factory, <c>diag</c>, <c>scan</c> and <c>replay</c> ask the registry and never name a kind.
/// </summary>
internal abstract class SensorKind
{
    protected SensorKind(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Name = name;
    }

    /// <summary>The profile's <c>kind</c>, e.g. <c>bme280</c>.</summary>
    public string Name { get; }

    /// <summary>
    /// The readings the sensor offers, each with its quantity (the units it can be delivered in) and full-scale range;
    /// null when a profile may name any reading in any unit (a CSV column, a synthetic signal). Shared: do not modify.
    /// </summary>
    /// <remarks>
    /// Arrays and loops rather than read-only interfaces and LINQ in the kinds and the registry: under NativeAOT every
    /// LINQ iterator over a new element type is a type of its own in the binary.
    /// </remarks>
    public virtual SensorChannel[]? Channels => null;

    /// <summary>
    /// The optional profile fields this kind takes, beyond those of every sensor (id, kind, readings, attempts,
    /// backoffMs, stuckAfter). A field of another kind set on this one is a profile error naming the kinds it belongs
    /// to. Shared: do not modify.
    /// </summary>
    public virtual SensorOption[] Options => [];

    /// <summary>
    /// True for hardware: opened lazily and opened again after failures, a failure is a degraded sensor, and
    /// <c>replay</c> refuses it. False for configuration (a recording, a synthetic signal): opened at start, where a
    /// failure is a bad profile.
    /// </summary>
    public virtual bool IsHardware => false;

    /// <summary>Checks the values of this kind's own options (that no other kind's field is set is checked before).</summary>
    /// <param name="sensor">The sensor's profile.</param>
    /// <param name="check">Reports a failed condition for a field relative to the sensor, e.g. <c>.file</c>.</param>
    public virtual void Validate(SensorProfile sensor, ProfileCheck check)
    {
    }

    /// <summary>Whether this kind takes <paramref name="option"/>.</summary>
    public bool Takes(SensorOption option) => Array.IndexOf(Options, option) >= 0;

    /// <summary>The channel named <paramref name="reading"/>, or null (also when the kind has no fixed channels).</summary>
    public SensorChannel? Channel(string reading)
    {
        foreach (SensorChannel channel in Channels ?? [])
        {
            if (channel.Reading == reading)
            {
                return channel;
            }
        }

        return null;
    }

    /// <summary>What <paramref name="channel"/> can read with this sensor's settings, in the channel's first unit.</summary>
    public virtual (double Min, double Max) FullScale(SensorProfile sensor, SensorChannel channel) => (channel.Min, channel.Max);

    /// <summary>Opens the driver for a validated sensor profile.</summary>
    /// <param name="sensor">The sensor's profile (validated).</param>
    /// <param name="profile">The whole profile, to resolve relative paths against.</param>
    /// <param name="openI2c">Opens an I2C device on a bus at an address (real or simulated).</param>
    /// <exception cref="IOException">The sensor cannot be opened or read.</exception>
    public abstract ISensor Open(SensorProfile sensor, LoadedProfile profile, Func<int, int, I2cDevice> openI2c);

    public override string ToString() => Name;
}
