using System.Globalization;
using System.Text.Json;
using EdgeRnn.Deployment.Cli;

namespace EdgeRnn.Train.Nab;

/// <summary>
/// <c>edgernn nab score</c>: scores every detector of a NAB results folder
/// (<c>&lt;results&gt;/&lt;detector&gt;/&lt;category&gt;/&lt;detector&gt;_&lt;file&gt;.csv</c>) against NAB's windows as NAB's
/// optimize + score + normalize steps do, and prints the per-file rows and the normalized score per profile.
/// </summary>
public static class NabScoreWorker
{
    private static readonly JsonSerializerOptions s_indented = new() { WriteIndented = true };

    /// <summary>Runs the command.</summary>
    /// <param name="results">The results root holding one folder per detector.</param>
    /// <param name="labels">NAB's <c>labels/combined_windows.json</c>.</param>
    /// <param name="detectors">The detectors (folder names) to score; null or empty: every folder with results files.</param>
    /// <param name="json">Print JSON (snake_case keys) instead of tables.</param>
    /// <param name="stdout">Where the tables or JSON go.</param>
    /// <param name="stderr">Where errors and warnings go.</param>
    /// <returns><see cref="ToolExitCodes.Success"/> when scored, <see cref="ToolExitCodes.BadInput"/> for a missing or malformed folder, file or row.</returns>
    public static int Run(string results, string labels, IReadOnlyList<string>? detectors, bool json, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(results);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        var reports = new List<NabScoreReport>();
        try
        {
            if (!Directory.Exists(results))
            {
                throw new DirectoryNotFoundException($"{results}: no such results folder (expected <results>/<detector>/<category>/<detector>_<file>.csv).");
            }

            NabWindows windows = NabWindows.Load(labels);
            foreach (string detector in SelectDetectors(results, detectors, stderr))
            {
                IReadOnlyList<NabScoringFile> files = ReadDetector(results, detector, windows, stderr);
                reports.Add(NabScoreReport.Create(detector, files));
            }
        }
        catch (Exception e) when (e is NabFormatException or IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine("error: " + e.Message);
            return ToolExitCodes.BadInput;
        }

        if (json)
        {
            WriteJson(results, labels, reports, stdout);
        }
        else
        {
            WriteTables(reports, stdout);
        }

        return ToolExitCodes.Success;
    }

    /// <summary>Reads one detector's results files (ordinal order of category, then file) as files to score.</summary>
    /// <exception cref="NabFormatException">A malformed results file, or one without an entry in the windows file.</exception>
    public static IReadOnlyList<NabScoringFile> ReadDetector(string results, string detector, NabWindows windows, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(results);
        ArgumentNullException.ThrowIfNull(detector);
        ArgumentNullException.ThrowIfNull(windows);
        ArgumentNullException.ThrowIfNull(stderr);
        string root = Path.Combine(results, detector);
        string prefix = detector + "_";
        var files = new List<NabScoringFile>();
        foreach (string category in Directory.GetDirectories(root).Order(StringComparer.Ordinal))
        {
            foreach (string path in Directory.GetFiles(category, "*.csv").Order(StringComparer.Ordinal))
            {
                string fileName = Path.GetFileName(path);
                if (!fileName.StartsWith(prefix, StringComparison.Ordinal))
                {
                    stderr.WriteLine($"warning: ignoring {path}: a results file of {detector} is named {prefix}<file>.csv.");
                    continue;
                }

                string key = Path.GetFileName(category) + "/" + fileName[prefix.Length..];
                if (!windows.TryGetWindows(key, out IReadOnlyList<NabWindow>? fileWindows))
                {
                    throw new NabFormatException(path, $"the windows file {windows.Source} has no key \"{key}\" for it.");
                }

                files.Add(NabResultsFile.Read(path).ToScoringFile(key, fileWindows));
            }
        }

        if (files.Count == 0)
        {
            throw new NabFormatException(root, $"no results files (expected {root}/<category>/{prefix}<file>.csv).");
        }

        int missing = windows.Files.Count(f => !files.Any(s => s.Name == f));
        if (missing > 0)
        {
            stderr.WriteLine($"warning: {detector} has no results for {missing} of the {windows.Files.Count} files in {windows.Source}; its scores cover the {files.Count} files it has.");
        }

        return files;
    }

