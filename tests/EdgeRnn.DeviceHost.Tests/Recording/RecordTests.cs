using System.Globalization;
using System.Text.Json.Nodes;
using EdgeRnn.Deployment.Metadata;
using EdgeRnn.DeviceHost.Loop;
using EdgeRnn.DeviceHost.Recording;
using EdgeRnn.DeviceHost.Tests.Reliability;
using EdgeRnn.DeviceHost.Tests.Simulation;

namespace EdgeRnn.DeviceHost.Tests.Recording;

/// <summary>
/// <c>record</c> on the simulated chips (datasheet register maps): the CSV it writes, rotation, missing samples, and
/// that nothing already written is lost or overwritten.
/// </summary>
public sealed class RecordTests
{
    /// <summary>devices/pi-bme280.json, sampling every 10 ms (record does not load the model).</summary>
    private static string Bme280Profile(TempFolder temp, double period = 0.01)
    {
        JsonObject p = JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.Devices, "pi-bme280.json")))!.AsObject();
        p["model"] = Path.Combine(RepoPaths.Devices, p["model"]!.GetValue<string>());
        p["samplePeriodSeconds"] = period;
        p["outputs"] = new JsonObject { ["console"] = "off" };
        p.Remove("state");
        string path = temp.File("pi-bme280.json");
        File.WriteAllText(path, p.ToJsonString());
        return path;
    }

    private static DeviceEnvironment Chips(Func<int, SimulatedBme280>? chip = null) => new()
    {
        OpenI2c = (bus, address) => chip?.Invoke(address) ?? new SimulatedBme280(address),
        Sleep = _ => { },
    };

    [Fact]
    public void Record_SimulatedBme280_WritesTheCsvTrainReads()
    {
        using var temp = new TempFolder();
        string profile = Bme280Profile(temp);
        string csv = temp.File("bme.csv");
        ToolResult r = DeviceHarness.Device(Chips(), "record", "--profile", profile, "--out", csv, "--rows", "30");
        Assert.True(r.Code == 0, r.Err);
        Assert.Contains("recorded 30 rows (0 with missing values) in 1 file(s): " + csv, r.Err, StringComparison.Ordinal);

        string[] lines = File.ReadAllLines(csv);
        Assert.Equal("timestamp,temperature,pressure,humidity", lines[0]);
        Assert.Equal(31, lines.Length);
        double previous = double.NegativeInfinity;
        foreach (string line in lines.Skip(1))
        {
            string[] cells = line.Split(',');
            Assert.Equal(4, cells.Length);
            Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}$", cells[0]);
            Assert.True(TimeFeatures.TryParseTimestamp(cells[0], out double t));
            Assert.True(t > previous, $"timestamps must increase: {line}");
            previous = t;

            // The datasheet's compensation example: 25.08 degC, 100653.27 Pa (in the profile's hPa).
            Assert.Equal(25.08, double.Parse(cells[1], CultureInfo.InvariantCulture), 2);
            Assert.Equal(1006.5327, double.Parse(cells[2], CultureInfo.InvariantCulture), 2);
            Assert.InRange(double.Parse(cells[3], CultureInfo.InvariantCulture), 0, 100);
        }

        Assert.Empty(Directory.GetFiles(temp.Path, ".*"));
    }

    [Fact]
    public void Record_RotateRows_WritesCompleteNumberedParts()
    {
        using var temp = new TempFolder();
        string profile = Bme280Profile(temp, period: 0.001);
        string csv = temp.File("bme.csv");
        ToolResult r = DeviceHarness.Device(Chips(), "record", "--profile", profile, "--out", csv, "--rows", "25", "--rotate-rows", "10");
        Assert.True(r.Code == 0, r.Err);
        string[] parts = [csv, temp.File("bme.2.csv"), temp.File("bme.3.csv")];
        Assert.Contains($"in 3 file(s): {string.Join(", ", parts)}", r.Err, StringComparison.Ordinal);
        int[] rows = [.. parts.Select(p => File.ReadAllLines(p).Length - 1)];
        Assert.Equal([10, 10, 5], rows);
        Assert.All(parts, p => Assert.Equal("timestamp,temperature,pressure,humidity", File.ReadLines(p).First()));
    }

    [Fact]
    public void Record_ChipUnplugged_LeavesEmptyCellsAndSaysHowToTrain()
    {
        using var temp = new TempFolder();
        string profile = Bme280Profile(temp, period: 0.001);
        string csv = temp.File("unplugged.csv");
        ToolResult r = DeviceHarness.Device(Chips(a => new SimulatedBme280(a) { Unplugged = true }),
            "record", "--profile", profile, "--out", csv, "--rows", "5");
        Assert.True(r.Code == 0, r.Err);
        Assert.Contains("recorded 5 rows (5 with missing values)", r.Err, StringComparison.Ordinal);
        Assert.Contains("--missing interpolate", r.Err, StringComparison.Ordinal);
        Assert.Contains("env: 5 samples", r.Err, StringComparison.Ordinal);
        Assert.All(File.ReadAllLines(csv).Skip(1), l => Assert.Matches(@"^[0-9T:.-]+,,,$", l));
    }

    [Fact]
    public void Record_OutExists_Exit2AndTheFileIsUntouched()
    {
        using var temp = new TempFolder();
        string profile = Bme280Profile(temp);
        string csv = temp.File("bme.csv");
        File.WriteAllText(csv, "precious\n");
        ToolResult r = DeviceHarness.Device(Chips(), "record", "--profile", profile, "--out", csv, "--rows", "3");
        Assert.Equal(2, r.Code);
        Assert.Contains("bme.csv exists; record never overwrites a recording", r.Err, StringComparison.Ordinal);
        Assert.Equal("precious\n", File.ReadAllText(csv));

        File.WriteAllText(RotatingCsvWriter.TemporaryPath(temp.File("other.csv")), "timestamp,temperature\n");
        r = DeviceHarness.Device(Chips(), "record", "--profile", profile, "--out", temp.File("other.csv"), "--rows", "3");
        Assert.Equal(2, r.Code);
        Assert.Contains("unfinished part of an earlier recording that was killed", r.Err, StringComparison.Ordinal);

        // A later part, finished or not, counts too: a new recording would reach it at its third rotation.
        string third = RotatingCsvWriter.TemporaryPath(RotatingCsvWriter.PartPath(temp.File("third.csv"), 3));
        File.WriteAllText(third, "timestamp,temperature\nkept\n");
        r = DeviceHarness.Device(Chips(), "record", "--profile", profile, "--out", temp.File("third.csv"), "--rows", "3");
        Assert.Equal(2, r.Code);
        Assert.Contains(".third.3.csv.recording is an unfinished part", r.Err, StringComparison.Ordinal);
        Assert.Equal("timestamp,temperature\nkept\n", File.ReadAllText(third));
        File.WriteAllText(temp.File("fourth.12.csv"), "x\n");
        r = DeviceHarness.Device(Chips(), "record", "--profile", profile, "--out", temp.File("fourth.csv"), "--rows", "3");
        Assert.Equal(2, r.Code);
        Assert.Contains("fourth.12.csv exists", r.Err, StringComparison.Ordinal);
        Assert.Equal(0, DeviceHarness.Device(Chips(), "record", "--profile", profile, "--out", temp.File("fourth.x.csv"), "--rows", "3").Code);
    }

    [Theory]
    [InlineData("--duration", "soon")]
    [InlineData("--duration", "-5m")]
    [InlineData("--rows", "0")]
    public void Record_BadOptions_Exit2WithWhy(string option, string value)
    {
        using var temp = new TempFolder();
        ToolResult r = DeviceHarness.Device(Chips(), "record", "--profile", Bme280Profile(temp), "--out", temp.File("x.csv"), option, value);
        Assert.Equal(2, r.Code);
        Assert.Contains(option, r.Err, StringComparison.Ordinal);
        Assert.False(File.Exists(temp.File("x.csv")));
    }

    [Fact]
    public void Record_Duration_StopsAfterIt()
    {
        using var temp = new TempFolder();
        ToolResult r = DeviceHarness.Device(Chips(), "record", "--profile", Bme280Profile(temp), "--out", temp.File("d.csv"), "--duration", "0.3s");
        Assert.True(r.Code == 0, r.Err);
        Assert.Contains("--duration 00:00:00.3000000 done", r.Err, StringComparison.Ordinal);
        Assert.InRange(File.ReadAllLines(temp.File("d.csv")).Length - 1, 1, 31);
    }

    [Fact]
    public void Writer_KilledMidPart_TemporaryFileHoldsEverythingUpToTheLastFlush()
    {
        using var temp = new TempFolder();
        DateTime now = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        string csv = temp.File("rec.csv");
        var writer = new RotatingCsvWriter(csv, ["a", "b"], 1000, () => now);
        DateTime t0 = new(2026, 1, 1, 12, 0, 0, DateTimeKind.Local);
        for (int i = 0; i < 5; i++)
        {
            writer.WriteRow(t0.AddSeconds(i), [i, i * 2]);
        }

        now += RotatingCsvWriter.SyncEvery; // the next row flushes to disk
        writer.WriteRow(t0.AddSeconds(5), [5, float.NaN]);

        // As after kill -9: the writer is never closed. What is on disk is the temporary file, complete up to the flush.
        string[] lines = ReadShared(RotatingCsvWriter.TemporaryPath(csv));
        Assert.Equal("timestamp,a,b", lines[0]);
        Assert.Equal("2026-01-01T12:00:01.000,1,2", lines[2]);
        Assert.Equal("2026-01-01T12:00:05.000,5,", lines[6]);
        Assert.False(File.Exists(csv));
        writer.Dispose();
        Assert.Equal(7, File.ReadAllLines(csv).Length);
        Assert.False(File.Exists(RotatingCsvWriter.TemporaryPath(csv)));
    }

    private static string[] ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }
}

