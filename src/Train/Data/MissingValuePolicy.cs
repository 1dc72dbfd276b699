namespace EdgeRnn.Train.Data;

/// <summary>What the reader does with an empty or NaN feature value.</summary>
public enum MissingValuePolicy
{
    /// <summary>Stop with an error naming the file, line and column (the default).</summary>
    Error,

    /// <summary>Fill linearly in time between the neighbouring readings of the same feature (nearest reading at the ends).</summary>
    Interpolate,

    /// <summary>Drop the whole row.</summary>
    Drop,
}
