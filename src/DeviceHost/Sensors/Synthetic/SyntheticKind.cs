using System.Device.I2c;
using EdgeRnn.DeviceHost.Profiles;

namespace EdgeRnn.DeviceHost.Sensors.Synthetic;

/// <summary>
/// Kind <c>synthetic</c>: a deterministic sine with noise and an optional injected step per reading (settings in
/// <c>synthetic</c>), paced by <c>speed</c>; readings may be named anything, in any unit.
/// </summary>
internal sealed class SyntheticKind : SensorKind
{
    public static readonly SyntheticKind Instance = new();

    /// <summary>The signal's settings (<see cref="SyntheticProfile"/>).</summary>
    public static readonly SensorOption Settings = new("synthetic", s => s.Synthetic is not null);

    private static readonly SensorOption[] s_options = [Settings, SensorOption.Speed];

    private SyntheticKind()
        : base("synthetic")
    {
    }

    public override SensorOption[] Options => s_options;

    public override void Validate(SensorProfile sensor, ProfileCheck check)
    {
        check(sensor.Synthetic is null || sensor.Synthetic.PeriodSteps > 0, ".synthetic.periodSteps", "must be > 0");
        check(sensor.Synthetic is null || sensor.Synthetic.Noise >= 0, ".synthetic.noise", "must be >= 0");
    }

    public override ISensor Open(SensorProfile sensor, LoadedProfile profile, Func<int, int, I2cDevice> openI2c) =>
        new SyntheticSensor(sensor.Synthetic ?? new SyntheticProfile(), sensor.Readings.Length);
}
