using System.CommandLine;
using EdgeRnn.DeviceHost.Loop;
using EdgeRnn.DeviceHost.Tests.Reliability;

namespace EdgeRnn.DeviceHost.Tests;

/// <summary>edgernn-device's command lines: every command's help, the shared option names, range checks before any work.</summary>
public sealed class CommandLineTests
{
    public static TheoryData<string> Commands => new(["run", "replay", "selftest", "scan", "diag", "verify", "info"]);

    [Theory]
    [MemberData(nameof(Commands))]
    public void Help_EveryCommand_ExitsZeroDocumentingEveryOptionAndExitCodes(string command)
    {
        (int code, string stdout, string stderr) = DeviceHarness.Device(command, "--help");

        Assert.Equal(0, code);
        Assert.Equal("", stderr);
        Assert.Contains("Exit codes", stdout, StringComparison.Ordinal);
        Command parsed = Program.CreateRootCommand(DeviceEnvironment.Hardware).Subcommands.Single(c => c.Name == command);
        foreach (Option option in parsed.Options.Where(o => o.Name != "--help"))
        {
            Assert.Contains(option.Name, stdout, StringComparison.Ordinal);
            Assert.False(string.IsNullOrWhiteSpace(option.Description), option.Name + " has no description");
        }
    }

    [Theory]
    [InlineData("selftest")]
    [InlineData("diag")]
    [InlineData("info")]
    public void Help_ModelIsTheSharedOption(string command)
    {
        Assert.Contains("-m, --model <model>", DeviceHarness.Device(command, "--help").Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("run", "--max-steps", "0", "--max-steps must be at least 1 (got 0)")]
    [InlineData("replay", "--max-steps", "-3", "--max-steps must be at least 1 (got -3)")]
    [InlineData("diag", "--timed-steps", "0", "--timed-steps must be between 1 and 100000000 (got 0)")]
    [InlineData("scan", "--bus", "-1", "--bus must be between 0 and 1023 (got -1)")]
    [InlineData("verify", "--rtol", "-1", "--rtol must be between 0 and 1000000 (got -1)")]
    public void OutOfRange_ExitsTwoNamingOptionAndRangeBeforeAnyWork(string command, string option, string value, string message)
    {
        string[] args = command switch
        {
            "run" or "replay" or "diag" => [command, "--profile", "/nonexistent/profile.json", option, value],
            "verify" => [command, "/nonexistent", option, value],
            _ => [command, option, value],
        };

        (int code, string stdout, string stderr) = DeviceHarness.Device(args);

        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Contains("error: " + message, stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("nonexistent", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void OldSpellings_LimitAndPositionalModel_StillParse()
    {
        string profile = Path.Combine(RepoPaths.Devices, "replay.json");

        (int code, string stdout, string stderr) = DeviceHarness.Device("replay", "--profile", profile, "--limit", "3");
        Assert.True(code == 0, stderr);
        Assert.Equal(4, stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length); // header + 3 steps

        (code, stdout, stderr) = DeviceHarness.Device("info", DeviceHarness.Model);
        Assert.True(code == 0, stderr);
        Assert.Contains("streaming yes", stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("diag", "--help")]
    public void Help_IntoAClosedPipe_EndsQuietlyWithZero(params string[] args)
    {
        // `edgernn-device diag --help | head -5`: the writer over fd 1 throws EPIPE once head has gone; that printed
        // "Unhandled exception: System.IO.IOException: Broken pipe" and exited 1 before.
        var stderr = new StringWriter();
        int code = Program.Run(args, new ClosedPipeWriter(), stderr);
        Assert.Equal(0, code);
        Assert.Equal("", stderr.ToString());
    }

    [Fact]
    public void OtherWriteErrors_AreStillReported()
    {
        var stderr = new StringWriter();
        int code = Program.Run(["--help"], new ClosedPipeWriter(errno: 28), stderr);
        Assert.Equal(1, code);
        Assert.Contains("Unhandled exception: System.IO.IOException: No space left", stderr.ToString(), StringComparison.Ordinal);
    }

    private sealed class ClosedPipeWriter(int errno = 32) : StringWriter
    {
        public override void Write(char value) => throw Error();

        public override void Write(string? value) => throw Error();

        public override void WriteLine(string? value) => throw Error();

        private IOException Error() => new(errno == 32 ? "Broken pipe" : "No space left on device", errno);
    }
}
