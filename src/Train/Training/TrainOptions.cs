namespace EdgeRnn.Train.Training;

/// <summary>Training hyper-parameters (defaults suit small sensor models on a 2-core CPU).</summary>
public sealed record TrainOptions
{
    /// <summary>Maximum epochs.</summary>
    public int Epochs { get; init; } = 30;

    /// <summary>Windows per batch.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Steps per window.</summary>
    public int SequenceLength { get; init; } = 32;

    /// <summary>Rows between window starts.</summary>
    public int Stride { get; init; } = 1;

    /// <summary>The trailing fraction of rows held back for validation (time-ordered, no overlap).</summary>
    public double ValidationFraction { get; init; } = 0.2;

    /// <summary>AdamW learning rate.</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>AdamW decoupled weight decay.</summary>
    public double WeightDecay { get; init; } = 1e-4;

    /// <summary>Gradient-norm clipping threshold (0 = off).</summary>
    public double ClipNorm { get; init; } = 1.0;

    /// <summary>Epochs without validation improvement before stopping (the best weights are restored).</summary>
    public int Patience { get; init; } = 8;

    /// <summary>ReduceLROnPlateau: epochs without improvement before the learning rate is multiplied by <see cref="LrFactor"/>.</summary>
    public int LrPatience { get; init; } = 3;

    /// <summary>ReduceLROnPlateau factor.</summary>
    public double LrFactor { get; init; } = 0.5;

    /// <summary>Seed of weights, shuffling and dropout.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>
    /// Forecasters trained independently (member k with seed Seed x Ensemble + k) and averaged in one model (forecast
    /// task only, see <see cref="Models.SensorNet.Ensemble"/>); 1 = a single network, seeded with Seed.
    /// </summary>
    public int Ensemble { get; init; } = 1;

    /// <summary>torch intra-op threads.</summary>
    public int Threads { get; init; } = TorchRuntime.DefaultThreads;
}
