namespace EdgeRnn.DeviceHost.Sensors;

/// <summary>What happened to one sensor since start; reported by <c>diag</c> and at shutdown.</summary>
internal sealed class SensorCounters
{
    /// <summary>Samples asked for.</summary>
    public long Samples { get; set; }

    /// <summary>Read attempts after the first of a sample.</summary>
    public long Retries { get; set; }

    /// <summary>I/O errors and NACKs (IOException from the bus or the binding).</summary>
    public long IoErrors { get; set; }

    /// <summary>Values outside the profile's min / max, or not finite.</summary>
    public long OutOfRange { get; set; }

    /// <summary>Samples identical to the previous ones for longer than stuckAfter.</summary>
    public long Stuck { get; set; }

    /// <summary>Failed attempts to open (find and initialize) the chip.</summary>
    public long OpenFailures { get; set; }

    /// <summary>Samples delivered degraded (held or missing values).</summary>
    public long Degraded { get; set; }
}
