using EdgeRnn.Train.Nab;

namespace EdgeRnn.Train.Tests.Nab;

/// <summary>Malformed windows JSON and results CSV: clear errors that name the file (and the key or line).</summary>
public sealed class NabScorerInputTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("edgernn-nab-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Write(string name, string text)
    {
        string path = Path.Combine(_folder, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void Load_SampleWindows_ReadsEveryFile()
    {
        NabWindows windows = NabWindows.Load(NabSample.Labels);

        Assert.Equal(13, windows.Files.Count);
        Assert.Equal(12, windows.WindowCount);
        Assert.Equal(new NabWindow(new DateTime(2014, 4, 10, 7, 15, 0), new DateTime(2014, 4, 11, 16, 45, 0)),
            windows.GetWindows("artificialWithAnomaly/art_daily_flatmiddle.csv").Single());
    }

    [Theory]
    [InlineData("{\"a/b.csv\": [[\"2014-01-01 00:00:00.000000\"", "not valid JSON")]
    [InlineData("[]", "expected a JSON object")]
    [InlineData("{\"a/b.csv\": 5}", "key \"a/b.csv\": expected a list")]
    [InlineData("{\"a/b.csv\": [[\"2014-01-01 00:00:00.000000\"]]}", "key \"a/b.csv\", window 1: expected [start, end]")]
    [InlineData("{\"a/b.csv\": [[\"2014-01-01 00:00:00\", 7]]}", "key \"a/b.csv\", window 1: the end a number is not a timestamp")]
    [InlineData("{\"a/b.csv\": [[\"yesterday\", \"2014-01-01 00:00:00\"]]}", "key \"a/b.csv\", window 1: the start \"yesterday\" is not a timestamp")]
    [InlineData("{\"a/b.csv\": [[\"2014-01-02 00:00:00\", \"2014-01-01 00:00:00\"]]}", "key \"a/b.csv\", window 1: ends")]
    [InlineData("{\"a/b.csv\": [[\"2014-01-01 00:00:00\", \"2014-01-03 00:00:00\"], [\"2014-01-02 00:00:00\", \"2014-01-04 00:00:00\"]]}", "key \"a/b.csv\", window 2: starts")]
    [InlineData("{\"a/b.csv\": [], \"a/b.csv\": []}", "key \"a/b.csv\" appears twice")]
    public void Load_MalformedWindows_ThrowsNamingFileAndKey(string json, string reason)
    {
        string path = Write("combined_windows.json", json);

        var e = Assert.Throws<NabFormatException>(() => NabWindows.Load(path));

        Assert.StartsWith(path + ": ", e.Message, StringComparison.Ordinal);
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
        Assert.Equal(path, e.File);
    }

    [Fact]
    public void GetWindows_UnknownKey_ThrowsNamingFileAndKey()
    {
        NabWindows windows = NabWindows.Parse("{}", "labels.json");

        var e = Assert.Throws<NabFormatException>(() => windows.GetWindows("x/y.csv"));

        Assert.Contains("labels.json", e.Message, StringComparison.Ordinal);
        Assert.Contains("\"x/y.csv\"", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_ByHeaderName_ExtraColumnsAndOrderDoNotMatter()
    {
        string path = Write("r.csv", "label,S(t)_standard,anomaly_score,timestamp,value\r\n0,0.0,0.25,2014-01-01 00:00:00,3\r\n1,0.0,1.0,2014-01-01 00:05:00,4\r\n");

        NabResultsFile results = NabResultsFile.Read(path);

        Assert.Equal([0.25, 1.0], results.AnomalyScores);
        Assert.Equal([0, 1], results.Labels!);
        Assert.Equal(new DateTime(2014, 1, 1, 0, 5, 0), results.Timestamps[1]);
    }

    [Theory]
    [InlineData("timestamp,value,anomaly_score,label\n2014-01-01 00:00:00,1,0.5,0\n2014-01-01 00:05:00,1,high,0\n", 3, "anomaly_score 'high' is not a finite number")]
    [InlineData("timestamp,value,anomaly_score,label\n2014-01-01 00:00:00,1,NaN,0\n", 2, "anomaly_score 'NaN' is not a finite number")]
    [InlineData("timestamp,value,score,label\n2014-01-01 00:00:00,1,0.5,0\n", 1, "no 'anomaly_score' column")]
    [InlineData("timestamp,value,anomaly_score,label\n2014-01-01 00:00:00,1,0.5\n", 2, "3 fields, but the header has 4")]
    [InlineData("timestamp,value,anomaly_score,label\n01/02/2014 10:00,1,0.5,0\n", 2, "timestamp '01/02/2014 10:00' is not")]
    [InlineData("timestamp,value,anomaly_score,label\n2014-01-01 00:00:00,1,0.5,x\n", 2, "label 'x' is not an integer")]
    [InlineData("", 1, "empty file")]
    [InlineData("timestamp,value,anomaly_score,label\n", 1, "no data rows")]
    public void Read_MalformedResults_ThrowsWithFileAndLine(string csv, int line, string reason)
    {
        string path = Write("detector_file.csv", csv);

        var e = Assert.Throws<NabFormatException>(() => NabResultsFile.Read(path));

        Assert.StartsWith($"{path}:{line}: ", e.Message, StringComparison.Ordinal);
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
        Assert.Equal(line, e.Line);
    }

    [Fact]
    public void Read_OverlongLine_ThrowsWithoutReadingItAll()
    {
        string path = Write("detector_file.csv", "timestamp,value,anomaly_score,label\n2014-01-01 00:00:00,1,0.5,0\n" + new string('9', 10 * NabResultsFile.MaxLineLength) + "\n");

        var e = Assert.Throws<NabFormatException>(() => NabResultsFile.Read(path));

        Assert.StartsWith(path + ":3: line longer than", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToScoringFile_WindowNotInFile_ThrowsNamingResultsFileAndKey()
    {
        string path = Write("detector_file.csv", "timestamp,value,anomaly_score,label\n2014-01-01 00:00:00,1,0.5,0\n2014-01-01 00:05:00,1,0.5,0\n");
        NabResultsFile results = NabResultsFile.Read(path);

        var e = Assert.Throws<NabFormatException>(() => results.ToScoringFile("cat/file.csv", [new NabWindow(new DateTime(2014, 1, 1, 0, 1, 0), new DateTime(2014, 1, 1, 0, 5, 0))]));

        Assert.StartsWith(path + ": windows of \"cat/file.csv\": the start of window 1, 2014-01-01 00:01:00.000000, is not a timestamp of the file", e.Message, StringComparison.Ordinal);
    }
}
