using EdgeRnn.DeviceHost.Profiles;
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

    [Fact]
    public void Run_StateOutsideTheWritableFolders_ExitsTwoSayingWhichFoldersMay()
    {
        using var elsewhere = new TempFolder();
        string target = elsewhere.File("victim.txt");
        File.WriteAllText(target, "not the device's\n");

        (int code, string err) = Run(state: $$"""{ "path": "{{target}}" }""");

        Assert.Equal(2, code);
        Assert.Contains("$.state.path:", err, StringComparison.Ordinal);
        Assert.Contains("is outside the folders a profile may write to", err, StringComparison.Ordinal);
        Assert.Contains("(the profile's folder)", err, StringComparison.Ordinal);
        Assert.Contains("EDGERNN_WRITABLE_DIRS", err, StringComparison.Ordinal);
        Assert.Equal("not the device's\n", File.ReadAllText(target));
    }

    [Theory]
    [InlineData("/etc/passwd")]
    [InlineData("../../../../../../../../etc/shadow")]
    [InlineData("/proc/self/status")]
    public void Run_EventLogOnASystemFile_ExitsTwo(string path)
    {
        (int code, string err) = Run(outputs: $$"""{ "eventLog": { "path": "{{path}}" } }""");

        Assert.Equal(2, code);
        Assert.Contains("$.outputs.eventLog.path:", err, StringComparison.Ordinal);
        Assert.Contains("is outside the folders a profile may write to", err, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_LinkInsideTheProfileFolderLeadingOut_ExitsTwo()
    {
        using var elsewhere = new TempFolder();
        Directory.CreateSymbolicLink(_temp.File("out"), elsewhere.Path);

        (int code, string err) = Run(state: """{ "path": "out/device.state" }""");

        Assert.Equal(2, code);
        Assert.Contains($"{elsewhere.Path}/device.state is outside the folders", err, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(elsewhere.Path, "device.state")));
    }

    [Fact]
    public void Run_StateFileIsASymbolicLink_ExitsTwo()
    {
        File.CreateSymbolicLink(_temp.File("device.state"), _temp.File("real.state"));

        (int code, string err) = Run();

        Assert.Equal(2, code);
        Assert.Contains("$.state.path:", err, StringComparison.Ordinal);
        Assert.Contains("is a symbolic link", err, StringComparison.Ordinal);
    }

    [Fact]
    public void WritableFolders_ExplicitListReplacesTheDefaults_SystemdFoldersAddedOtherwise()
    {
        using var a = new TempFolder();
        using var b = new TempFolder();
        var env = new Dictionary<string, string?> { ["STATE_DIRECTORY"] = a.Path, ["LOGS_DIRECTORY"] = $"{b.Path}:relative/ignored" };
        IReadOnlyList<(string Folder, string Why)> defaults = WritableFolders.For(_temp.Path, name => env.GetValueOrDefault(name));
        Assert.Equal([a.Path, b.Path, "/var/lib/edgernn", "/var/log/edgernn", _temp.Path], defaults.Select(d => d.Folder));
        Assert.Null(WritableFolders.Refusal(Path.Combine(b.Path, "events.jsonl"), defaults));
        Assert.NotNull(WritableFolders.Refusal("/etc/edgernn.state", defaults));
        Assert.NotNull(WritableFolders.Refusal(a.Path + "-sibling/x.state", defaults)); // a prefix of the name is not inside

        env[WritableFolders.Variable] = b.Path;
        IReadOnlyList<(string Folder, string Why)> only = WritableFolders.For(_temp.Path, name => env.GetValueOrDefault(name));
        Assert.Equal([b.Path], only.Select(d => d.Folder));
        Assert.NotNull(WritableFolders.Refusal(_temp.File("device.state"), only));
    }
}
