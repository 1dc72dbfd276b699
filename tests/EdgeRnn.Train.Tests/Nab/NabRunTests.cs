using System.Globalization;
using System.Text.Json;
using EdgeRnn.Train.Nab;

namespace EdgeRnn.Train.Tests.Nab;

/// <summary>
/// <c>edgernn nab run</c> as a user runs it: NAB's layout, the rows and labels of each file, NAB's scorer at the end,
/// a rerun that skips finished files, and no look-ahead (a row's score does not depend on any later row).
/// </summary>
public sealed class NabRunTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("edgernn-nabrun-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Run_TwoSampleFiles_WritesNabLayoutScoresAndSkipsOnRerun()
    {
        string data = CopySample("artificialWithAnomaly/art_daily_jumpsup.csv", "artificialNoAnomaly/art_noisy.csv");
        string output = Path.Combine(_folder, "results");

        (int code, string stdout, string stderr) = Edgernn("nab", "run", "--data", data, "--labels", NabSample.Labels, "--out", output, "--json");

        Assert.True(code == 0, stderr);
        using (JsonDocument doc = JsonDocument.Parse(stdout))
        {
            JsonElement final = doc.RootElement.GetProperty("score").GetProperty("detectors")[0].GetProperty("finalScores");
            foreach (string profile in new[] { "standard", "reward_low_FP_rate", "reward_low_FN_rate" })
            {
                Assert.InRange(final.GetProperty(profile).GetDouble(), -1000, 100);
            }
        }

        foreach (string key in new[] { "artificialWithAnomaly/art_daily_jumpsup.csv", "artificialNoAnomaly/art_noisy.csv" })
        {
            string[] source = File.ReadAllLines(Path.Combine(data, key));
            string results = Path.Combine(output, "edgernn", Path.GetDirectoryName(key)!, "edgernn_" + Path.GetFileName(key));
            string[] lines = File.ReadAllLines(results);
            Assert.Equal("timestamp,value,anomaly_score,label", lines[0]);
            Assert.Equal(source.Length, lines.Length);
            IReadOnlyList<NabWindow> windows = NabSample.Windows.GetWindows(key);
            for (int i = 1; i < lines.Length; i++)
            {
                string[] cells = lines[i].Split(',');
                Assert.Equal(source[i], cells[0] + "," + cells[1]);
                double score = double.Parse(cells[2], CultureInfo.InvariantCulture);
                Assert.InRange(score, 0, 1);
                DateTime t = DateTime.ParseExact(cells[0], "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
                Assert.Equal(windows.Any(w => t >= w.Start && t <= w.End) ? "1" : "0", cells[3]);
            }
        }

        string first = File.ReadAllText(Path.Combine(output, "edgernn", "artificialWithAnomaly", "edgernn_art_daily_jumpsup.csv"));
        (code, string again, stderr) = Edgernn("nab", "run", "--data", data, "--labels", NabSample.Labels, "--out", output);
        Assert.True(code == 0, stderr);
        Assert.Equal(2, stderr.Split('\n').Count(l => l.Contains("already done (skipped)", StringComparison.Ordinal)));
        Assert.Contains("final scores", again, StringComparison.Ordinal);
        Assert.Equal(first, File.ReadAllText(Path.Combine(output, "edgernn", "artificialWithAnomaly", "edgernn_art_daily_jumpsup.csv")));
    }

    [Fact]
    public void Run_FileCutShort_ScoresEveryKeptRowIdentically()
    {
        // Both files are long enough (>= 5,000 rows) for the same 750-row probationary period, so the detector learns
        // from the same rows; every kept row must then score exactly the same: nothing after a row reaches its score.
        const string Key = "realKnownCause/machine_temperature_system_failure.csv";
        string[] lines = File.ReadAllLines(Path.Combine(NabSample.Root, "data", Key));
        string full = Path.Combine(_folder, "full");
        string cut = Path.Combine(_folder, "cut");
        Directory.CreateDirectory(Path.Combine(full, "realKnownCause"));
        Directory.CreateDirectory(Path.Combine(cut, "realKnownCause"));
        File.WriteAllLines(Path.Combine(full, Key), lines);
        File.WriteAllLines(Path.Combine(cut, Key), lines[..6001]);
        Assert.Equal(750, NabRules.ProbationaryRows(6000));

        // NAB's scorer wants every window inside the file: both runs get the windows that end before the cut.
        DateTime last = DateTime.ParseExact(lines[6000].Split(',')[0], "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
        string labels = Path.Combine(_folder, "windows.json");
        File.WriteAllText(labels, JsonSerializer.Serialize(new Dictionary<string, string[][]>
        {
            [Key] = [.. NabSample.Windows.GetWindows(Key).Where(w => w.End <= last).Select(w => new[] { NabTimestamp.Format(w.Start), NabTimestamp.Format(w.End) })],
        }));

        (int code, _, string stderr) = Edgernn("nab", "run", "--data", full, "--labels", labels, "--out", Path.Combine(_folder, "out-full"));
        Assert.True(code == 0, stderr);
        (code, _, stderr) = Edgernn("nab", "run", "--data", cut, "--labels", labels, "--out", Path.Combine(_folder, "out-cut"));
        Assert.True(code == 0, stderr);

        string[] a = File.ReadAllLines(Path.Combine(_folder, "out-full", "edgernn", "realKnownCause", "edgernn_machine_temperature_system_failure.csv"));
        string[] b = File.ReadAllLines(Path.Combine(_folder, "out-cut", "edgernn", "realKnownCause", "edgernn_machine_temperature_system_failure.csv"));
        Assert.Equal(6001, b.Length);
        Assert.Equal(b, a[..6001]);
    }

    [Fact]
    public void Run_DataFolderMissing_ExitsTwoNamingIt()
    {
        (int code, _, string stderr) = Edgernn("nab", "run", "--data", Path.Combine(_folder, "nope"), "--labels", NabSample.Labels, "--out", _folder);

        Assert.Equal(2, code);
        Assert.Contains("nope", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_FileWithoutWindows_ExitsTwoNamingIt()
    {
        string data = Path.Combine(_folder, "data");
        Directory.CreateDirectory(Path.Combine(data, "mine"));
        File.Copy(Path.Combine(NabSample.Root, "data", "artificialNoAnomaly", "art_noisy.csv"), Path.Combine(data, "mine", "sensor.csv"));

        (int code, _, string stderr) = Edgernn("nab", "run", "--data", data, "--labels", NabSample.Labels, "--out", Path.Combine(_folder, "out"));

        Assert.Equal(2, code);
        Assert.Contains("mine/sensor.csv", stderr, StringComparison.Ordinal);
    }

    private string CopySample(params string[] keys)
    {
        string data = Path.Combine(_folder, "data");
        foreach (string key in keys)
        {
            string target = Path.Combine(data, key);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(Path.Combine(NabSample.Root, "data", key), target);
        }

        return data;
    }

    private static ToolResult Edgernn(params string[] args) => ToolRun.Run(Program.Run, args);
}
