using System.CommandLine;
using System.Text.Json;
using EdgeRnn.Deployment.Cli;
using EdgeRnn.Train.Commands;
using EdgeRnn.Train.Nab;

namespace EdgeRnn.Train.Tests.Nab;

/// <summary><c>edgernn nab score</c> on nab-sample's official results, through the worker and through real command lines.</summary>
public sealed class NabScorerCommandTests(Xunit.Abstractions.ITestOutputHelper output) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("edgernn-nab-cli-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static ToolResult Nab(params string[] args) => ToolRun.Run(Program.Run, args);

    [Fact]
    public void Run_SampleJson_ExitsZeroWithThreeScoresPerDetector()
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();

        int code = NabScoreWorker.Run(NabSample.Results, NabSample.Labels, null, json: true, stdout, stderr);

        Assert.True(code == 0, stderr.ToString());
        using JsonDocument doc = JsonDocument.Parse(stdout.ToString());
        JsonElement[] detectors = [.. doc.RootElement.GetProperty("detectors").EnumerateArray()];
        Assert.Equal(NabSample.Detectors, detectors.Select(d => d.GetProperty("detector").GetString()));
        foreach (JsonElement detector in detectors)
        {
            NabScoreReport expected = NabScoreReport.Create(detector.GetProperty("detector").GetString()!, NabSample.ReadAll(detector.GetProperty("detector").GetString()!));
            Assert.Equal(13, detector.GetProperty("files").GetInt32());
            Assert.Equal(12, detector.GetProperty("windows").GetInt32());
            JsonElement final = detector.GetProperty("finalScores");
            Assert.Equal(["standard", "reward_low_FP_rate", "reward_low_FN_rate"], final.EnumerateObject().Select(p => p.Name));
            foreach (NabProfileScore profile in expected.Profiles)
            {
                Assert.Equal(profile.NormalizedScore, final.GetProperty(profile.Profile.Name).GetDouble(), 12);
            }

            JsonElement standard = detector.GetProperty("profiles")[0];
            Assert.Equal("standard", standard.GetProperty("profile").GetString());
            Assert.Equal(13, standard.GetProperty("files").GetArrayLength());
            Assert.True(standard.GetProperty("thresholdOptimized").GetBoolean());
            Assert.Equal(3428, standard.GetProperty("files")[0].GetProperty("totalCount").GetInt32());
        }
    }

    [Fact]
    public void NabScore_CommandLineTable_PrintsRowsAndFinalScores()
    {
        (int code, string stdout, string stderr) = Nab("nab", "score", "--results", NabSample.Results, "--labels", NabSample.Labels, "--detector", "numenta,ARTime");

        output.WriteLine(stdout);
        Assert.True(code == 0, stderr);
        Assert.Contains("ARTime final scores: standard ", stdout, StringComparison.Ordinal);
        Assert.Contains("numenta final scores: standard ", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("windowedGaussian", stdout, StringComparison.Ordinal);
        Assert.Contains("realKnownCause/machine_temperature_system_failure.csv", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void NabScore_CommandLineJsonRepeatedDetector_ScoresThoseOnly()
    {
        (int code, string stdout, string stderr) = Nab("nab", "score", "--results", NabSample.Results, "--labels", NabSample.Labels, "--detector", "windowedGaussian", "--detector", "ARTime", "--json");

        Assert.True(code == 0, stderr);
        using JsonDocument doc = JsonDocument.Parse(stdout);
        Assert.Equal(["windowedGaussian", "ARTime"], doc.RootElement.GetProperty("detectors").EnumerateArray().Select(d => d.GetProperty("detector").GetString()));
    }

    [Fact]
    public void NabScore_Help_DocumentsEveryOptionAndExitCodes()
    {
        (int code, string stdout, _) = Nab("nab", "score", "--help");

        Assert.Equal(0, code);
        Assert.Contains("Exit codes: 0 = scored, 2 = bad input", stdout, StringComparison.Ordinal);
        foreach (string option in new[] { "--results", "--labels", "--detector", "--json" })
        {
            Assert.Contains(option, stdout, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void NabScore_MissingLabelsOption_ExitsTwo()
    {
        (int code, _, string stderr) = Nab("nab", "score", "--results", NabSample.Results);

        Assert.Equal(2, code);
        Assert.Contains("--labels", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_MissingLabelsFile_ExitsTwoNamingIt()
    {
        string labels = Path.Combine(_folder, "nope.json");
        var stderr = new StringWriter();

        int code = NabScoreWorker.Run(NabSample.Results, labels, null, json: false, TextWriter.Null, stderr);

        Assert.Equal(2, code);
        Assert.Contains(labels, stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Run_UnknownDetector_ExitsTwo()
    {
        var stderr = new StringWriter();

        int code = NabScoreWorker.Run(NabSample.Results, NabSample.Labels, ["nosuch"], json: false, TextWriter.Null, stderr);

        Assert.Equal(2, code);
        Assert.Contains("nosuch", stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Run_MalformedResultsRow_ExitsTwoNamingFileAndLine()
    {
        string folder = Path.Combine(_folder, "results", "mine", "artificialNoAnomaly");
        Directory.CreateDirectory(folder);
        string path = Path.Combine(folder, "mine_art_flatline.csv");
        File.WriteAllLines(path, ["timestamp,value,anomaly_score,label", "2014-04-01 00:00:00,1,0.5,0", "2014-04-01 00:05:00,1,,0"]);
        var stderr = new StringWriter();

        int code = NabScoreWorker.Run(Path.Combine(_folder, "results"), NabSample.Labels, null, json: true, TextWriter.Null, stderr);

        Assert.Equal(2, code);
        Assert.Contains(path + ":3: anomaly_score '' is not a finite number", stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Run_ResultsFileWithoutWindowsKey_ExitsTwoNamingIt()
    {
        string folder = Path.Combine(_folder, "results", "mine", "realUnknown");
        Directory.CreateDirectory(folder);
        string path = Path.Combine(folder, "mine_other.csv");
        File.WriteAllLines(path, ["timestamp,value,anomaly_score,label", "2014-04-01 00:00:00,1,0.5,0"]);
        var stderr = new StringWriter();

        int code = NabScoreWorker.Run(Path.Combine(_folder, "results"), NabSample.Labels, null, json: false, TextWriter.Null, stderr);

        Assert.Equal(2, code);
        Assert.Contains(path, stderr.ToString(), StringComparison.Ordinal);
        Assert.Contains("\"realUnknown/other.csv\"", stderr.ToString(), StringComparison.Ordinal);
    }
}