/// <summary>A recording of a chip profile replays through that profile (replay --csv maps the columns to its readings).</summary>
public sealed class RecordReplayTests
{
    [Fact]
    public void Replay_RecordingOfTheBme280Profile_RunsThroughDevicesPiBme280()
    {
        using var temp = new TempFolder();
        JsonObject p = JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.Devices, "pi-bme280.json")))!.AsObject();
        p["model"] = Path.Combine(RepoPaths.Devices, p["model"]!.GetValue<string>());
        p["samplePeriodSeconds"] = 0.001;
        p["outputs"] = new JsonObject { ["console"] = "off" };
        p.Remove("state");
        File.WriteAllText(temp.File("fast.json"), p.ToJsonString());
        string csv = temp.File("bme.csv");
        var chips = new DeviceEnvironment { OpenI2c = (_, a) => new SimulatedBme280(a), Sleep = _ => { } };
        ToolResult recorded = DeviceHarness.Device(chips, "record", "--profile", temp.File("fast.json"), "--out", csv, "--rows", "60");
        Assert.True(recorded.Code == 0, recorded.Err);

        // No chip is touched: the environment's bus has none.
        var noBus = new DeviceEnvironment { OpenI2c = (_, _) => throw new IOException("no I2C in a replay") };
        ToolResult replay = DeviceHarness.Device(noBus, "replay", "--profile", Path.Combine(RepoPaths.Devices, "pi-bme280.json"), "--csv", csv);
        Assert.True(replay.Code == 0, replay.Err);
        Assert.Contains("replayed 60 steps", replay.Err, StringComparison.Ordinal);
        Assert.Contains("0 degraded steps", replay.Err, StringComparison.Ordinal);
        Assert.Equal(61, replay.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);

        // A recording without one of the profile's columns is a clear error naming it.
        File.WriteAllLines(temp.File("partial.csv"), [.. File.ReadLines(csv).Select(l => string.Join(',', l.Split(',')[..3]))]);
        ToolResult partial = DeviceHarness.Device(noBus, "replay", "--profile", Path.Combine(RepoPaths.Devices, "pi-bme280.json"), "--csv", temp.File("partial.csv"));
        Assert.Equal(2, partial.Code);
        Assert.Contains("no column 'humidity'", partial.Err, StringComparison.Ordinal);
    }
}
