using System.Device.Gpio;
using EdgeRnn.Deployment.Metadata;
using EdgeRnn.Desktop.Models;
using EdgeRnn.DeviceHost.Loop;
using EdgeRnn.DeviceHost.Tests.Simulation;
using EdgeRnn.Runtime;

namespace EdgeRnn.DeviceHost.Tests.Reliability;

/// <summary>
/// Issue 13, item 12: <c>diag</c> said OK where <c>run</c> then failed (a model that does not stream the profile's
/// features, a state or log folder that cannot be written, no GPIO chip for the alarm pin); and an unavailable alarm
/// pin ended <c>run</c> instead of being a degraded output.
/// </summary>
public sealed class DiagTests : IDisposable
{
    private const string AlarmOutputs = """{ "console": "events", "alarmPin": { "pin": 17 } }""";

    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private static DeviceEnvironment NoGpio => new() { OpenGpio = () => throw new IOException("IO_FileNotFound_FileName, /dev/gpiochip0") };

    [Fact]
    public void Diag_ModelDoesNotStreamTheProfilesFeatures_ProblemAndRunExitsTwo()
    {
        // A model stepping 2 inputs whose metadata lists 1 feature: the profile fits the metadata, not the graph.
        byte[] bare = BuiltinModels.CreateStreaming(RecurrentCellKind.Lstm, 2, 8, 1);
        var metadata = new EdgeRnnMetadata
        {
            Task = ModelTask.Forecast,
            Features = [new FeatureInfo("temperature", "degF", 70, 5)],
            SamplePeriodSeconds = 3600,
            Scorer = new ScorerSettings { LongWindow = 200, ShortWindow = 5, WarmupSteps = 50, Threshold = 0.999, ExitThreshold = 0.99, MinDuration = 2 },
        };
        File.WriteAllBytes(_temp.File("odd.onnx"), TestModels.AppendMetadata(bare, metadata.ToProperties()));
        DeviceHarness.WriteCsv(_temp, rows: 10);
        string profile = DeviceHarness.Profile(_temp);
        File.WriteAllText(profile, File.ReadAllText(profile).Replace(DeviceHarness.Model.Replace("\\", "/", StringComparison.Ordinal), "odd.onnx", StringComparison.Ordinal));

        (int diag, string report, _) = DeviceHarness.Device("diag", "--profile", profile);
        (int run, _, string error) = DeviceHarness.Device("run", "--profile", profile);

        Assert.Equal(1, diag);
        Assert.Contains("PROBLEM  ", report, StringComparison.Ordinal);
        Assert.Contains("must stream one input of 1 features", report, StringComparison.Ordinal);
        Assert.DoesNotContain("\nOK", report, StringComparison.Ordinal);
        Assert.Equal(2, run);
        Assert.Contains("must stream one input of 1 features", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("state")]
    [InlineData("eventLog")]
    public void Diag_FolderCannotBeWritten_Problem(string which)
    {
        // A path under a regular file cannot be created, even by root (the tests may run as root, where a read-only mode would not stop them).
        File.WriteAllText(_temp.File("afile"), "");
        DeviceHarness.WriteCsv(_temp, rows: 10);
        string profile = which == "state"
            ? DeviceHarness.Profile(_temp, state: """{ "path": "afile/sub/device.state" }""")
            : DeviceHarness.Profile(_temp, outputs: """{ "eventLog": { "path": "afile/events.jsonl" } }""");

        (int code, string report, _) = DeviceHarness.Device("diag", "--profile", profile);

        Assert.Equal(1, code);
        Assert.Contains($"PROBLEM  {(which == "state" ? "state" : "event log")} ", report, StringComparison.Ordinal);
        Assert.Contains("is a file, not a folder", report, StringComparison.Ordinal);
    }

    [Fact]
    public void Diag_WritableFoldersAndSimulatedGpio_ReportsThemFine()
    {
        DeviceHarness.WriteCsv(_temp, rows: 10);
        string profile = DeviceHarness.Profile(_temp, outputs: """{ "eventLog": { "path": "logs/events.jsonl" }, "alarmPin": { "pin": 17 } }""");
        var environment = new DeviceEnvironment { OpenGpio = () => new GpioController(new SimulatedGpioDriver()) };

        (int code, string report, _) = DeviceHarness.Device(environment, "diag", "--profile", profile);

        Assert.True(code == 0, report);
        Assert.Contains("writable state folder", report, StringComparison.Ordinal);
        Assert.Contains("writable event log folder", report, StringComparison.Ordinal);
        Assert.Contains("alarm    GPIO 17: the GPIO controller opens (28 pins)", report, StringComparison.Ordinal);
        Assert.EndsWith("OK" + Environment.NewLine, report, StringComparison.Ordinal);
    }

    [Fact]
    public void Diag_NoGpioChipForAlarmPin_ProblemInWords()
    {
        DeviceHarness.WriteCsv(_temp, rows: 10);
        string profile = DeviceHarness.Profile(_temp, outputs: AlarmOutputs);

        (int code, string report, _) = DeviceHarness.Device(NoGpio, "diag", "--profile", profile);

        Assert.Equal(1, code);
        Assert.Contains("PROBLEM  alarm pin GPIO 17: no usable GPIO controller (/dev/gpiochip0: the file does not exist)", report, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_NoGpioChipForAlarmPin_RunsWithDegradedOutputCounted()
    {
        string profile = DeviceHarness.Profile(_temp, """
            { "id": "sig", "kind": "synthetic", "speed": 0,
              "synthetic": { "offset": 70, "amplitude": 2, "periodSteps": 24, "noise": 0.1, "seed": 3, "anomalyAtStep": 400, "anomalyShift": 15 },
              "readings": [ { "reading": "value", "feature": "temperature", "unit": "degF" } ] }
            """, outputs: AlarmOutputs, state: null);

        (int code, string stdout, _) = DeviceHarness.Device(NoGpio, "run", "--profile", profile, "--max-steps", "420");

        Assert.Equal(0, code);
        Assert.Contains("fault alarm pin GPIO 17: /dev/gpiochip0: the file does not exist", stdout, StringComparison.Ordinal);
        Assert.Contains("anomaly_started", stdout, StringComparison.Ordinal);  // detection went on
        Assert.Contains("--max-steps 420 done: 420 steps", stdout, StringComparison.Ordinal);
        Assert.Matches(@"\b[2-9]\d* output faults", stdout);                  // the open at start and the tries at the anomaly events
    }

    [Fact]
    public void Run_GpioChipAppearsLater_AlarmPinOpensAndDrivesTheAnomaly()
    {
        var driver = new SimulatedGpioDriver();
        int opens = 0;
        var environment = new DeviceEnvironment
        {
            OpenGpio = () => opens++ == 0 ? throw new IOException("no gpiochip yet") : new GpioController(driver),
        };
        string profile = DeviceHarness.Profile(_temp, """
            { "id": "sig", "kind": "synthetic", "speed": 0,
              "synthetic": { "offset": 70, "amplitude": 2, "periodSteps": 24, "noise": 0.1, "seed": 3, "anomalyAtStep": 400, "anomalyShift": 15 },
              "readings": [ { "reading": "value", "feature": "temperature", "unit": "degF" } ] }
            """, outputs: AlarmOutputs, state: null);

        (int code, string stdout, _) = DeviceHarness.Device(environment, "run", "--profile", profile, "--max-steps", "420");

        Assert.Equal(0, code);
        Assert.Contains("fault_cleared alarm pin GPIO 17: works again", stdout, StringComparison.Ordinal);
        Assert.Contains((17, PinValue.High), driver.Writes);
        Assert.Equal(PinValue.Low, driver.Levels[17]);
    }
}
