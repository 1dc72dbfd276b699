using EdgeRnn.Runtime;

namespace EdgeRnn.Train.Models;

/// <summary>The shape of a <see cref="SensorNet"/>: everything needed to rebuild it from a checkpoint.</summary>
public sealed record ModelConfig
{
    /// <summary>The task.</summary>
    public TrainTask Task { get; init; } = TrainTask.Forecast;

    /// <summary>The recurrent cell.</summary>
    public RecurrentCellKind Cell { get; init; } = RecurrentCellKind.Lstm;

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

    /// <summary>Bidirectional recurrent layers (window tasks only: a reverse direction cannot stream).</summary>
    public bool Bidirectional { get; init; }

    /// <summary>Token vocabulary size: &gt; 0 makes the input a sequence of int64 token ids through an embedding layer (classify); 0 = float features.</summary>
    public int Vocabulary { get; init; }

    /// <summary>Embedding width of token models.</summary>
    public int EmbeddingDim { get; init; } = 16;

    /// <summary>Directions of every recurrent layer (1 or 2).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public int Directions => Bidirectional ? 2 : 1;

    /// <summary>True for token-id models (embedding input).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsTokenModel => Vocabulary > 0;

    /// <summary>Window length (autoencoder and classify graphs have a fixed time axis of this length).</summary>
    public int Window { get; init; } = 32;
}
