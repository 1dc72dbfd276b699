namespace EdgeRnn.DeviceHost.Sensors.Synthetic;

/// <summary>A synthetic sine with noise and an optional injected step anomaly.</summary>
internal sealed class SyntheticProfile
{
    /// <summary>Mean of the signal.</summary>
    public double Offset { get; init; }

    /// <summary>Sine amplitude.</summary>
    public double Amplitude { get; set; } = 1;

    /// <summary>Sine period in steps.</summary>
    public int PeriodSteps { get; set; } = 100;

    /// <summary>Standard deviation of Gaussian noise.</summary>
    public double Noise { get; init; }

    /// <summary>Seed of the noise.</summary>
    public int Seed { get; set; } = 1;

    /// <summary>From this step on (when set), the offset jumps by <see cref="AnomalyShift"/>.</summary>
    public int? AnomalyAtStep { get; init; }

    /// <summary>Size of the injected jump.</summary>
    public double AnomalyShift { get; init; }
}
