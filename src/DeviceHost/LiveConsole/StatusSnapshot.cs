using System.Text.Json.Serialization;

namespace EdgeRnn.DeviceHost.LiveConsole;

/// <summary>
/// One line of the status socket's stream (<c>"type": "snapshot"</c>): everything the live console shows. Numbers
/// that are not known (no reading yet, no forecast yet, no thermal sensor) are null. Versioned by <see cref="Version"/>;
/// readers ignore fields they do not know.
/// </summary>
internal sealed class StatusSnapshot
{
    /// <summary>The current format.</summary>
    public const int CurrentVersion = 1;

    public string Type { get; set; } = "snapshot";

    public int Version { get; set; } = CurrentVersion;

    public DateTimeOffset Time { get; set; }

    public string Profile { get; set; } = "";

    public string ProfilePath { get; set; } = "";

    public int Pid { get; set; }

    public double SamplePeriodSeconds { get; set; }

    /// <summary>Steps taken by this process.</summary>
    public long Steps { get; set; }

    /// <summary>Steps the scorer has seen since its state began (restored or reset).</summary>
    public long ScoredSteps { get; set; }

    public int WarmupSteps { get; set; }

    public bool WarmingUp { get; set; }

    public double? Likelihood { get; set; }

    public double? Error { get; set; }

    public bool Active { get; set; }

    public long Anomalies { get; set; }

    public long DegradedSteps { get; set; }

    public double EnterThreshold { get; set; }

    public double ExitThreshold { get; set; }

    public int MinDuration { get; set; }

    /// <summary>The highest likelihood in each of equal spans of the last <see cref="HistorySeconds"/>, oldest first; null where no step was published.</summary>
    public double?[] LikelihoodHistory { get; set; } = [];

    public double HistorySeconds { get; set; }

    public SensorStatus[] Sensors { get; set; } = [];

    /// <summary>The last events, oldest first.</summary>
    public string[] Events { get; set; } = [];

    public string? LastEvent { get; set; }

    public LatencyStatus Latency { get; set; } = new();

    public FaultStatus Faults { get; set; } = new();

    public ModelStatus Model { get; set; } = new();

    public HostStatus Device { get; set; } = new();

    /// <summary>Consoles attached now (this one included) and consoles dropped because they did not keep up.</summary>
    public int Consoles { get; set; }

    public long DroppedConsoles { get; set; }
}

/// <summary>One sensor.</summary>
internal sealed class SensorStatus
{
    public string Id { get; set; } = "";

    public string Kind { get; set; } = "";

    /// <summary><c>ok</c>, <c>degraded</c> or <c>warm-up</c> (the scorer is still learning).</summary>
    public string Status { get; set; } = "ok";

    public string? LastError { get; set; }

    public ReadingStatus[] Readings { get; set; } = [];

    public long Samples { get; set; }

    public long Retries { get; set; }

    public long IoErrors { get; set; }

    public long OutOfRange { get; set; }

    public long Stuck { get; set; }

    public long OpenFailures { get; set; }

    public long DegradedSamples { get; set; }
}

/// <summary>One reading, against the forecast the model made for it.</summary>
internal sealed class ReadingStatus
{
    public string Reading { get; set; } = "";

    public string Feature { get; set; } = "";

    public string Unit { get; set; } = "";

    public double? Value { get; set; }

    public double? Forecast { get; set; }
}

/// <summary>How long steps take, and how often the loop was late.</summary>
internal sealed class LatencyStatus
{
    public double? P50Microseconds { get; set; }

    public double? P99Microseconds { get; set; }

    public double? MaxMicroseconds { get; set; }

    public long Overruns { get; set; }

    public long MissedTicks { get; set; }
}

/// <summary>Faults: outputs, state saves, and the sensors' I/O errors.</summary>
internal sealed class FaultStatus
{
    public long Outputs { get; set; }

    public long StateSaves { get; set; }

    public long SensorIoErrors { get; set; }

    public long Total { get; set; }
}

/// <summary>The model and the scorer.</summary>
internal sealed class ModelStatus
{
    public string Name { get; set; } = "";

    public string Task { get; set; } = "";

    /// <summary><c>fp32</c> or <c>int8</c>.</summary>
    public string Precision { get; set; } = "";

    public string Sha256 { get; set; } = "";

    /// <summary>When it was trained (the provenance's date), else the file's modification time.</summary>
    public string? Trained { get; set; }

    /// <summary>Training metrics from the provenance ("mse 0.024, mae 0.080").</summary>
    public string? Metrics { get; set; }

    public string Scorer { get; set; } = "";
}

/// <summary>The machine.</summary>
internal sealed class HostStatus
{
    public double? CpuCelsius { get; set; }

    public double[]? Load { get; set; }

    public double? MemoryUsedMegabytes { get; set; }

    public double? MemoryTotalMegabytes { get; set; }

    public double? ProcessMegabytes { get; set; }

    public double? UptimeSeconds { get; set; }

    /// <summary>Free space where the state file is (MB).</summary>
    public double? StateDiskFreeMegabytes { get; set; }

    /// <summary>Free space where the event log is (MB).</summary>
    public double? LogDiskFreeMegabytes { get; set; }
}

/// <summary>A console's request (one JSON line): <c>{"command":"save","id":1}</c>.</summary>
internal sealed class ConsoleRequest
{
    public string? Command { get; set; }

    public long? Id { get; set; }
}

/// <summary>The answer to a <see cref="ConsoleRequest"/> (<c>"type": "result"</c>).</summary>
internal sealed class ConsoleResult
{
    public string Type { get; set; } = "result";

    public long? Id { get; set; }

    public string? Command { get; set; }

    public bool Ok { get; set; }

    public string Message { get; set; } = "";
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(StatusSnapshot))]
[JsonSerializable(typeof(ConsoleRequest))]
[JsonSerializable(typeof(ConsoleResult))]
internal sealed partial class ConsoleJsonContext : JsonSerializerContext;
