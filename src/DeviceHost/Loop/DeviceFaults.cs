namespace EdgeRnn.DeviceHost.Loop;

/// <summary>
/// Faults of the device loop that are not sensor faults (those are in <see cref="Sensors.SensorCounters"/>): outputs
/// that failed and state saves that failed. Each is counted, reported by a <c>fault</c> event when it starts and a
/// <c>fault_cleared</c> event when it ends, and never stops the loop. Written by the loop thread, read by the status
/// timer.
/// </summary>
internal sealed class DeviceFaults
{
    private long _outputs;
    private long _stateSaves;

    /// <summary>Opens of and writes to an output (event log, console, alarm pin) that failed.</summary>
    public long Outputs => Volatile.Read(ref _outputs);

    /// <summary>State saves that failed.</summary>
    public long StateSaves => Volatile.Read(ref _stateSaves);

    /// <summary>All of them.</summary>
    public long Total => Outputs + StateSaves;

    internal void AddOutput() => Interlocked.Increment(ref _outputs);

    internal void AddStateSave() => Interlocked.Increment(ref _stateSaves);
}
