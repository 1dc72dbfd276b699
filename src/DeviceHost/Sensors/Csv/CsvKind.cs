using System.Device.I2c;
using EdgeRnn.DeviceHost.Profiles;

namespace EdgeRnn.DeviceHost.Sensors.Csv;

/// <summary>
/// Kind <c>csv</c>: replays columns of a recording (<c>file</c>, readings named by the header row, any unit), paced
/// by <c>speed</c>, from the first row again after the last with <c>loop</c>.
/// </summary>
internal sealed class CsvKind : SensorKind
{
    public static readonly CsvKind Instance = new();

    /// <summary>The CSV file, relative to the profile's folder.</summary>
    public static readonly SensorOption File = new("file", s => s.File is not null);

    /// <summary>Start again at the first row after the last.</summary>
    public static readonly SensorOption Loop = new("loop", s => s.Loop is not null);

    private static readonly SensorOption[] s_options = [File, Loop, SensorOption.Speed];

    private CsvKind()
        : base("csv")
    {
    }

    public override SensorOption[] Options => s_options;

    public override void Validate(SensorProfile sensor, ProfileCheck check) =>
        check(!string.IsNullOrEmpty(sensor.File), ".file", "is required for kind csv");

    public override ISensor Open(SensorProfile sensor, LoadedProfile profile, Func<int, int, I2cDevice> openI2c) =>
        new CsvReplaySensor(profile.Resolve(sensor.File!), sensor.Readings, sensor.Loop ?? false);
}
