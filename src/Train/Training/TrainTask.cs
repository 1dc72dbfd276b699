namespace EdgeRnn.Train;

/// <summary>What a model learns.</summary>
public enum TrainTask
{
    /// <summary>Predict the next reading of every feature at every step (the streaming anomaly detector).</summary>
    Forecast,

    /// <summary>An LSTM encoder-decoder that reconstructs a window; the reconstruction error scores it.</summary>
    Autoencoder,

    /// <summary>A window to a class (softmax over the label column's classes).</summary>
    Classify,
}
