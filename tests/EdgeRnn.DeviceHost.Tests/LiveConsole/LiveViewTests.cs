using System.Globalization;
using EdgeRnn.DeviceHost.LiveConsole;
using EdgeRnn.DeviceHost.Loop;
using EdgeRnn.DeviceHost.Profiles;
using EdgeRnn.DeviceHost.Tests.Reliability;

namespace EdgeRnn.DeviceHost.Tests.LiveConsole;

/// <summary>
/// The live view rendered into a Spectre test console of 80x24 from snapshots of a real loop (the shipped temperature
/// model on NAB's recording, a spike written into it): what a technician would read.
/// </summary>
public sealed class LiveViewTests
{
    /// <summary>Steps the loop <paramref name="steps"/> times and builds a snapshot (the publisher's interval is waited out, not slept for timing).</summary>
    private static StatusSnapshot StepAndSnapshot(DeviceLoop loop, ConsoleHost host, int steps)
    {
        for (int i = 0; i < steps - 1; i++)
        {
            Assert.True(loop.Step(out _));
        }

        // The loop publishes at most every 100 ms: make the last step due.
        Thread.Sleep(LiveReadings.PublishInterval + TimeSpan.FromMilliseconds(5));
        Assert.True(loop.Step(out _));
        return host.Source.Build(1, 0);
    }

    private static (DeviceLoop Loop, ConsoleHost Host) Open(TempFolder temp, string csv)
    {
        string profile = DeviceHarness.Profile(temp);
        File.WriteAllText(temp.File("data.csv"), csv);
        DeviceLoop loop = DeviceLoop.Open(ProfileLoader.Load(profile), ConsoleTestKit.Environment);
        ConsoleHost host = ConsoleHost.Attach(loop);
        return (loop, host);
    }

    private static string NabWithSpike(int rows, int spikeAt)
    {
        string[] lines = [.. File.ReadLines(Path.Combine(RepoPaths.Devices, "data/nab/ambient_temperature_system_failure.csv")).Skip(1).Take(rows)];
        for (int i = spikeAt; i < spikeAt + 4; i++)
        {
            lines[i] = lines[i].Split(',')[0] + ",140";
        }

        return string.Join('\n', ["timestamp,value", .. lines]) + "\n";
    }

