namespace EdgeRnn.DeviceHost.Outputs;

/// <summary>What a <see cref="DeviceEvent"/> reports.</summary>
internal enum DeviceEventKind
{
    Started,
    Stopped,
    AnomalyStarted,
    AnomalyEnded,
    SensorDegraded,
    SensorRecovered,
    StateRestored,
    StateDiscarded,

    /// <summary>An output or the state file failed (a full disk, a missing GPIO chip); counted, the loop goes on.</summary>
    Fault,

    /// <summary>An output that failed works again.</summary>
    FaultCleared,

    /// <summary>Something the operator should know that is not a fault (malformed replay rows, leftover files removed).</summary>
    Warning,
}

/// <summary>An event for the console, the JSON-lines log and the alarm pin.</summary>
/// <param name="Kind">What happened.</param>
/// <param name="Step">The loop step (0 before the first).</param>
/// <param name="Time">Wall-clock time (UTC).</param>
/// <param name="Likelihood">The anomaly likelihood at the step (anomaly events).</param>
/// <param name="Detail">Free text: the sensor and its fault, the state file, the reason.</param>
internal readonly record struct DeviceEvent(DeviceEventKind Kind, long Step, DateTimeOffset Time, float Likelihood = 0, string? Detail = null)
{
    /// <summary>The snake_case name used in logs: anomaly_started, sensor_degraded...</summary>
    public string Name => Kind switch
    {
        DeviceEventKind.Started => "started",
        DeviceEventKind.Stopped => "stopped",
        DeviceEventKind.AnomalyStarted => "anomaly_started",
        DeviceEventKind.AnomalyEnded => "anomaly_ended",
        DeviceEventKind.SensorDegraded => "sensor_degraded",
        DeviceEventKind.SensorRecovered => "sensor_recovered",
        DeviceEventKind.StateRestored => "state_restored",
        DeviceEventKind.StateDiscarded => "state_discarded",
        DeviceEventKind.Fault => "fault",
        DeviceEventKind.FaultCleared => "fault_cleared",
        _ => "warning",
    };
}

/// <summary>One scored step.</summary>
/// <param name="Step">1 for the first step.</param>
/// <param name="Error">Forecast error (mean absolute, normalized units) of the previous step's forecast.</param>
/// <param name="Likelihood">Anomaly likelihood in [0, 1].</param>
/// <param name="Active">An anomaly is active after the step.</param>
/// <param name="Degraded">At least one sensor delivered held or missing values.</param>
internal readonly record struct StepRecord(long Step, float Error, float Likelihood, bool Active, bool Degraded);

/// <summary>Receives events (and, if it wants, every step).</summary>
internal interface IEventSink : IDisposable
{
    /// <summary>What the output is, for fault reports ("event log", "alarm pin").</summary>
    string Name { get; }

    void OnEvent(in DeviceEvent e);

    /// <summary>Opens the output now (the loop calls it at start); an output may also open at its first event.</summary>
    void Open()
    {
    }

    void OnStep(in StepRecord step, ReadOnlySpan<float> raw)
    {
    }
}
