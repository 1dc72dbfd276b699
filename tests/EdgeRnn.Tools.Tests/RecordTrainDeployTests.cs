extern alias DeviceHost;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using EdgeRnn.DeviceHost.Tests.Simulation;
using DeviceEnvironment = DeviceHost::EdgeRnn.DeviceHost.Loop.DeviceEnvironment;
using DeviceProgram = DeviceHost::EdgeRnn.DeviceHost.Program;

namespace EdgeRnn.Tools.Tests;

/// <summary>
/// The walk devices/README.md gives a user, on the simulated BME280 (the datasheet's register map, its raw readings
/// drifting like a room's air): record on the device -> train on the desktop -> quantize -> copy -> selftest -> run,
/// each step through the real command. The desktop tools run as the real processes from src/Train's output (this test
/// project does not carry libtorch: EdgeRnn.Train.Tests is the one that does).
/// </summary>
public sealed class RecordTrainDeployTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("edgernn-walk-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string File(string name) => Path.Combine(_folder, name);

    /// <summary>A BME280 whose raw temperature, pressure and humidity drift slowly (three sines) as the binding reads them.</summary>
    private sealed class DriftingBme280(int address) : System.Device.I2c.I2cDevice
    {
        private readonly SimulatedBme280 _chip = new(address);
        private int _k;

        public override System.Device.I2c.I2cConnectionSettings ConnectionSettings => _chip.ConnectionSettings;

        public override void WriteRead(ReadOnlySpan<byte> writeBuffer, Span<byte> readBuffer)
        {
            Advance(writeBuffer);
            _chip.WriteRead(writeBuffer, readBuffer);
        }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            Advance(buffer);
            _chip.Write(buffer);
        }

        public override void WriteByte(byte value) => Write([value]);

        public override void Read(Span<byte> buffer) => _chip.Read(buffer);

        public override byte ReadByte() => _chip.ReadByte();

        private void Advance(ReadOnlySpan<byte> write)
        {
            if (write.Length == 1 && write[0] == 0xFA)
            {
                // Each temperature read (the binding starts every sample with it) advances the room by one tick.
                _k++;
                _chip.SetRaw(adcT: 519888 + (int)(4000 * Math.Sin(_k / 23.0)), adcP: 415148 + (int)(3000 * Math.Sin(_k / 41.0)), adcH: 30000 + (int)(2000 * Math.Sin(_k / 57.0)));
            }
        }

        protected override void Dispose(bool disposing)
        {
            _chip.Dispose();
            base.Dispose(disposing);
        }
    }

    /// <summary>Runs a desktop tool (edgernn, edgernn-quantize) from src/Train's output folder of this configuration.</summary>
    private static (int Code, string Out, string Err) Desktop(string tool, params string[] args)
    {
        string configuration = AppContext.BaseDirectory.Contains("/bin/Debug/", StringComparison.Ordinal) ? "Debug" : "Release";
        string dll = Path.Combine(RepoPaths.Root, "src", "Train", "bin", configuration, "net10.0", tool + ".dll");
        Assert.True(System.IO.File.Exists(dll), $"{dll} is not built (dotnet build src/Train -c {configuration})");
        string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        var psi = new ProcessStartInfo(dotnet, [dll, .. args]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using Process p = Process.Start(psi)!;
        Task<string> err = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(TimeSpan.FromMinutes(10)))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail($"{tool} did not finish within 10 minutes");
        }

        return (p.ExitCode, stdout, err.Result);
    }

    private static (int Code, string Out, string Err) Device(DeviceEnvironment environment, params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int code = DeviceProgram.Run(args, stdout, stderr, environment);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void RecordTrainQuantizeCopySelftestRun_OnTheSimulatedBme280()
    {
        var chips = new DeviceEnvironment { OpenI2c = (_, address) => new DriftingBme280(address), Sleep = _ => { }, GetVariable = _ => null };

        // The device's profile (devices/pi-bme280.json), sampling every 5 ms so the test records 1500 rows in seconds; its
        // model does not exist yet: record needs none.
        JsonObject p = JsonNode.Parse(System.IO.File.ReadAllText(Path.Combine(RepoPaths.Devices, "pi-bme280.json")))!.AsObject();
        p["model"] = "bme280-room.onnx";
        p["samplePeriodSeconds"] = 0.005;
        p["outputs"] = new JsonObject { ["console"] = "events", ["eventLog"] = new JsonObject { ["path"] = File("events.jsonl") } };
        p["state"] = new JsonObject { ["path"] = File("device.state"), ["saveEverySteps"] = 100 };
        p["sensors"]![0]!["stuckAfter"] = 0;
        string profile = File("pi-bme280.json");
        System.IO.File.WriteAllText(profile, p.ToJsonString());

        // 1. Record on the device.
        string recording = File("room.csv");
        var record = Device(chips, "record", "--profile", profile, "--out", recording, "--rows", "1500");
        Assert.True(record.Code == 0, record.Err);
        Assert.Equal("timestamp,temperature,pressure,humidity", System.IO.File.ReadLines(recording).First());

        // 2. Train on the desktop: the CSV as record wrote it, the units the profile reads in.
        string desktop = File("desktop-model.onnx");
        var train = Desktop("edgernn", "train", "--data", recording, "--units", "degC,hPa,%RH", "--task", "forecast", "--cell", "lstm",
            "--hidden", "8", "--epochs", "3", "--seq-len", "16", "--stride", "4", "--threads", "1", "--seed", "1", "--out", desktop);
        Assert.True(train.Code == 0, train.Err + train.Out);

        // 3. Quantize, checked against the recording.
        string int8 = File("desktop-model.int8.onnx");
        var quantize = Desktop("edgernn-quantize", "--model", desktop, "--out", int8, "--calibration", recording, "--timed-steps", "0");
        Assert.True(quantize.Code == 0, quantize.Err + quantize.Out);

        // 4. Copy to where the profile expects it, 5. selftest on the device.
        System.IO.File.Copy(int8, File("bme280-room.onnx"));
        var selftest = Device(chips, "selftest", "--profile", profile);
        Assert.True(selftest.Code == 0, selftest.Err + selftest.Out);

        // 6. Run on the chip, and replay the recording through the same profile.
        var run = Device(chips, "run", "--profile", profile, "--max-steps", "300");
        Assert.True(run.Code == 0, run.Err + run.Out);
        Assert.Contains("--max-steps 300 done: 300 steps", run.Out, StringComparison.Ordinal);
        Assert.Contains(", 0 degraded steps", run.Out, StringComparison.Ordinal);
        Assert.True(System.IO.File.Exists(File("device.state")));

        var replay = Device(chips, "replay", "--profile", profile, "--csv", recording);
        Assert.True(replay.Code == 0, replay.Err);
        Assert.Contains("replayed 1500 steps", replay.Err, StringComparison.Ordinal);
        Assert.Contains("0 degraded steps", replay.Err, StringComparison.Ordinal);
        double[] likelihoods = [.. replay.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(l => double.Parse(l.Split('\t')[1], CultureInfo.InvariantCulture))];
        Assert.Equal(1500, likelihoods.Length);
        Assert.All(likelihoods, l => Assert.InRange(l, 0, 1));
    }
}
