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
}
