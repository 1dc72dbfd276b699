namespace EdgeRnn.DeviceHost.Tests.Reliability;

/// <summary>Issue 13, item 2: profile paths that cannot work are a clear profile error (exit 2) naming the field.</summary>
public sealed class ProfilePathTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private (int Code, string Err) Run(string? outputs = DeviceHarness.DefaultOutputs, string? state = DeviceHarness.DefaultState, string sensor = DeviceHarness.CsvSensor)
    {
        DeviceHarness.WriteCsv(_temp, rows: 20);
        string profile = DeviceHarness.Profile(_temp, sensor, outputs, state);
        (int code, string stdout, string stderr) = DeviceHarness.Device("run", "--profile", profile);
        Assert.Equal("", stdout); // nothing ran
        return (code, stderr);
    }

    [Fact]
    public void Run_StatePathIsFolder_ExitsTwoNamingField()
    {
        Directory.CreateDirectory(_temp.File("statedir"));

        (int code, string err) = Run(state: """{ "path": "statedir" }""");

        Assert.Equal(2, code);
        Assert.Contains("$.state.path:", err, StringComparison.Ordinal);
        Assert.Contains("is a folder", err, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_StatePathEndsWithSlash_ExitsTwoNamingField()
    {
        (int code, string err) = Run(state: """{ "path": "run/" }""");

        Assert.Equal(2, code);
        Assert.Contains("$.state.path: 'run/' names a folder", err, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(230, "the file name is too long")]
    [InlineData(5000, "the path is too long")]
    public void Run_StatePathTooLong_ExitsTwoNamingField(int length, string expected)
    {
        string path = length > 255 ? string.Join('/', Enumerable.Repeat(new string('d', 200), length / 201)) + "/s" : new string('s', length);

        (int code, string err) = Run(state: $$"""{ "path": "{{path}}" }""");

        Assert.Equal(2, code);
        Assert.Contains("$.state.path:", err, StringComparison.Ordinal);
        Assert.Contains(expected, err, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("state")]
    [InlineData("eventLog")]
    [InlineData("file")]
    public void Run_NulInProfilePath_ExitsTwoNamingField(string field)
    {
        (int code, string err) = field switch
        {
            "state" => Run(state: """{ "path": "dev\u0000ice.state" }"""),
            "eventLog" => Run(outputs: """{ "eventLog": { "path": "ev\u0000ents.jsonl" } }"""),
            _ => Run(sensor: DeviceHarness.CsvSensor.Replace("data.csv", "da\\u0000ta.csv", StringComparison.Ordinal)),
        };

        Assert.Equal(2, code);
        Assert.Contains(field switch { "state" => "$.state.path:", "eventLog" => "$.outputs.eventLog.path:", _ => "$.sensors[0].file:" }, err, StringComparison.Ordinal);
        Assert.Contains("NUL", err, StringComparison.Ordinal);
        Assert.DoesNotContain("\0", err, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_NulInProfileArgument_ExitsTwo()
    {
        (int code, _, string err) = DeviceHarness.Device("run", "--profile", "pro\0file.json");

        Assert.Equal(2, code);
        Assert.Contains("NUL", err, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("device.state")]
    [InlineData("./device.state")]
    [InlineData("device.state.1")]
    public void Run_EventLogIsStateFile_ExitsTwoNamingField(string logPath)
    {
        string state = logPath == "device.state.1" ? """{ "path": "events.jsonl.1" }""" : DeviceHarness.DefaultState;
        string log = logPath == "device.state.1" ? "events.jsonl" : logPath;

        (int code, string err) = Run(outputs: $$"""{ "eventLog": { "path": "{{log}}" } }""", state: state);

        Assert.Equal(2, code);
        Assert.Contains("$.outputs.eventLog.path: is the state file", err, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_StateIsTheReplayFile_ExitsTwoNamingField()
    {
        (int code, string err) = Run(state: """{ "path": "data.csv" }""");

        Assert.Equal(2, code);
        Assert.Contains("$.state.path: is the same file as $.sensors[0].file", err, StringComparison.Ordinal);
    }
}