    [Fact]
    public void Render_WarmingUpLoop_ShowsReadingUnitForecastWarmupAndThresholdsIn80x24()
    {
        using var temp = new TempFolder();
        (DeviceLoop loop, ConsoleHost host) = Open(temp, NabWithSpike(400, 300));
        using (loop)
        using (host)
        {
            StatusSnapshot s = StepAndSnapshot(loop, host, 20);
            string[] lines = ConsoleTestKit.RenderText(LiveView.Render(s, new ViewState { Source = "test" }, 80, 24));

            Assert.InRange(lines.Length, 10, 24);
            Assert.All(lines, l => Assert.True(l.Length <= 80, $"wider than 80: '{l}'"));
            string screen = string.Join('\n', lines);
            Assert.Contains("edgernn-device top test  step 20", screen, StringComparison.Ordinal);
            Assert.Contains("temperature-forecast.onnx forecast fp32", screen, StringComparison.Ordinal);

            // The 20th reading of NAB's file, in the profile's unit, against the forecast the model made for it.
            float reading = float.Parse(File.ReadLines(temp.File("data.csv")).Skip(20).First().Split(',')[1], CultureInfo.InvariantCulture);
            string sensorLine = Assert.Single(lines, l => l.StartsWith("nab ", StringComparison.Ordinal));
            Assert.Contains("temperature", sensorLine, StringComparison.Ordinal);
            Assert.Contains(reading.ToString("G5", CultureInfo.InvariantCulture) + " degF", sensorLine, StringComparison.Ordinal);
            Assert.Matches(@" fc +\d+\.\d+ ", sensorLine);
            Assert.Contains("warm-up 19/100", sensorLine, StringComparison.Ordinal); // the first step has no forecast to score
            Assert.EndsWith(" 0/0/0/0", sensorLine.TrimEnd(), StringComparison.Ordinal);
            Assert.Contains("faults io/range/stuck/open", screen, StringComparison.Ordinal);

            // The thresholds the scorer uses (the model's calibration; the profile's alarm overrides none of them here).
            string enter = loop.Detector.Settings.Threshold.ToString("G4", CultureInfo.InvariantCulture);
            Assert.Contains($"enter >= {enter}", screen, StringComparison.Ordinal);
            Assert.Contains("step p50", screen, StringComparison.Ordinal);
            Assert.Contains("overruns 0", screen, StringComparison.Ordinal);
            Assert.EndsWith("q quit  test (1 console(s))", lines[^1].TrimEnd(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Render_AfterASpike_ShowsTheAnomalyEventAndTheChartAboveTheEnterLine()
    {
        using var temp = new TempFolder();
        (DeviceLoop loop, ConsoleHost host) = Open(temp, NabWithSpike(400, 300));
        using (loop)
        using (host)
        {
            StatusSnapshot before = StepAndSnapshot(loop, host, 250);
            string[] quiet = ConsoleTestKit.RenderText(LiveView.Render(before, new ViewState(), 80, 24));
            Assert.DoesNotContain(quiet, l => l.Contains("anomaly_started", StringComparison.Ordinal));

            StatusSnapshot after = StepAndSnapshot(loop, host, 55);
            Assert.True(loop.Anomalies > 0, "the spike of 140 degF raised no anomaly");
            string[] lines = ConsoleTestKit.RenderText(LiveView.Render(after, new ViewState(), 80, 24));
            Assert.All(lines, l => Assert.True(l.Length <= 80, $"wider than 80: '{l}'"));
            Assert.Contains(lines, l => l.Contains("anomaly_started likelihood", StringComparison.Ordinal));

            // The chart's top row holds the enter threshold's line; the spike fills a column through it.
            int top = Array.FindIndex(lines, l => l.Contains('│'));
            Assert.True(top > 0, string.Join('\n', lines));
            Assert.Contains('█', lines[top + LiveView.ChartRows - 1]);
            Assert.Contains(lines.Skip(top).Take(LiveView.ChartRows), l => l.Contains('-'));
        }
    }

    [Fact]
    public void Render_PausedAndConfirming_ShowsTheStateAndTheQuestion()
    {
        using var temp = new TempFolder();
        (DeviceLoop loop, ConsoleHost host) = Open(temp, NabWithSpike(400, 300));
        using (loop)
        using (host)
        {
            StatusSnapshot s = StepAndSnapshot(loop, host, 5);
            string[] lines = ConsoleTestKit.RenderText(LiveView.Render(s, new ViewState { Paused = true, Confirming = "reset" }, 80, 24));
            Assert.Contains("PAUSED", lines[0], StringComparison.Ordinal);
            Assert.StartsWith("Reset the model and scorer state of test", lines[^1], StringComparison.Ordinal);
            Assert.EndsWith("y/n", lines[^1].TrimEnd(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void PlainLine_ShowsTimeReadingUnitForecastAndWarmup()
    {
        using var temp = new TempFolder();
        (DeviceLoop loop, ConsoleHost host) = Open(temp, NabWithSpike(400, 300));
        using (loop)
        using (host)
        {
            string line = PlainView.Line(StepAndSnapshot(loop, host, 10));
            Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ test step 10 warm-up 9/100 \| nab warm-up temperature \d+(\.\d+)? degF \(fc \d+(\.\d+)?\)", line);
            Assert.Contains("| likelihood 0.0000 (enter ", line, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Render_SixReadingSensorAndManyEvents_FitsIn80x24WithTheNewestEvents()
    {
        string[] axes = ["accel_x", "accel_y", "accel_z", "gyro_x", "gyro_y", "gyro_z"];
        var s = new StatusSnapshot
        {
            Time = DateTimeOffset.UtcNow, Profile = "pi-mpu6050", Steps = 123456, ScoredSteps = 123455, WarmupSteps = 100,
            Likelihood = 0.42, EnterThreshold = 0.999, ExitThreshold = 0.99,
            LikelihoodHistory = [.. Enumerable.Range(0, SnapshotSource.ChartColumns).Select(i => (double?)(i == 30 ? 0.9995 : 0.5))],
            HistorySeconds = 300,
            Sensors =
            [
                new SensorStatus
                {
                    Id = "imu", Kind = "mpu6050", Status = "degraded", LastError = "I/O error (EIO) on /dev/i2c-1", IoErrors = 12,
                    Readings = [.. axes.Select((a, i) => new ReadingStatus { Reading = a, Feature = a, Unit = i < 3 ? "m/s2" : "deg/s", Value = 9.81 - i, Forecast = 9.8 - i })],
                },
            ],
            Events = [.. Enumerable.Range(1, 15).Select(i => $"12:00:{i:00} step {i * 100} sensor_degraded imu: I/O error (EIO) on /dev/i2c-1, a long detail that goes on and on past the edge")],
            Model = new ModelStatus { Name = "mpu6050-forecast.onnx", Task = "forecast", Precision = "int8", Sha256 = new string('a', 64), Trained = "2026-12-01", Metrics = "mse 0.01", Scorer = "gaussian" },
            Device = new HostStatus { CpuCelsius = 81.5, Load = [1, 2, 3], MemoryUsedMegabytes = 300, MemoryTotalMegabytes = 900, UptimeSeconds = 90000, StateDiskFreeMegabytes = 20 },
        };

        string[] lines = ConsoleTestKit.RenderText(LiveView.Render(s, new ViewState { Source = "test" }, 80, 23));
        Assert.Equal(23, lines.Length);
        Assert.All(lines, l => Assert.True(l.Length <= 80, $"wider than 80: '{l}'"));
        Assert.Equal(6, lines.Count(l => l.Contains(" m/s2 ", StringComparison.Ordinal) || l.Contains(" deg/s ", StringComparison.Ordinal)));
        Assert.Contains(lines, l => l.StartsWith("imu ", StringComparison.Ordinal) && l.Contains("degraded 12/0/0/0", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("I/O error (EIO)", StringComparison.Ordinal) && l.Contains("accel_y", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("12:00:15 step 1500", StringComparison.Ordinal)); // the newest event is shown
        Assert.DoesNotContain(lines, l => l.StartsWith("12:00:01 ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("host cpu 81.5C  load 1.00 2.00  mem 300/900M", StringComparison.Ordinal) && l.TrimEnd().EndsWith("disk 20M free", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("model mpu6050-forecast.onnx forecast int8 aaaaaaaa  trained 2026-12-01", StringComparison.Ordinal));

        // Nines scale: the 0.9995 column reaches the top row (.999), where the enter line (0.999) is drawn.
        string top = Assert.Single(lines, l => l.StartsWith("  .999│", StringComparison.Ordinal));
        Assert.Contains("-", top, StringComparison.Ordinal);
        Assert.Contains(top["  .999│".Length + 30], "▁▂▃▄▅▆▇█");
        Assert.Equal('-', top["  .999│".Length + 29]); // the other columns (0.5) stay below the enter line
        string exit = Assert.Single(lines, l => l.StartsWith("   .99│", StringComparison.Ordinal));
        Assert.Equal('█', exit["   .99│".Length + 30]);
        Assert.Equal('.', exit["   .99│".Length + 29]); // the exit threshold (0.99) in its row
    }
}
