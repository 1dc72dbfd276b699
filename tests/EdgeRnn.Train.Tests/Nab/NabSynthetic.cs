using EdgeRnn.Train.Nab;

namespace EdgeRnn.Train.Tests.Nab;

/// <summary>Small hand-made NAB files: one row a minute from 2020-01-01, windows given by rows.</summary>
internal static class NabSynthetic
{
    private static readonly DateTime s_start = new(2020, 1, 1, 0, 0, 0, DateTimeKind.Unspecified);

    public static DateTime[] Timestamps(int rows) => [.. Enumerable.Range(0, rows).Select(i => s_start.AddMinutes(i))];

    /// <summary>A file of <paramref name="rows"/> rows scoring 0 except <paramref name="detections"/> (row, score), with windows (first row, last row).</summary>
    public static NabScoringFile File(string name, int rows, (int Start, int End)[] windows, params (int Row, double Score)[] detections)
    {
        DateTime[] timestamps = Timestamps(rows);
        double[] scores = new double[rows];
        foreach ((int row, double score) in detections)
        {
            scores[row] = score;
        }

        return new NabScoringFile(name, timestamps, scores, [.. windows.Select(w => new NabWindow(timestamps[w.Start], timestamps[w.End]))]);
    }

    /// <summary>NAB's weight of a first detection on row <paramref name="row"/> of a window (first row, last row).</summary>
    public static double TruePositive(int row, (int Start, int End) window, double tpWeight = 1.0) =>
        NabFileScorer.ScaledSigmoid(-(window.End - row + 1) / (double)(window.End - window.Start + 1)) * tpWeight / NabFileScorer.ScaledSigmoid(-1.0);

    /// <summary>NAB's cost of a detection on row <paramref name="row"/> after a window (first row, last row).</summary>
    public static double FalsePositiveAfter(int row, (int Start, int End) window, double fpWeight) =>
        NabFileScorer.ScaledSigmoid((row - window.End) / (double)(window.End - window.Start)) * fpWeight;
}
