namespace EdgeRnn.Train.Nab;

/// <summary>The Numenta Anomaly Benchmark's rules for online detectors (numenta/NAB nab/util.py, nab/detectors/base.py).</summary>
public static class NabRules
{
    /// <summary>The longest probationary period, in rows.</summary>
    public const int MaxProbationaryRows = 750;

    /// <summary>The share of a file's rows in its probationary period (capped at <see cref="MaxProbationaryRows"/>).</summary>
    public const double ProbationaryFraction = 0.15;

    /// <summary>
    /// The probationary period of a file of <paramref name="rows"/> rows: min(floor(0.15 x rows), 750). A detector may
    /// learn from these rows before any is scored; every later row must be scored before it is learned from.
    /// </summary>
    public static int ProbationaryRows(int rows)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        return Math.Min((int)Math.Floor(ProbationaryFraction * rows), MaxProbationaryRows);
    }
}
