namespace EdgeRnn.Train.Data;

/// <summary>
/// Training examples cut from a normalized recording: windows of <see cref="SequenceLength"/> consecutive rows every
/// <see cref="Stride"/> rows. Inputs are [count, seq, features]; for forecasting the target is the same window one
/// step later (the next reading at every step), for autoencoders the window itself, for classification the label of
/// the window's last row.
/// </summary>
public sealed class WindowSet
{
    private WindowSet(float[] inputs, float[] targets, long[] labels, int count, int sequenceLength, int features, int targetLength, int stride, long[]? tokens = null)
    {
        Tokens = tokens;
        Inputs = inputs;
        Targets = targets;
        Labels = labels;
        Count = count;
        SequenceLength = sequenceLength;
        Features = features;
        TargetLength = targetLength;
        Stride = stride;
    }

    /// <summary>Row-major inputs [Count, SequenceLength, Features].</summary>
    public float[] Inputs { get; }

    /// <summary>Token ids [Count, SequenceLength] of a token classification set (then <see cref="Inputs"/> is empty), else null.</summary>
    public long[]? Tokens { get; }

    /// <summary>Row-major targets [Count, TargetLength, Features] (empty for classification).</summary>
    public float[] Targets { get; }

    /// <summary>Class labels [Count] (classification; empty otherwise).</summary>
    public long[] Labels { get; }

    /// <summary>Windows.</summary>
    public int Count { get; }

    /// <summary>Steps per window.</summary>
    public int SequenceLength { get; }

    /// <summary>Steps per target window.</summary>
    public int TargetLength { get; }

    /// <summary>Features per step.</summary>
    public int Features { get; }

    /// <summary>Rows between window starts.</summary>
    public int Stride { get; }

    /// <summary>
    /// Cuts windows from rows [<paramref name="start"/>, <paramref name="start"/> + <paramref name="rows"/>) of
    /// <paramref name="normalized"/> (row-major, <paramref name="features"/> per row). Windows never reach outside
    /// that range, so a train part and a validation part share no rows.
    /// </summary>
    public static WindowSet Create(TrainTask task, float[] normalized, int[]? labels, int features, int start, int rows, int sequenceLength, int stride)
    {
        ArgumentNullException.ThrowIfNull(normalized);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(features);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sequenceLength);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stride);
        if (task == TrainTask.Classify && labels is null)
        {
            throw new ArgumentException("Classification needs a label column (--label).", nameof(labels));
        }

        int span = task == TrainTask.Forecast ? sequenceLength + 1 : sequenceLength;
        int count = rows < span ? 0 : ((rows - span) / stride) + 1;
        int targetLength = task == TrainTask.Classify ? 0 : sequenceLength;
        var inputs = new float[count * sequenceLength * features];
        var targets = new float[count * targetLength * features];
        var classes = new long[task == TrainTask.Classify ? count : 0];
        int block = sequenceLength * features;
        for (int w = 0; w < count; w++)
        {
            int row = start + (w * stride);
            normalized.AsSpan(row * features, block).CopyTo(inputs.AsSpan(w * block));
            switch (task)
            {
                case TrainTask.Forecast:
                    normalized.AsSpan((row + 1) * features, block).CopyTo(targets.AsSpan(w * block));
                    break;
                case TrainTask.Autoencoder:
                    normalized.AsSpan(row * features, block).CopyTo(targets.AsSpan(w * block));
                    break;
                default:
                    classes[w] = labels![row + sequenceLength - 1];
                    break;
            }
        }

        return new WindowSet(inputs, targets, classes, count, sequenceLength, features, targetLength, stride);
    }

    /// <summary>A classification set of token-id sequences: <paramref name="ids"/> is [count, sequenceLength] row-major, one label per sequence.</summary>
    public static WindowSet FromTokens(long[] ids, long[] labels, int sequenceLength)
    {
        ArgumentNullException.ThrowIfNull(ids);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sequenceLength);
        if (ids.Length != labels.Length * sequenceLength)
        {
            throw new ArgumentException($"{ids.Length} ids are not {labels.Length} sequences of {sequenceLength}.", nameof(ids));
        }

        return new WindowSet([], [], labels, labels.Length, sequenceLength, 1, 0, sequenceLength, ids);
    }
}
