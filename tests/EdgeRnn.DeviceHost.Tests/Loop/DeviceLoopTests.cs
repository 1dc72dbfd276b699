using System.Device.Gpio;
using System.Text.Json;
using EdgeRnn.DeviceHost.Loop;
using EdgeRnn.DeviceHost.Tests.Simulation;

namespace EdgeRnn.DeviceHost.Tests.Runs;

public sealed class DeviceLoopTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private static ToolResult Device(DeviceEnvironment environment, params string[] args) => Reliability.DeviceHarness.Device(environment, args);

    private string ReplayProfile(string extra = "", int rows = 400)
    {
        string csv = _temp.File("data.csv");
        File.WriteAllLines(csv, ["timestamp,value", .. File.ReadLines(Path.Combine(RepoPaths.Devices, "data/nab/ambient_temperature_system_failure.csv")).Skip(1).Take(rows)]);
        string model = Path.Combine(RepoPaths.Devices, "models/temperature-forecast.onnx").Replace("\\", "/", StringComparison.Ordinal);
        string path = _temp.File("profile.json");
        File.WriteAllText(path, $$"""
            { "name": "test", "model": "{{model}}", "samplePeriodSeconds": 3600,
              "sensors": [ { "id": "nab", "kind": "csv", "file": "data.csv", "speed": 0,
                             "readings": [ { "reading": "value", "feature": "temperature", "unit": "degF" } ] } ],
              "outputs": { "console": "events", "eventLog": { "path": "events.jsonl", "maxBytes": 2048, "keep": 2 } },
              "state": { "path": "device.state", "saveEverySteps": 50 }{{extra}} }
            """);
        return path;
    }

    [Fact]
    public void Replay_ShippedProfile_ScoresEveryRowDeterministically()
    {
        string profile = Path.Combine(RepoPaths.Devices, "replay.json");

        (int code, string json, string err) = Device(DeviceEnvironment.Hardware, "replay", "--profile", profile, "--json");
        (_, string again, _) = Device(DeviceEnvironment.Hardware, "replay", "--profile", profile, "--json");

        Assert.Equal(0, code);
        string[] lines = json.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(7267, lines.Length);
        Assert.Equal(json, again);
        using var last = JsonDocument.Parse(lines[^1]);
        Assert.Equal(7267, last.RootElement.GetProperty("step").GetInt64());
        Assert.InRange(last.RootElement.GetProperty("likelihood").GetDouble(), 0, 1);
        Assert.Contains("replayed 7267 steps", err, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_Restart_RestoresStateAndContinuesAsIfUninterrupted()
    {
        string profile = ReplayProfile();
        string replay = Device(DeviceEnvironment.Hardware, "replay", "--profile", profile).Out;

        Assert.Equal(0, Device(DeviceEnvironment.Hardware, "run", "--profile", profile, "--max-steps", "150").Code);
        Assert.True(File.Exists(_temp.File("device.state")));
        (int code, string stdout, _) = Device(DeviceEnvironment.Hardware, "run", "--profile", profile);

        Assert.Equal(0, code);
        Assert.Contains("state_restored", stdout, StringComparison.Ordinal);
        Assert.Contains("150 model steps", stdout, StringComparison.Ordinal);
        // The second run replays the file from its first row with the state after 150 rows: the state must be the one saved.
        Assert.Contains("0 degraded steps", stdout, StringComparison.Ordinal);
        Assert.StartsWith("step\tlikelihood", replay, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("truncate")]
    [InlineData("flip")]
    [InlineData("foreign")]
    public void Run_BadStateFile_DiscardedWithWarningAndRunsFresh(string damage)
    {
        string profile = ReplayProfile();
        Assert.Equal(0, Device(DeviceEnvironment.Hardware, "run", "--profile", profile, "--max-steps", "60").Code);
        string state = _temp.File("device.state");
        byte[] bytes = File.ReadAllBytes(state);
        switch (damage)
        {
            case "truncate":
                File.WriteAllBytes(state, bytes[..(bytes.Length / 2)]);
                break;
            case "flip":
                bytes[60] ^= 0x40;
                File.WriteAllBytes(state, bytes);
                break;
            default:
                bytes[10] ^= 0x01; // another model's hash, with a valid checksum
                System.Security.Cryptography.SHA256.HashData(bytes.AsSpan(0, bytes.Length - 32), bytes.AsSpan(bytes.Length - 32));
                File.WriteAllBytes(state, bytes);
                break;
        }

        (int code, string stdout, _) = Device(DeviceEnvironment.Hardware, "run", "--profile", profile, "--max-steps", "10");

        Assert.Equal(0, code);
        Assert.Contains("state_discarded warning:", stdout, StringComparison.Ordinal);
        Assert.Contains(damage == "foreign" ? "another model" : damage == "flip" ? "checksum" : "checksum", stdout, StringComparison.Ordinal);
        string log = File.ReadAllText(_temp.File("events.jsonl"));
        Assert.Contains("\"event\":\"state_discarded\"", log, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_EventLog_RotatesAndKeepsValidJsonLines()
    {
        string profile = ReplayProfile();
        for (int i = 0; i < 12; i++)
        {
            Assert.Equal(0, Device(DeviceEnvironment.Hardware, "run", "--profile", profile, "--max-steps", "5").Code);
        }

        Assert.True(File.Exists(_temp.File("events.jsonl.1")));
        Assert.False(File.Exists(_temp.File("events.jsonl.3")));
        foreach (string file in new[] { "events.jsonl", "events.jsonl.1" })
        {
            string[] lines = File.ReadAllLines(_temp.File(file));
            Assert.True(new FileInfo(_temp.File(file)).Length <= 2048);
            Assert.All(lines, l => JsonDocument.Parse(l).Dispose());
        }
    }

    [Fact]
    public void Run_SyntheticAnomaly_DrivesAlarmPinOnSimulatedGpio()
    {
        string model = Path.Combine(RepoPaths.Devices, "models/temperature-forecast.onnx").Replace("\\", "/", StringComparison.Ordinal);
        string path = _temp.File("synthetic.json");
        File.WriteAllText(path, $$"""
            { "name": "synthetic", "model": "{{model}}", "samplePeriodSeconds": 3600,
              "sensors": [ { "id": "sig", "kind": "synthetic", "speed": 0,
                "synthetic": { "offset": 70, "amplitude": 2, "periodSteps": 24, "noise": 0.1, "seed": 3, "anomalyAtStep": 400, "anomalyShift": 15 },
                "readings": [ { "reading": "value", "feature": "temperature", "unit": "degF" } ] } ],
              "outputs": { "console": "events", "alarmPin": { "pin": 17 } } }
            """);
        var driver = new SimulatedGpioDriver();
        var environment = new DeviceEnvironment { OpenGpio = () => new GpioController(driver) };

        (int code, string stdout, _) = Device(environment, "run", "--profile", path, "--max-steps", "420");

        Assert.Equal(0, code);
        Assert.Contains("anomaly_started", stdout, StringComparison.Ordinal);
        Assert.Contains((17, PinValue.High), driver.Writes);
        Assert.Equal(PinValue.Low, driver.Levels[17]); // released on shutdown
    }

    [Fact]
    public void Run_ProfileDoesNotFitModel_ExitsTwoBeforeRunning()
    {
        string profile = ReplayProfile();
        File.WriteAllText(profile, File.ReadAllText(profile).Replace("\"unit\": \"degF\"", "\"unit\": \"degC\"", StringComparison.Ordinal));

        (int code, string stdout, string stderr) = Device(DeviceEnvironment.Hardware, "run", "--profile", profile);

        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Contains("trained on 'degF'", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(_temp.File("device.state")));
    }

    [Fact]
    public void Sampler_Overrun_CountedAndPhaseKept()
    {
        long now = 0;
        var waits = new List<long>();
        var sampler = new PeriodicSampler(TimeSpan.FromSeconds(1), () => now, span =>
        {
            long ticks = (long)(span.TotalSeconds * System.Diagnostics.Stopwatch.Frequency);
            waits.Add(ticks);
            now += ticks;
            return true;
        });
        long second = System.Diagnostics.Stopwatch.Frequency;

        Assert.True(sampler.WaitForNext());                 // t = 0: at once
        now += second / 10;
        Assert.True(sampler.WaitForNext());                 // waits to t = 1
        Assert.Equal(now, second);
        now += (5 * second / 2);                            // a 2.5 s step: deadlines 2 and 3 pass
        Assert.True(sampler.WaitForNext());
        Assert.Equal(1, sampler.Overruns);
        Assert.Equal(1, sampler.MissedTicks);
        Assert.True(sampler.WaitForNext());                 // back on phase: t = 4
        Assert.Equal(4 * second, now);
    }

    [Fact]
    public void Selftest_ShippedModel_PassesAndScanListsSimulatedChips()
    {
        (int code, string stdout, _) = Device(DeviceEnvironment.Hardware, "selftest", "--profile", Path.Combine(RepoPaths.Devices, "pi-bme280.json"));
        Assert.Equal(0, code);
        Assert.Contains("PASSED", stdout, StringComparison.Ordinal);

        var chips = new Dictionary<int, Func<System.Device.I2c.I2cDevice>> { [0x76] = () => new SimulatedBme280(), [0x48] = () => new SimulatedAds1115() };
        var bus = new DeviceEnvironment
        {
            I2cBusExists = b => b == 1,
            OpenI2c = (b, a) => chips.TryGetValue(a, out var make) ? make() : new SimulatedBme280(a) { Unplugged = true },
        };
        (code, stdout, _) = Device(bus, "scan");
        Assert.Equal(0, code);
        Assert.Contains("0x48  ADS1115", stdout, StringComparison.Ordinal);
        Assert.Contains("0x76  BME280", stdout, StringComparison.Ordinal);
        Assert.Contains("2 device(s)", stdout, StringComparison.Ordinal);
        Assert.Equal(2, Device(bus, "scan", "--bus", "3").Code);
    }

    [Fact]
    public void Diag_Bme280ProfileOnSimulatedBus_ReadsSensorAndBenches()
    {
        var environment = new DeviceEnvironment { OpenI2c = (_, a) => new SimulatedBme280(a) };

        (int code, string stdout, _) = Device(environment, "diag", "--profile", Path.Combine(RepoPaths.Devices, "pi-bme280.json"), "--bench", "--timed-steps", "2000", "--streams", "8");

        Assert.Contains("sensor   env (bme280 on /dev/i2c-1 at 0x76): temperature 25.08", stdout, StringComparison.Ordinal);
        Assert.Contains("golden   max abs error", stdout, StringComparison.Ordinal);
        Assert.Contains("bench    2000 steps", stdout, StringComparison.Ordinal);
        Assert.Matches(@"streams  8 per call, \d+ rounds: median [0-9.]+ us per call, [0-9.]+ us per stream-step, [0-9.]+x the throughput of 8 separate steps \(range [0-9.]+-[0-9.]+\), [0-9.]+ bytes allocated per call", stdout);
        Assert.Contains("units    25 degC", stdout, StringComparison.Ordinal);
        Assert.Contains("30 sensor unit conversions ok", stdout, StringComparison.Ordinal);
        Assert.True(code is 0 or 1, stdout); // the state file under /var/lib is absent: fine
    }
}
