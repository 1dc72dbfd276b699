namespace EdgeRnn.Train.Nab;

/// <summary>
/// One data file as NAB's scorer sees it, in memory: its name (<c>category/file.csv</c>), each row's timestamp and
/// anomaly score, and its labelled windows resolved to rows. Build one from a results file
/// (<see cref="NabResultsFile.ToScoringFile"/>) or straight from a detector's output, then score it with
/// <see cref="NabFileScorer"/>, <see cref="NabThresholdOptimizer"/> or <see cref="NabScoreReport"/>.
/// </summary>
public sealed class NabScoringFile
{
    private readonly double[] _scores;
    private readonly (int Start, int End)[] _windowRows;

    /// <summary>Creates the file from its rows and its windows.</summary>
    /// <param name="name">The data set's name, <c>category/file.csv</c> for NAB's corpus; it names the rows of a report.</param>
    /// <param name="timestamps">Each row's timestamp, in file order (NAB uses the data file's timestamps).</param>
    /// <param name="anomalyScores">Each row's anomaly score (NAB's contract: in [0, 1]); finite.</param>
    /// <param name="windows">The file's labelled windows in time order; each bound must be the timestamp of exactly one row.</param>
    /// <exception cref="ArgumentException">The lengths differ, or a score is NaN or infinite.</exception>
    /// <exception cref="NabFormatException">A window bound is not the timestamp of exactly one row, or the windows are out of order or overlap.</exception>
    public NabScoringFile(string name, IReadOnlyList<DateTime> timestamps, IReadOnlyList<double> anomalyScores, IReadOnlyList<NabWindow> windows)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(timestamps);
        ArgumentNullException.ThrowIfNull(anomalyScores);
        ArgumentNullException.ThrowIfNull(windows);
        if (timestamps.Count != anomalyScores.Count)
        {
            throw new ArgumentException($"{name}: {timestamps.Count} timestamps but {anomalyScores.Count} anomaly scores.", nameof(anomalyScores));
        }

        _scores = new double[anomalyScores.Count];
        for (int i = 0; i < _scores.Length; i++)
        {
            double score = anomalyScores[i];
            if (!double.IsFinite(score))
            {
                throw new ArgumentException($"{name}: the anomaly score of row {i} is {score}; NAB scores must be finite.", nameof(anomalyScores));
            }

            _scores[i] = score;
        }

        Name = name;
        Windows = [.. windows];
        _windowRows = ResolveWindows(name, timestamps, Windows);
        ProbationaryRowCount = NabRules.ProbationaryRows(_scores.Length);
    }

    /// <summary>The data set's name (<c>category/file.csv</c>).</summary>
    public string Name { get; }

    /// <summary>The number of rows.</summary>
    public int RowCount => _scores.Length;

    /// <summary>Each row's anomaly score.</summary>
    public IReadOnlyList<double> AnomalyScores => _scores;

    /// <summary>The labelled windows, in time order.</summary>
    public IReadOnlyList<NabWindow> Windows { get; }

    /// <summary>The leading rows NAB does not score: min(floor(0.15 x rows), 750).</summary>
    public int ProbationaryRowCount { get; }

    /// <summary>The first and last row (0-based, inclusive) of window <paramref name="index"/>.</summary>
    public (int Start, int End) WindowRows(int index) => _windowRows[index];

    internal ReadOnlySpan<double> Scores => _scores;

    internal ReadOnlySpan<(int Start, int End)> WindowRowSpans => _windowRows;

    /// <summary>
    /// Creates the file from per-row labels instead of windows: every maximal run of rows labelled non-zero becomes
    /// one window. Two windows that touch (one ends on the row before the next starts) become one this way; use the
    /// constructor with NAB's windows to score such files exactly.
    /// </summary>
    /// <exception cref="ArgumentException">The lengths differ, or a score is NaN or infinite.</exception>
    /// <exception cref="NabFormatException">A run starts or ends on a timestamp that more than one row has.</exception>
    public static NabScoringFile FromRowLabels(string name, IReadOnlyList<DateTime> timestamps, IReadOnlyList<double> anomalyScores, IReadOnlyList<int> labels)
    {
        ArgumentNullException.ThrowIfNull(timestamps);
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.Count != timestamps.Count)
        {
            throw new ArgumentException($"{name}: {timestamps.Count} timestamps but {labels.Count} labels.", nameof(labels));
        }

        var windows = new List<NabWindow>();
        for (int i = 0; i < labels.Count; i++)
        {
            if (labels[i] == 0)
            {
                continue;
            }

            int start = i;
            while (i + 1 < labels.Count && labels[i + 1] != 0)
            {
                i++;
            }

            windows.Add(new NabWindow(timestamps[start], timestamps[i]));
        }

        return new NabScoringFile(name, timestamps, anomalyScores, windows);
    }

    /// <summary>
    /// NAB's labeler requires each window bound to match exactly one row's timestamp, and its sweep walks the windows
    /// in order by row: a window starts at the row of its start timestamp and ends at the row of its end timestamp.
    /// </summary>
    private static (int Start, int End)[] ResolveWindows(string name, IReadOnlyList<DateTime> timestamps, IReadOnlyList<NabWindow> windows)
    {
        var rows = new (int Start, int End)[windows.Count];
        if (windows.Count == 0)
        {
            return rows;
        }

        var bounds = new Dictionary<DateTime, int>();
        foreach (NabWindow window in windows)
        {
            bounds[window.Start] = -1;
            bounds[window.End] = -1;
        }

        for (int i = 0; i < timestamps.Count; i++)
        {
            if (bounds.TryGetValue(timestamps[i], out int row))
            {
                bounds[timestamps[i]] = row == -1 ? i : -2;
            }
        }

        for (int k = 0; k < windows.Count; k++)
        {
            int start = RowOf(name, bounds, windows[k].Start, k, "start");
            int end = RowOf(name, bounds, windows[k].End, k, "end");
            if (end < start)
            {
                throw new NabFormatException(name, $"window {k + 1} ({NabTimestamp.Format(windows[k].Start)} to {NabTimestamp.Format(windows[k].End)}) ends on row {end + 1}, before it starts on row {start + 1}.");
            }

            if (k > 0 && start <= rows[k - 1].End)
            {
                throw new NabFormatException(name, $"window {k + 1} starts on row {start + 1}, not after window {k} ends (row {rows[k - 1].End + 1}); windows must be in time order and must not overlap.");
            }

            rows[k] = (start, end);
        }

        return rows;
    }

    private static int RowOf(string name, Dictionary<DateTime, int> bounds, DateTime time, int window, string which) => bounds[time] switch
    {
        -1 => throw new NabFormatException(name, $"the {which} of window {window + 1}, {NabTimestamp.Format(time)}, is not a timestamp of the file (NAB requires window bounds to match row timestamps exactly)."),
        -2 => throw new NabFormatException(name, $"the {which} of window {window + 1}, {NabTimestamp.Format(time)}, is the timestamp of more than one row (NAB requires it to match exactly one)."),
        int row => row,
    };
}
