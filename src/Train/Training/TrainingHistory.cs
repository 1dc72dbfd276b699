namespace EdgeRnn.Train.Training;

/// <summary>One epoch's record.</summary>
public sealed record EpochRecord(int Epoch, double TrainLoss, double ValidationLoss, double LearningRate, double Seconds);

/// <summary>The outcome of training.</summary>
public sealed record TrainingHistory
{
    /// <summary>Every epoch run.</summary>
    public List<EpochRecord> Epochs { get; init; } = [];

    /// <summary>The epoch whose weights were kept.</summary>
    public int BestEpoch { get; set; }

    /// <summary>The best validation loss.</summary>
    public double BestValidationLoss { get; set; } = double.PositiveInfinity;

    /// <summary>Whether early stopping ended training.</summary>
    public bool StoppedEarly { get; set; }

    /// <summary>Validation metrics of the kept weights (mse/mae; accuracy and per-class precision/recall/F1).</summary>
    public Dictionary<string, double> Metrics { get; init; } = [];

    /// <summary>An ensemble's members' own histories (their epochs, best epoch and metrics); empty for a single network.</summary>
    public List<TrainingHistory> Members { get; init; } = [];
}
