namespace EdgeRnn.Deployment.Metadata;

/// <summary>What a model does, as recorded in <c>edgernn.task</c>.</summary>
public enum ModelTask
{
    /// <summary>Predicts the next step of every feature; scored by forecast error (the streaming anomaly detector).</summary>
    Forecast,

    /// <summary>Reconstructs a window; scored by reconstruction error.</summary>
    Autoencoder,

    /// <summary>Maps a window (or token sequence) to class probabilities.</summary>
    Classify,
}
