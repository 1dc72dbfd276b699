using EdgeRnn.DeviceHost.Profiles;

namespace EdgeRnn.DeviceHost.Sensors;

/// <summary>
/// An optional field of a sensor's profile that only some kinds take. The kinds list the options they take
/// (<see cref="SensorKind.Options"/>); the loader reports an option set on a kind that does not take it, naming the
/// kinds that do. Options of one kind are declared beside it (<c>Ads1115Kind.FullScaleVolts</c>); shared ones here.
/// </summary>
/// <param name="name">The JSON field, e.g. <c>fullScaleVolts</c>.</param>
/// <param name="isSet">Whether a profile sets it.</param>
/// <param name="owners">Who takes it in error messages (<c>I2C sensors</c>); by default the kinds that list it.</param>
internal sealed class SensorOption(string name, Func<SensorProfile, bool> isSet, string? owners = null)
{
    public string Name { get; } = name;

    public Func<SensorProfile, bool> IsSet { get; } = isSet;

    public string? Owners { get; } = owners;

    /// <summary>The I2C bus number (I2C chips).</summary>
    public static readonly SensorOption Bus = new("bus", s => s.Bus is not null, "I2C sensors");

    /// <summary>The I2C address (I2C chips).</summary>
    public static readonly SensorOption Address = new("address", s => s.Address is not null, "I2C sensors");

    /// <summary>The pace of a source that is not real time (a recording, a synthetic signal).</summary>
    public static readonly SensorOption Speed = new("speed", s => s.Speed is not null);
}
