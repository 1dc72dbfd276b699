namespace EdgeRnn.Train.Nab;

/// <summary>
/// The engine behind NAB's scorer (numenta/NAB <c>nab/sweeper.py</c>, MIT; reimplemented, not copied): the weighted
/// score each row would earn if it were a detection, and the threshold sweep over rows sorted by anomaly score.
/// Summation follows NAB's order (the false-positive sum accumulated in sweep order, then each window's part in the
/// order the windows first appear in the sweep), so equal candidates compare equal exactly as in NAB.
/// </summary>
internal static class NabSweep
{
    /// <summary>A scored (post-probation) row: its anomaly score, its weighted sweep score, and its window (-1 outside every window).</summary>
    internal readonly record struct Point(double AnomalyScore, double SweepScore, int Window);

    /// <summary>
    /// Each row's weighted score and window (-1 outside) for <paramref name="file"/>, probationary rows included:
    /// <list type="bullet">
    /// <item>inside a window of w rows whose last row is r, row i scores tpWeight x S(-(r - i + 1) / w) / S(-1);</item>
    /// <item>outside, after a window of w rows whose last row is r, row i scores fpWeight x S(|r - i| / (w - 1));</item>
    /// <item>outside, before every window, row i scores -fpWeight;</item>
    /// </list>
    /// with S the scaled sigmoid (<see cref="NabFileScorer.ScaledSigmoid"/>).
    /// </summary>
    public static void RowScores(NabScoringFile file, NabCostProfile profile, Span<double> sweepScores, Span<int> windows)
    {
        ReadOnlySpan<(int Start, int End)> windowRows = file.WindowRowSpans;
        double maxTruePositive = NabFileScorer.ScaledSigmoid(-1.0);
        int next = 0;
        int current = -1;
        int previous = -1;
        for (int i = 0; i < file.RowCount; i++)
        {
            if (next < windowRows.Length && i == windowRows[next].Start)
            {
                current = next++;
            }

            double score;
            if (current >= 0)
            {
                (int start, int end) = windowRows[current];
                double width = end - start + 1;
                double position = -(end - i + 1) / width;
                score = NabFileScorer.ScaledSigmoid(position) * profile.TruePositiveWeight / maxTruePositive;
            }
            else if (previous < 0)
            {
                score = -1.0 * profile.FalsePositiveWeight;
            }
            else
            {
                (int start, int end) = windowRows[previous];
                double position = Math.Abs(end - i) / (double)(end - start); // the window's width minus 1
                score = NabFileScorer.ScaledSigmoid(position) * profile.FalsePositiveWeight;
            }

            sweepScores[i] = score;
            windows[i] = current;
            if (current >= 0 && i == windowRows[current].End)
            {
                previous = current;
                current = -1;
            }
        }
    }

    /// <summary>Appends the rows after <paramref name="file"/>'s probationary period as sweep points, its windows numbered from <paramref name="windowOffset"/>.</summary>
    public static void AddPoints(NabScoringFile file, NabCostProfile profile, int windowOffset, List<Point> points)
    {
        double[] sweep = new double[file.RowCount];
        int[] windows = new int[file.RowCount];
        RowScores(file, profile, sweep, windows);
        ReadOnlySpan<double> scores = file.Scores;
        for (int i = file.ProbationaryRowCount; i < file.RowCount; i++)
        {
            points.Add(new Point(scores[i], sweep[i], windows[i] < 0 ? -1 : windows[i] + windowOffset));
        }
    }

    /// <summary>The points in sweep order: anomaly score descending, ties in their original order (Python's stable sort).</summary>
    public static int[] SweepOrder(List<Point> points)
    {
        int[] order = new int[points.Count];
        for (int i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        Array.Sort(order, (a, b) =>
        {
            int byScore = points[b].AnomalyScore.CompareTo(points[a].AnomalyScore);
            return byScore != 0 ? byScore : a.CompareTo(b);
        });
        return order;
    }

    /// <summary>
    /// NAB's <c>calcScoreByThreshold</c>: the candidate 1.1 (nothing detected), then one candidate per distinct anomaly
    /// score in descending order, each with every point at or above it detected.
    /// </summary>
    public static List<NabThresholdScore> Candidates(List<Point> points, int windowCount, NabCostProfile profile)
    {
        var candidates = new List<NabThresholdScore>();
        Run(points, windowCount, profile, stopBelow: double.NegativeInfinity, candidates);
        return candidates;
    }

    /// <summary>The score and counts with every point at or above <paramref name="threshold"/> detected.</summary>
    public static NabThresholdScore At(List<Point> points, int windowCount, NabCostProfile profile, double threshold) =>
        Run(points, windowCount, profile, threshold, candidates: null) with { Threshold = threshold };

    /// <summary>
    /// Sweeps the points in sweep order, recording a candidate each time the anomaly score changes (when
    /// <paramref name="candidates"/> is given), and stops before the first point below <paramref name="stopBelow"/>.
    /// Returns the state at the stop: the last candidate's threshold and the counts and score so far.
    /// </summary>
    private static NabThresholdScore Run(List<Point> points, int windowCount, NabCostProfile profile, double stopBelow, List<NabThresholdScore>? candidates)
    {
        int[] order = SweepOrder(points);

        // Window parts start at -fnWeight (a missed window), in the order the windows first appear in the sweep.
        int[] slotOfWindow = new int[windowCount];
        Array.Fill(slotOfWindow, -1);
        var parts = new List<double>();
        int inside = 0;
        foreach (int p in order)
        {
            int window = points[p].Window;
            if (window >= 0)
            {
                inside++;
                if (slotOfWindow[window] < 0)
                {
                    slotOfWindow[window] = parts.Count;
                    parts.Add(-profile.FalseNegativeWeight);
                }
            }
        }

        int tp = 0;
        int fp = 0;
        int fn = inside;
        int tn = points.Count - inside;
        double falsePositiveSum = 0;
        double threshold = NabThresholdOptimizer.InitialThreshold;
        foreach (int p in order)
        {
            Point point = points[p];
            if (point.AnomalyScore < stopBelow)
            {
                break;
            }

            if (point.AnomalyScore != threshold)
            {
                candidates?.Add(new NabThresholdScore(threshold, Total(falsePositiveSum, parts), tp, tn, fp, fn));
                threshold = point.AnomalyScore;
            }

            if (point.Window >= 0)
            {
                tp++;
                fn--;
                int slot = slotOfWindow[point.Window];
                parts[slot] = Math.Max(parts[slot], point.SweepScore);
            }
            else
            {
                fp++;
                tn--;
                falsePositiveSum += point.SweepScore;
            }
        }

        var last = new NabThresholdScore(threshold, Total(falsePositiveSum, parts), tp, tn, fp, fn);
        candidates?.Add(last);
        return last;
    }

    private static double Total(double falsePositiveSum, List<double> parts)
    {
        double total = falsePositiveSum;
        foreach (double part in parts)
        {
            total += part;
        }

        return total;
    }
}