    private static List<string> SelectDetectors(string results, IReadOnlyList<string>? detectors, TextWriter stderr)
    {
        if (detectors is { Count: > 0 })
        {
            foreach (string detector in detectors)
            {
                if (string.IsNullOrWhiteSpace(detector) || detector.IndexOfAny(['/', '\\']) >= 0 || detector is "." or ".." || !Directory.Exists(Path.Combine(results, detector)))
                {
                    throw new DirectoryNotFoundException($"{Path.Combine(results, detector)}: no such detector folder in {results}.");
                }
            }

            return [.. detectors.Distinct(StringComparer.Ordinal)];
        }

        var found = new List<string>();
        foreach (string folder in Directory.GetDirectories(results).Order(StringComparer.Ordinal))
        {
            string name = Path.GetFileName(folder);
            if (name.StartsWith('.'))
            {
                continue; // work files (edgernn nab run keeps its per-file models in <out>/.work)
            }

            if (Directory.GetDirectories(folder).Any(c => Directory.EnumerateFiles(c, name + "_*.csv").Any()))
            {
                found.Add(name);
            }
            else
            {
                stderr.WriteLine($"warning: skipping {folder}: no <category>/{name}_<file>.csv results in it.");
            }
        }

        return found.Count > 0
            ? found
            : throw new NabFormatException(results, "no detector folders with results (expected <results>/<detector>/<category>/<detector>_<file>.csv).");
    }

    private static void WriteTables(List<NabScoreReport> reports, TextWriter stdout)
    {
        foreach (NabScoreReport report in reports)
        {
            stdout.WriteLine(Invariant($"{report.Detector}: {report.FileCount} files, {report.WindowCount} windows"));
            int width = Math.Max(4, report.Profiles[0].Files.Max(f => f.File.Length));
            stdout.WriteLine(Invariant($"{"profile",-20}  {"threshold",-12}  {"file".PadRight(width)}  {"score",12}  {"TP",6}  {"TN",7}  {"FP",6}  {"FN",6}  {"total",7}"));
            foreach (NabProfileScore profile in report.Profiles)
            {
                foreach (NabFileScore file in profile.Files)
                {
                    stdout.WriteLine(Invariant(
                        $"{profile.Profile.Name,-20}  {profile.Threshold,-12:G10}  {file.File.PadRight(width)}  {file.Score,12:F6}  {file.TruePositives,6}  {file.TrueNegatives,7}  {file.FalsePositives,6}  {file.FalseNegatives,6}  {file.ScoredRowCount,7}"));
                }
            }

            foreach (NabProfileScore profile in report.Profiles)
            {
                stdout.WriteLine(Invariant(
                    $"{profile.Profile.Name,-20}  threshold {profile.Threshold:G10} ({(profile.ThresholdOptimized ? "optimized" : "given")}), raw {profile.RawScore:F6}, null {profile.NullScore:F6}, perfect {profile.PerfectScore:F6}, normalized {FormatScore(profile.NormalizedScore)}"));
            }

            stdout.WriteLine(Invariant($"{report.Detector} final scores: ")
                + string.Join(", ", report.Profiles.Select(p => p.Profile.Name + " " + FormatScore(p.NormalizedScore))));
            stdout.WriteLine();
        }
    }

    private static void WriteJson(string results, string labels, List<NabScoreReport> reports, TextWriter stdout)
    {
        var document = new Dictionary<string, object?>
        {
            ["results"] = results,
            ["labels"] = labels,
            ["detectors"] = reports.Select(report => new Dictionary<string, object?>
            {
                ["detector"] = report.Detector,
                ["files"] = report.FileCount,
                ["windows"] = report.WindowCount,
                ["finalScores"] = report.Profiles.ToDictionary(p => p.Profile.Name, p => NumberOrNull(p.NormalizedScore), StringComparer.Ordinal),
                ["profiles"] = report.Profiles.Select(p => new Dictionary<string, object?>
                {
                    ["profile"] = p.Profile.Name,
                    ["threshold"] = p.Threshold,
                    ["thresholdOptimized"] = p.ThresholdOptimized,
                    ["rawScore"] = p.RawScore,
                    ["nullScore"] = p.NullScore,
                    ["perfectScore"] = p.PerfectScore,
                    ["normalizedScore"] = NumberOrNull(p.NormalizedScore),
                    ["tp"] = p.TruePositives,
                    ["tn"] = p.TrueNegatives,
                    ["fp"] = p.FalsePositives,
                    ["fn"] = p.FalseNegatives,
                    ["files"] = p.Files.Select(f => new Dictionary<string, object?>
                    {
                        ["file"] = f.File,
                        ["score"] = f.Score,
                        ["tp"] = f.TruePositives,
                        ["tn"] = f.TrueNegatives,
                        ["fp"] = f.FalsePositives,
                        ["fn"] = f.FalseNegatives,
                        ["totalCount"] = f.ScoredRowCount,
                        ["rows"] = f.RowCount,
                    }).ToArray(),
                }).ToArray(),
            }).ToArray(),
        };
        stdout.WriteLine(JsonSerializer.Serialize(document, s_indented));
    }

    private static double? NumberOrNull(double value) => double.IsFinite(value) ? value : null;

    private static string FormatScore(double value) => double.IsFinite(value) ? value.ToString("F2", CultureInfo.InvariantCulture) : "n/a (no windows)";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
