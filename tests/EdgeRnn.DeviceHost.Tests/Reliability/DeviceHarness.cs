using System.Diagnostics;
using EdgeRnn.DeviceHost.IO;
using EdgeRnn.DeviceHost.Loop;

namespace EdgeRnn.DeviceHost.Tests.Reliability;

/// <summary>Runs edgernn-device in-process (or as a child process) on profiles written into a temp folder.</summary>
internal static class DeviceHarness
{
    public static string Model { get; } = Path.Combine(RepoPaths.Devices, "models/temperature-forecast.onnx");

    public const string CsvSensor = """{ "id": "nab", "kind": "csv", "file": "data.csv", "speed": 0, "readings": [ { "reading": "value", "feature": "temperature", "unit": "degF" } ] }""";

    public const string SyntheticSensor = """
        { "id": "sig", "kind": "synthetic", "speed": 0, "synthetic": { "offset": 70, "amplitude": 2, "periodSteps": 24, "noise": 0.1, "seed": 3 },
          "readings": [ { "reading": "value", "feature": "temperature", "unit": "degF" } ] }
        """;

    public const string DefaultOutputs = """{ "console": "events", "eventLog": { "path": "events.jsonl", "maxBytes": 1048576, "keep": 2 } }""";

    public const string DefaultState = """{ "path": "device.state", "saveEverySteps": 50 }""";

    public static ToolResult Device(DeviceEnvironment environment, params string[] args) =>
        ToolRun.Run((a, stdout, stderr) => Program.Run(a, stdout, stderr, environment), args);

    public static ToolResult Device(params string[] args) => Device(DeviceEnvironment.Hardware, args);

    /// <summary>The first <paramref name="rows"/> rows of NAB's ambient temperature recording as data.csv.</summary>
    public static string WriteCsv(TempFolder temp, int rows = 400, string name = "data.csv")
    {
        string csv = temp.File(name);
        File.WriteAllLines(csv, ["timestamp,value", .. File.ReadLines(Path.Combine(RepoPaths.Devices, "data/nab/ambient_temperature_system_failure.csv")).Skip(1).Take(rows)]);
        return csv;
    }

    /// <summary>A profile for the shipped temperature model (one feature, degF, hourly).</summary>
    public static string Profile(TempFolder temp, string sensor = CsvSensor, string? outputs = DefaultOutputs, string? state = DefaultState, string name = "profile.json", string extra = "")
    {
        string path = temp.File(name);
        File.WriteAllText(path, $$"""
            { "name": "test", "model": "{{Model.Replace("\\", "/", StringComparison.Ordinal)}}", "samplePeriodSeconds": 3600,
              "sensors": [ {{sensor}} ]{{(outputs is null ? "" : $", \"outputs\": {outputs}")}}{{(state is null ? "" : $", \"state\": {state}")}}{{extra}} }
            """);
        return path;
    }

    /// <summary>
    /// Runs a bash command line in which <c>{device}</c> stands for the device's own assembly (<c>dotnet
    /// edgernn-device.dll</c>), for what only a real process shows: signals, pipes.
    /// </summary>
    public static Process Start(string shellCommand)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "edgernn-device.dll");
        string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        var psi = new ProcessStartInfo("/bin/bash", ["-o", "pipefail", "-c", shellCommand.Replace("{device}", $"'{dotnet}' '{dll}'", StringComparison.Ordinal)])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        return Process.Start(psi)!;
    }

    /// <summary>Waits for a child to exit; kills it and fails if it has not after a minute (a hang, not a timing).</summary>
    public static void AssertExits(Process p)
    {
        if (!p.WaitForExit(TimeSpan.FromMinutes(1)))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail("the process did not exit within a minute");
        }
    }
}

/// <summary>
/// A file system whose writes fail as a full disk does, on demand: log writes write half their bytes and then throw
/// (so a partial line is left, as after a real ENOSPC), opens and atomic saves throw before writing.
/// </summary>
internal sealed class FailingFileSystem : DeviceFileSystem
{
    public const string NoSpace = "No space left on device";

    /// <summary>Log writes (numbered from 0 over the whole run) that fail.</summary>
    public Func<int, bool> FailLogWrite { get; set; } = _ => false;

    /// <summary>State saves (numbered from 0) that fail.</summary>
    public Func<int, bool> FailSave { get; set; } = _ => false;

    /// <summary>Log opens (numbered from 0) that fail.</summary>
    public Func<int, bool> FailLogOpen { get; set; } = _ => false;

    public int LogWrites { get; private set; }

    public int Saves { get; private set; }

    public int LogOpens { get; private set; }

    public override Stream OpenLog(string path)
    {
        if (FailLogOpen(LogOpens++))
        {
            throw new IOException($"{NoSpace} : '{path}'", 28);
        }

        return new FailingStream(base.OpenLog(path), this);
    }

    public override void WriteAtomic(string path, ReadOnlySpan<byte> bytes)
    {
        if (FailSave(Saves++))
        {
            throw new IOException($"{NoSpace} : '{path}'", 28);
        }

        base.WriteAtomic(path, bytes);
    }

    private sealed class FailingStream(Stream inner, FailingFileSystem owner) : Stream
    {
        public override bool CanRead => inner.CanRead;

        public override bool CanSeek => inner.CanSeek;

        public override bool CanWrite => inner.CanWrite;

        public override long Length => inner.Length;

        public override long Position { get => inner.Position; set => inner.Position = value; }

        public override void Flush() => inner.Flush();

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

        public override int Read(Span<byte> buffer) => inner.Read(buffer);

        public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);

        public override void SetLength(long value) => inner.SetLength(value);

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (owner.FailLogWrite(owner.LogWrites++))
            {
                inner.Write(buffer[..(buffer.Length / 2)]);
                throw new IOException(NoSpace, 28);
            }

            inner.Write(buffer);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
