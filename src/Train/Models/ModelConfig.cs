namespace EdgeRnn.Train.Models;

/// <summary>The shape of a <see cref="SensorNet"/>: everything needed to rebuild it from a checkpoint.</summary>
public sealed record ModelConfig
{
    /// <summary>The task.</summary>
    public TrainTask Task { get; init; } = TrainTask.Forecast;

    /// <summary>The recurrent cell.</summary>
    public CellKind Cell { get; init; } = CellKind.Lstm;

    /// <summary>Input features per step.</summary>
    public int Features { get; init; }

    /// <summary>Hidden size of every recurrent layer.</summary>
    public int Hidden { get; init; } = 64;

    /// <summary>Stacked recurrent layers (encoder and decoder each, for autoencoders).</summary>
    public int Layers { get; init; } = 1;

    /// <summary>Dropout between stacked layers while training (0 = none).</summary>
    public double Dropout { get; init; }

    /// <summary>Classes (classify).</summary>
    public int Classes { get; init; }

    /// <summary>Window length (autoencoder and classify graphs have a fixed time axis of this length).</summary>
    public int Window { get; init; } = 32;
}
