using EdgeRnn.Train.Data;

namespace EdgeRnn.Train.Tests.Data;

public sealed class CsvRecordingReaderTests
{
    private static SensorRecording Read(string text, CsvReadOptions? options = null) =>
        CsvRecordingReader.Read(new StringReader(text), "s.csv", options);

    private static CsvFormatException Fails(string text, CsvReadOptions? options = null) =>
        Assert.Throws<CsvFormatException>(() => Read(text, options));

    [Fact]
    public void Read_NabLayout_ReadsTimestampsAndValues()
    {
        SensorRecording r = Read("timestamp,value\n2013-12-02 21:15:00,73.96\n2013-12-02 21:20:00,74.93\n");

        Assert.Equal(["value"], r.Features);
        Assert.Equal(2, r.Rows);
        Assert.Equal(300, r.Timestamps[1] - r.Timestamps[0]);
        Assert.Equal(74.93f, r.Values[1]);
        Assert.Equal(300, r.SamplePeriodSeconds);
    }

    [Fact]
    public void Read_IsoAndEpochTimestamps_AgreeOnTheInstant()
    {
        SensorRecording iso = Read("time,a\n2024-01-01T00:00:00Z,1\n2024-01-01T01:00:00.5+01:00,2\n2024-01-01T00:00:01Z,3\n", new CsvReadOptions());
        SensorRecording epoch = Read("time,a\n1704067200,1\n1704067200.5,2\n1704067201,3\n");

        Assert.Equal(1704067200, iso.Timestamps[0]);
        Assert.Equal(iso.Timestamps[0], epoch.Timestamps[0]);
        Assert.Equal(iso.Timestamps[2], epoch.Timestamps[2]);
    }

    [Fact]
    public void Read_FeaturesAndLabel_SelectsColumnsInGivenOrder()
    {
        SensorRecording r = Read("timestamp,a,b,c,label\n1,1,2,3,0\n2,4,5,6,1\n",
            new CsvReadOptions { Features = ["c", "a"], LabelColumn = "label" });

        Assert.Equal(["c", "a"], r.Features);
        Assert.Equal([3f, 1f, 6f, 4f], r.Values);
        Assert.Equal([0, 1], r.Labels!);
    }

    [Fact]
    public void Read_NonNumericValue_NamesFileLineAndColumn()
    {
        CsvFormatException e = Fails("timestamp,a,b\n1,1,2\n2,3,abc\n");

        Assert.Equal(3, e.Line);
        Assert.Equal(5, e.Column);
        Assert.StartsWith("s.csv:3:5:", e.Message, StringComparison.Ordinal);
        Assert.Contains("'abc'", e.Message, StringComparison.Ordinal);
        Assert.Contains("'b'", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("timestamp,a\n1,1\n2,1,5\n", 3, "expected 2 fields")]
    [InlineData("timestamp,a\n1,1\n2\n", 3, "expected 2 fields")]
    [InlineData("timestamp,a\n1,1\nyesterday,2\n", 3, "is not a timestamp")]
    [InlineData("timestamp,a\n1,1\n2,2\n2,3\n", 4, "duplicate timestamp")]
    [InlineData("timestamp,a\n5,1\n2,2\n", 3, "sorted by time")]
    [InlineData("timestamp,a\n1,1\n2,\n", 3, "missing value in column 'a'")]
    [InlineData("timestamp,a\n1,1\n2,inf\n", 3, "not a finite number")]
    [InlineData("", 1, "empty")]
    [InlineData("timestamp,a\n", 1, "no data rows")]
    public void Read_Malformed_ThrowsWithLine(string text, long line, string reason)
    {
        CsvFormatException e = Fails(text);

        Assert.Equal(line, e.Line);
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_UnknownFeature_ListsHeader()
    {
        CsvFormatException e = Fails("timestamp,a\n1,1\n", new CsvReadOptions { Features = ["zz"] });

        Assert.Contains("no feature column 'zz'; the header has: timestamp, a", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_MissingInterpolate_FillsLinearlyInTime()
    {
        SensorRecording r = Read("timestamp,a\n0,\n10,1\n20,NaN\n40,4\n50,\n", new CsvReadOptions { Missing = MissingValuePolicy.Interpolate });

        Assert.Equal([1f, 1f, 2f, 4f, 4f], r.Values);
    }

    [Fact]
    public void Read_MissingDrop_DropsRows()
    {
        SensorRecording r = Read("timestamp,a,b\n0,1,2\n10,,3\n20,4,5\n", new CsvReadOptions { Missing = MissingValuePolicy.Drop });

        Assert.Equal([0d, 20d], r.Timestamps);
    }

    [Fact]
    public void Read_NabMachineTemperature_RepeatedHourIsAnError_UnlessFileOrderIsKept()
    {
        string path = Path.Combine(TestPaths.NabData, "realKnownCause", "machine_temperature_system_failure.csv");

        CsvFormatException e = Assert.Throws<CsvFormatException>(() => CsvRecordingReader.Read(path));
        Assert.Equal(10151, e.Line);
        SensorRecording r = CsvRecordingReader.Read(path, new CsvReadOptions { KeepFileOrder = true });

        Assert.Equal(22695, r.Rows);
        Assert.Equal(300, r.SamplePeriodSeconds);
    }

    [Fact]
    public void Normalizer_FitsOnTrainingRowsOnly()
    {
        SensorRecording r = Read("timestamp,a\n1,1\n2,3\n3,1000\n");

        ZScoreNormalizer n = ZScoreNormalizer.Fit(r, rows: 2);

        Assert.Equal(2f, n.Mean[0]);
        Assert.Equal(1f, n.Std[0]);
        Assert.Equal([-1f, 1f, 998f], n.Transform(r));
    }

    [Fact]
    public void Windows_Forecast_TargetIsNextStep()
    {
        float[] data = [0, 1, 2, 3, 4, 5, 6];

        WindowSet w = WindowSet.Create(TrainTask.Forecast, data, null, features: 1, start: 1, rows: 6, sequenceLength: 3, stride: 2);

        Assert.Equal(2, w.Count);
        Assert.Equal([1f, 2f, 3f, 3f, 4f, 5f], w.Inputs);
        Assert.Equal([2f, 3f, 4f, 4f, 5f, 6f], w.Targets);
    }

    [Fact]
    public void Synthetic_SameSeed_SameRecordingWithEveryAnomalyKind()
    {
        (SensorRecording a, IReadOnlyList<AnomalyEvent> events) = SyntheticRecording.Generate(2000, 3, seed: 5);
        (SensorRecording b, _) = SyntheticRecording.Generate(2000, 3, seed: 5);

        Assert.Equal(a.Values, b.Values);
        Assert.Equal(5, events.Select(e => e.Kind).Distinct().Count());
        Assert.All(events, e => Assert.Equal((int)e.Kind, a.Labels![e.Start]));

        var text = new StringWriter();
        SyntheticRecording.WriteCsv(a, text);
        SensorRecording back = Read(text.ToString(), new CsvReadOptions { LabelColumn = "anomaly" });
        Assert.Equal(a.Values, back.Values);
        Assert.Equal(a.Labels, back.Labels);
    }
}
