using System.Text.Json.Serialization;

namespace EdgeRnn.DeviceHost.Telemetry;

// The MQTT payloads (docs/fleet.md is their schema). Every payload names its schema and version; a subscriber ignores
// fields it does not know, and a change that removes or retypes a field bumps the version.

/// <summary>What a queued message is: the topic it goes to under <c>{prefix}/{deviceId}/</c>.</summary>
internal enum TelemetryKind : byte
{
    Event = 0,
    Health = 1,
    Score = 2,
}

/// <summary><c>.../events</c>: one device event (anomaly_started, sensor_degraded, state_restored, fault, ...).</summary>
internal sealed record EventPayload(string Schema, int Version, string DeviceId, long Seq, DateTime Time, string Event, long Step, float? Likelihood, string? Detail);

/// <summary><c>.../scores</c>: one scored step (every <c>scoresEverySteps</c> steps).</summary>
internal sealed record ScorePayload(string Schema, int Version, string DeviceId, long Seq, DateTime Time, long Step, float Error, float Likelihood, bool Active, bool Degraded);

/// <summary><c>.../health</c>: counters every <c>healthSeconds</c>.</summary>
internal sealed record HealthPayload(
    string Schema, int Version, string DeviceId, long Seq, DateTime Time, double UptimeSeconds, long Steps, long Anomalies, long DegradedSteps,
    FaultCounts Faults, SensorHealth[] Sensors, LatencyMicroseconds LatencyUs, string ModelSha256, double? StateAgeSeconds, QueueHealth Queue, MqttHealth Mqtt);

/// <summary>Output and state-save faults.</summary>
internal sealed record FaultCounts(long Outputs, long StateSaves, long Total);

/// <summary>One sensor's counters.</summary>
internal sealed record SensorHealth(string Id, long Samples, long Retries, long IoErrors, long OutOfRange, long Stuck, long OpenFailures, long Degraded);

/// <summary>Step latency (sensor reads, scoring, the model step, the outputs); null before the first step.</summary>
internal sealed record LatencyMicroseconds(double? P50, double? P99, double? Max)
{
    /// <summary>The loop's figures so far, rounded to 0.01 us (JSON has no NaN: an empty histogram gives nulls).</summary>
    public static LatencyMicroseconds Of(Loop.StepLatency latency)
    {
        (double? p50, double? p99, double? max) = latency.Summary();
        return new(Us(p50), Us(p99), Us(max));
    }

    private static double? Us(double? v) => v is { } x ? Math.Round(x, 2) : null;
}

/// <summary>The store-and-forward queue: messages not yet acknowledged by the broker, and what was lost.</summary>
/// <param name="Depth">Messages waiting for the broker's PUBACK.</param>
/// <param name="Bytes">Bytes on disk.</param>
/// <param name="OldestAgeSeconds">Age of the oldest waiting message.</param>
/// <param name="Dropped">Messages dropped unsent because the queue was full (the oldest go first), since the queue was created.</param>
/// <param name="Corrupt">Records found damaged on disk and skipped, since the queue was created.</param>
/// <param name="ChannelDropped">Messages the loop could not hand to the publisher (it was behind), since the process started.</param>
/// <param name="WriteFailures">Messages lost because the queue could not be written (a full or read-only disk), since the process started.</param>
/// <param name="Rejected">Messages the broker refused (a PUBACK with an error reason), since the process started.</param>
internal sealed record QueueHealth(long Depth, long Bytes, double? OldestAgeSeconds, long Dropped, long Corrupt, long ChannelDropped, long WriteFailures, long Rejected);

/// <summary>The connection to the broker.</summary>
internal sealed record MqttHealth(string Protocol, long Connects, long FailedConnects, long Published);

/// <summary><c>.../birth</c> (retained): what the device runs, published at every connect.</summary>
internal sealed record BirthPayload(string Schema, int Version, string DeviceId, DateTime Time, string Profile, BirthModel Model, BirthSensor[] Sensors,
    double HealthSeconds, int ScoresEverySteps, string Software);

/// <summary>The model in a birth message.</summary>
internal sealed record BirthModel(string File, string Sha256, string[] Features, string[] Units, double SamplePeriodSeconds);

/// <summary>A sensor in a birth message.</summary>
internal sealed record BirthSensor(string Id, string Kind);

/// <summary><c>.../status</c> (retained): online at connect; offline at a clean stop, or as the last will when the connection is lost.</summary>
internal sealed record StatusPayload(string Schema, int Version, string DeviceId, DateTime? Time, string Status, string Reason);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(EventPayload))]
[JsonSerializable(typeof(ScorePayload))]
[JsonSerializable(typeof(HealthPayload))]
[JsonSerializable(typeof(BirthPayload))]
[JsonSerializable(typeof(StatusPayload))]
internal sealed partial class TelemetryJsonContext : JsonSerializerContext;
