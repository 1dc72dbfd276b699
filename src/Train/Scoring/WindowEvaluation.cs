using System.Globalization;
using System.Text.Json;
using EdgeRnn.Train.Nab;

namespace EdgeRnn.Train.Scoring;

/// <summary>A labelled anomaly window, in seconds since 1970-01-01 UTC (inclusive bounds).</summary>
public sealed record LabelledWindow(double Start, double End);

/// <summary>How a detector did on one labelled window.</summary>
/// <param name="Window">The window.</param>
/// <param name="FirstDetection">The timestamp of the first row inside the window with an active anomaly, or null.</param>
public sealed record WindowResult(LabelledWindow Window, double? FirstDetection)
{
    /// <summary>Whether an anomaly was active anywhere in the window.</summary>
    public bool Detected => FirstDetection is not null;
}

/// <summary>Detections against labelled windows: per window, and the alarms that started outside every window.</summary>
public sealed record WindowReport(IReadOnlyList<WindowResult> Windows, IReadOnlyList<double> FalseAlarms)
{
    /// <summary>Windows with a detection.</summary>
    public int Detected => Windows.Count(w => w.Detected);

    /// <summary>The report as a table: one line per window, then the alarms outside windows.</summary>
    public string ToTable()
    {
        var text = new System.Text.StringBuilder();
        text.AppendLine("window  start             end               detected  first alarm       after start");
        for (int i = 0; i < Windows.Count; i++)
        {
            WindowResult w = Windows[i];
            string first = w.FirstDetection is { } f ? Format(f) : "-";
            string after = w.FirstDetection is { } g ? string.Create(CultureInfo.InvariantCulture, $"{(g - w.Window.Start) / 3600:F1} h") : "-";
            text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"{i + 1,-6}  {Format(w.Window.Start)}  {Format(w.Window.End)}  {(w.Detected ? "yes" : "NO"),-8}  {first,-16}  {after}"));
        }

        text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"detected {Detected} of {Windows.Count} windows; {FalseAlarms.Count} alarms started outside windows")
            + (FalseAlarms.Count == 0 ? "" : ": " + string.Join(", ", FalseAlarms.Take(20).Select(Format)) + (FalseAlarms.Count > 20 ? ", ..." : "")));
        return text.ToString();
    }

    /// <summary>A timestamp as <c>yyyy-MM-dd HH:mm</c> (UTC).</summary>
    public static string Format(double seconds) =>
        DateTimeOffset.UnixEpoch.AddSeconds(seconds).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
}

/// <summary>Reads NAB's <c>combined_windows.json</c> and evaluates detections against labelled windows.</summary>
public static class WindowEvaluation
{
    /// <summary>
    /// Reads the windows of <paramref name="dataFile"/> from a NAB windows file (keys <c>category/file.csv</c>; the key
    /// that <paramref name="dataFile"/>'s path ends with is used).
    /// </summary>
    /// <exception cref="InvalidDataException">The file is malformed or has no key for the data file.</exception>
    public static IReadOnlyList<LabelledWindow> ReadNabWindows(string windowsPath, string dataFile)
    {
        ArgumentException.ThrowIfNullOrEmpty(windowsPath);
        ArgumentException.ThrowIfNullOrEmpty(dataFile);
        NabWindows all = NabWindows.Load(windowsPath);
        string normalized = dataFile.Replace('\\', '/');
        string[] byPath = [.. all.Files.Where(k => normalized == k || normalized.EndsWith("/" + k, StringComparison.Ordinal))];
        string[] byName = [.. all.Files.Where(k => Path.GetFileName(k) == Path.GetFileName(normalized))];
        string key = byPath.Length == 1 ? byPath[0]
            : byName.Length == 1 ? byName[0]
            : throw new InvalidDataException($"{windowsPath} has no windows for {dataFile} (its keys are category/file.csv; the data path must end with one, or its file name must match exactly one key).");
        return [.. all.GetWindows(key).Select(w => new LabelledWindow(NabTimestamp.ToUnixSeconds(w.Start), NabTimestamp.ToUnixSeconds(w.End)))];
    }

    /// <summary>Evaluates per-row decisions: a window is detected when an anomaly is active at any row inside it; an alarm that starts outside every window is a false alarm.</summary>
    public static WindowReport Evaluate(double[] timestamps, bool[] active, IReadOnlyList<int> starts, IReadOnlyList<LabelledWindow> windows)
    {
        ArgumentNullException.ThrowIfNull(timestamps);
        ArgumentNullException.ThrowIfNull(active);
        ArgumentNullException.ThrowIfNull(starts);
        ArgumentNullException.ThrowIfNull(windows);
        var results = windows.Select(w =>
        {
            for (int t = 0; t < timestamps.Length; t++)
            {
                if (active[t] && timestamps[t] >= w.Start && timestamps[t] <= w.End)
                {
                    return new WindowResult(w, timestamps[t]);
                }
            }

            return new WindowResult(w, null);
        }).ToList();
        var falseAlarms = starts.Select(s => timestamps[s]).Where(ts => !windows.Any(w => ts >= w.Start && ts <= w.End)).ToList();
        return new WindowReport(results, falseAlarms);
    }
}
