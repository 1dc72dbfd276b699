using System.Globalization;
using EdgeRnn.Train.Nab;

namespace EdgeRnn.Train.Tests.Nab;

/// <summary>The nab-sample folder: 13 NAB files, their windows, and three detectors' official results and scores.</summary>
internal static class NabSample
{
    public static readonly string[] Detectors = ["ARTime", "numenta", "windowedGaussian"];

    /// <summary>nab-sample's root (the parent of <see cref="TestPaths.NabData"/>).</summary>
    public static string Root { get; } = Path.GetFullPath(Path.Combine(TestPaths.NabData, ".."));

    public static string Results => Path.Combine(Root, "results");

    public static string Labels => Path.Combine(Root, "labels", "combined_windows.json");

    public static NabWindows Windows { get; } = NabWindows.Load(Labels);

    /// <summary>A detector's results file for <paramref name="file"/> (<c>category/file.csv</c>).</summary>
    public static string ResultsPath(string detector, string file)
    {
        string[] parts = file.Split('/');
        return Path.Combine(Results, detector, parts[0], detector + "_" + parts[1]);
    }

    public static NabScoringFile Read(string detector, string file) =>
        NabResultsFile.Read(ResultsPath(detector, file)).ToScoringFile(file, Windows.GetWindows(file));

    /// <summary>A detector's 13 files in ordinal order.</summary>
    public static IReadOnlyList<NabScoringFile> ReadAll(string detector) => [.. Windows.Files.Select(f => Read(detector, f))];

    /// <summary>The rows of results/official_scores.csv.</summary>
    public static IReadOnlyList<OfficialRow> OfficialRows()
    {
        string[] lines = File.ReadAllLines(Path.Combine(Results, "official_scores.csv"));
        Assert.Equal("Detector,Profile,File,Threshold,Score,TP,TN,FP,FN,Total_Count", lines[0]);
        return [.. lines.Skip(1).Where(l => l.Length > 0).Select(l =>
        {
            string[] f = l.Split(',');
            return new OfficialRow(f[0], f[1], f[2], Number(f[3]), Number(f[4]), Integer(f[5]), Integer(f[6]), Integer(f[7]), Integer(f[8]), Integer(f[9]));
        })];
    }

    /// <summary>official_config.json's thresholds by detector, then profile.</summary>
    public static IReadOnlyDictionary<string, double> OfficialThresholds(string detector)
    {
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(Results, "official_config.json")));
        return doc.RootElement.GetProperty("thresholds").GetProperty(detector).EnumerateObject()
            .ToDictionary(p => p.Name, p => p.Value.GetProperty("threshold").GetDouble(), StringComparer.Ordinal);
    }

    private static double Number(string text) => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);

    private static int Integer(string text) => int.Parse(text, NumberStyles.Integer, CultureInfo.InvariantCulture);
}

/// <summary>One row of NAB's scores CSV.</summary>
internal sealed record OfficialRow(string Detector, string Profile, string File, double Threshold, double Score, int TP, int TN, int FP, int FN, int TotalCount);
