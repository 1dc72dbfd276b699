using System.Text.Json.Serialization;
using EdgeRnn.DeviceHost.Sensors;
using EdgeRnn.DeviceHost.Sensors.Synthetic;

namespace EdgeRnn.DeviceHost.Profiles;

/// <summary>
/// A device profile (devices/*.json): which sensors feed which model features, the model, the outputs and the alarm
/// policy. Read strictly by <see cref="ProfileLoader"/>: an unknown field, a missing required field or a bad value is
/// an error naming the field. Relative paths are relative to the profile file's folder.
/// </summary>
internal sealed class DeviceProfile
{
    /// <summary>A short name used in logs.</summary>
    public required string Name { get; init; }

    /// <summary>The model file (.onnx with edgernn.* metadata).</summary>
    public required string Model { get; init; }

    /// <summary>Seconds between samples; must equal the model's <c>edgernn.sample_period_s</c> when it has one.</summary>
    public required double SamplePeriodSeconds { get; init; }

    /// <summary>The sensors; their readings, in order, are the model's features in order.</summary>
    public required SensorProfile[] Sensors { get; init; }

    /// <summary>Where events go.</summary>
    public OutputsProfile Outputs { get; set; } = new();

    /// <summary>When the alarm is raised; overrides of the model's calibrated decision settings.</summary>
    public AlarmPolicy Alarm { get; set; } = new();

    /// <summary>Where and how often the recurrent and scorer state is saved.</summary>
    public StateProfile? State { get; init; }

    /// <summary>Fleet telemetry to an MQTT broker (issue 15; src/DeviceHost/Telemetry).</summary>
    public Telemetry.MqttProfile? Mqtt { get; init; }
}

/// <summary>
/// One sensor: a chip on an I2C bus, a CSV replay or a synthetic signal. Beyond id, kind, readings, attempts, backoffMs
/// and stuckAfter, a field belongs to the kinds that list it as a <see cref="SensorOption"/> (bus and address: I2C
/// chips; file and loop: csv; ...): set on another kind it is a profile error, and its values are checked by its kind.
/// </summary>
internal sealed class SensorProfile
{
    /// <summary>A name for logs and counters.</summary>
    public required string Id { get; init; }

    /// <summary>A kind in <see cref="SensorKinds.All"/>: <c>bme280</c>, <c>mpu6050</c>, <c>ads1115</c>, <c>csv</c> or <c>synthetic</c>.</summary>
    public required string Kind { get; init; }

    /// <summary>I2C bus number (/dev/i2c-N); I2C kinds only.</summary>
    public int? Bus { get; init; }

    /// <summary>I2C address, e.g. <c>"0x76"</c>; I2C kinds only (defaults to the chip's default address).</summary>
    public string? Address { get; init; }

    /// <summary>The readings that become model features, in feature order.</summary>
    public required ReadingProfile[] Readings { get; init; }

    /// <summary>CSV file to replay (kind csv).</summary>
    public string? File { get; init; }

    /// <summary>Pace as a multiple of real time (kinds csv and synthetic); 0 = as fast as possible.</summary>
    public double? Speed { get; init; }

    /// <summary>Start again at the first row after the last (kind csv).</summary>
    public bool? Loop { get; init; }

    /// <summary>Synthetic signal settings (kind synthetic).</summary>
    public SyntheticProfile? Synthetic { get; init; }

    /// <summary>ADS1115 full-scale range in volts: 6.144, 4.096, 2.048, 1.024, 0.512 or 0.256 (kind ads1115).</summary>
    public double? FullScaleVolts { get; init; }

    /// <summary>Read attempts per sample before the step is marked degraded (default 3).</summary>
    public int? Attempts { get; init; }

    /// <summary>First retry delay in milliseconds, doubling per attempt (default 2).</summary>
    public int? BackoffMs { get; init; }

    /// <summary>Consecutive identical samples after which the sensor counts as stuck (0 = off, default 0).</summary>
    public int? StuckAfter { get; init; }
}

/// <summary>One reading of a sensor mapped to one model feature.</summary>
internal sealed class ReadingProfile
{
    /// <summary>The sensor's reading, e.g. <c>temperature</c>, <c>accel_x</c>, <c>ain0</c> or a CSV column.</summary>
    public required string Reading { get; init; }

    /// <summary>The model feature it becomes.</summary>
    public required string Feature { get; init; }

    /// <summary>The unit the feature is in; must match the model's unit for that feature.</summary>
    public required string Unit { get; init; }

    /// <summary>Smallest plausible value; below it a sample is out of range (a fault).</summary>
    public double? Min { get; init; }

    /// <summary>Largest plausible value.</summary>
    public double? Max { get; init; }
}

/// <summary>Event outputs.</summary>
internal sealed class OutputsProfile
{
    /// <summary><c>events</c> (default): anomalies, faults and lifecycle; <c>steps</c>: also every step; <c>off</c>.</summary>
    public string Console { get; set; } = "events";

    /// <summary>JSON-lines event log with size-based rotation.</summary>
    public EventLogProfile? EventLog { get; init; }

    /// <summary>The alarm GPIO pin, driven while an anomaly is active.</summary>
    public AlarmPinProfile? AlarmPin { get; init; }
}

/// <summary>The JSON-lines event log.</summary>
internal sealed class EventLogProfile
{
    /// <summary>The log file; rotated files get .1, .2, ... appended.</summary>
    public required string Path { get; init; }

    /// <summary>Size at which the log rotates.</summary>
    public long MaxBytes { get; set; } = 1 << 20;

    /// <summary>Rotated files kept.</summary>
    public int Keep { get; set; } = 3;
}

/// <summary>The alarm output pin.</summary>
internal sealed class AlarmPinProfile
{
    /// <summary>GPIO number (BCM numbering on a Raspberry Pi).</summary>
    public required int Pin { get; init; }

    /// <summary>Drive high for an alarm (default) or low.</summary>
    public bool ActiveHigh { get; set; } = true;
}

/// <summary>The alarm policy; unset values come from the model's <c>edgernn.scorer</c>.</summary>
internal sealed class AlarmPolicy
{
    /// <summary>Likelihood at or above which an anomaly starts.</summary>
    public double? Threshold { get; init; }

    /// <summary>Likelihood below which it ends.</summary>
    public double? ExitThreshold { get; init; }

    /// <summary>Consecutive steps above the threshold before raising.</summary>
    public int? MinDuration { get; init; }

    /// <summary>Also raise the alarm pin while any sensor is degraded.</summary>
    public bool OnDegraded { get; init; }
}

/// <summary>State persistence.</summary>
internal sealed class StateProfile
{
    /// <summary>The state file.</summary>
    public required string Path { get; init; }

    /// <summary>Save every this many steps (and always on shutdown).</summary>
    public int SaveEverySteps { get; set; } = 100;
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true,
    ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip,
    AllowTrailingCommas = false)]
[JsonSerializable(typeof(DeviceProfile))]
internal sealed partial class ProfileJsonContext : JsonSerializerContext;
