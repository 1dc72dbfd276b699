namespace EdgeRnn.DeviceHost.Sensors;

/// <summary>
/// One source of readings: a chip, a CSV replay or a synthetic signal. <see cref="Read"/> fills one value per mapped
/// reading, in the profile's order and units.
/// </summary>
internal interface ISensor : IDisposable
{
    /// <summary>Values per sample.</summary>
    int Count { get; }

    /// <summary>Reads one sample. Returns false when a replay has no more rows.</summary>
    /// <exception cref="IOException">The bus or the chip failed (I/O error, NACK, wrong chip).</exception>
    bool Read(Span<float> values);

    /// <summary>
    /// Whether a failed or implausible read may be retried, and a failing sensor closed and opened again: true for a
    /// chip. False for a replay or a synthetic signal, where every read consumes a row (a retry would silently drop
    /// it) and opening again would start over from the first row.
    /// </summary>
    bool CanReread => true;

    /// <summary>What the command should warn about after opening (malformed rows of a replay), or null.</summary>
    string? OpenWarning => null;
}

/// <summary>
/// A sensor whose samples carry their own time (a replayed recording): the clock features of a model
/// (<see cref="Deployment.Metadata.TimeFeatures"/>) are computed from it instead of the wall clock.
/// </summary>
internal interface ITimestampedSensor
{
    /// <summary>The time of the last sample read, in seconds since 1970-01-01 (as written, read as UTC); NaN if unknown.</summary>
    double LastTimestamp { get; }
}
