using EdgeRnn.DeviceHost.IO;
using EdgeRnn.DeviceHost.Outputs;
using EdgeRnn.DeviceHost.Profiles;

namespace EdgeRnn.DeviceHost.Tests.Reliability;

/// <summary>
/// Issue 13: error messages are sentences, never resource keys (the AOT binary uses UseSystemResourceKeys), and text
/// from files reaches the terminal with its control characters escaped.
/// </summary>
public sealed class ErrorMessageTests : IDisposable
{
    private const string Minimal = """
        { "name": "t", "model": "m.onnx", "samplePeriodSeconds": 1,
          "sensors": [ { "id": "s", "kind": "bme280", "readings": [ { "reading": "temperature", "feature": "temperature", "unit": "degC" } ] } ] }
        """;

    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private static string ParseError(string json) => Assert.Throws<ProfileException>(() => ProfileLoader.Parse(json, "p.json")).Message;

    [Fact]
    public void Parse_MissingRequiredUnit_SaysWhichFieldWhere()
    {
        string message = ParseError(Minimal.Replace(", \"unit\": \"degC\"", "", StringComparison.Ordinal));

        Assert.Equal("p.json: $.sensors[0].readings[0]: the field 'unit' is required.", message);
    }

    [Theory]
    [InlineData("\"address\": \"0x76\"", "\"adress\": \"0x76\"", "$.sensors[0].adress: unknown field 'adress'; did you mean 'address'?")]
    [InlineData("\"name\": \"t\"", "\"name\": \"t\", \"Model\": \"x\"", "$.Model: unknown field 'Model'; did you mean 'model'?")]
    [InlineData("\"samplePeriodSeconds\": 1", "\"samplePeriodSeconds\": \"1\"", "$.samplePeriodSeconds: must be a number, not a string")]
    [InlineData("\"name\": \"t\"", "\"name\": null", "$.name: must not be null")]
    [InlineData("\"samplePeriodSeconds\": 1", "\"samplePeriodSeconds\": 1,", "line 1, byte")]
    [InlineData("\"kind\": \"bme280\"", "\"kind\": \"bme280\", \"bus\": 1.5", "$.sensors[0].bus: must be a whole number")]
    public void Parse_BadJson_SentenceNamingThePath(string from, string to, string expected)
    {
        string json = Minimal.Replace("\"kind\": \"bme280\"", "\"kind\": \"bme280\", \"address\": \"0x76\"", StringComparison.Ordinal).Replace(from, to, StringComparison.Ordinal);

        string message = ParseError(json);

        Assert.Contains(expected, message, StringComparison.Ordinal);
        Assert.DoesNotContain("?.", message, StringComparison.Ordinal);
        Assert.False(ErrorText.LooksLikeResourceKey(message[(message.IndexOf(": ", StringComparison.Ordinal) + 2)..]), message);
    }

    [Theory]
    [InlineData("IO_FileNotFound_FileName, /etc/edgernn/x.onnx", true)]
    [InlineData("JsonRequiredPropertiesMissing, EdgeRnn.DeviceHost.Profiles.ReadingProfile, 'unit'", true)]
    [InlineData("UnauthorizedAccess_IODenied_Path, /var/lib/edgernn/s.state", true)]
    [InlineData("No space left on device : '/var/lib/edgernn/s.state'", false)]
    [InlineData("Broken pipe", false)]
    [InlineData("the replay file does not exist.", false)]
    public void LooksLikeResourceKey_KeysAndSentences(string message, bool key) => Assert.Equal(key, ErrorText.LooksLikeResourceKey(message));

    [Fact]
    public void Describe_ResourceKeyMessages_BecomeSentencesKeepingThePath()
    {
        Assert.Equal("/etc/edgernn/x.onnx: the file does not exist", ErrorText.Describe(new FileNotFoundException("IO_FileNotFound_FileName, /etc/edgernn/x.onnx")));
        Assert.Equal("/var/lib/x: permission denied", ErrorText.Describe(new UnauthorizedAccessException("UnauthorizedAccess_IODenied_Path, /var/lib/x")));
        Assert.Equal("an I/O error", ErrorText.Describe(new IOException("IO_UnknownError")));
        Assert.Equal("No space left on device", ErrorText.Describe(new IOException("No space left on device")));
    }

    [Fact]
    public void Run_MissingProfile_SentenceNotKey()
    {
        (int code, _, string stderr) = DeviceHarness.Device("run", "--profile", _temp.File("none.json"));

        Assert.Equal(2, code);
        Assert.Contains("none.json: cannot read the profile: the file does not exist.", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Sanitize_ControlCharacters_Escaped()
    {
        Assert.Equal("a\\u001B[31mb\\u000Ac\\u202Ed", ErrorText.Sanitize("a\u001b[31mb\nc\u202ed"));
        Assert.Equal("plain", ErrorText.Sanitize("plain"));
        Assert.Equal("abc...", ErrorText.Sanitize("abcdef", 3));
    }

    [Fact]
    public void Run_ProfileNameWithEscapes_ConsoleShowsThemEscaped()
    {
        DeviceHarness.WriteCsv(_temp, rows: 5);
        string profile = DeviceHarness.Profile(_temp, outputs: """{ "console": "events" }""", state: null);
        File.WriteAllText(profile, File.ReadAllText(profile).Replace("\"name\": \"test\"", "\"name\": \"te\\u001b[2Jst\\nforged\"", StringComparison.Ordinal));

        (int code, string stdout, _) = DeviceHarness.Device("run", "--profile", profile);

        Assert.Equal(0, code);
        Assert.DoesNotContain("\u001b", stdout, StringComparison.Ordinal);
        Assert.Contains("profile te\\u001B[2Jst\\u000Aforged", stdout, StringComparison.Ordinal);
        Assert.All(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => Assert.Matches(@"^\d{4}-", l));
    }

    [Fact]
    public void ConsoleSink_Detail_Sanitized()
    {
        using var writer = new StringWriter();
        using var sink = new ConsoleSink(writer, steps: false);

        sink.OnEvent(new DeviceEvent(DeviceEventKind.Warning, 0, DateTimeOffset.UnixEpoch, Detail: "x\ry"));

        Assert.EndsWith("warning x\\u000Dy" + Environment.NewLine, writer.ToString(), StringComparison.Ordinal);
    }
}
