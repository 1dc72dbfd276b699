namespace EdgeRnn.DeviceHost.Tests.Reliability;

/// <summary>
/// Issue 13, item 13: the unit gave up after 5 starts in 5 minutes (a device left dead after a bad hour), and
/// restarted a bad configuration as if it were transient.
/// </summary>
public sealed class UnitRestartPolicyTests
{
    private static readonly string[] s_unit = File.ReadAllLines(Path.Combine(RepoPaths.Devices, "edgernn-device.service"));

    private static string[] Section(string name) =>
        [.. s_unit.SkipWhile(l => l != $"[{name}]").Skip(1).TakeWhile(l => !l.StartsWith('[')).Where(l => l.Length > 0 && l[0] != '#')];

    [Fact]
    public void Unit_RestartPolicy_NeverGivesUpOnTransientFaults()
    {
        Assert.Contains("StartLimitIntervalSec=0", Section("Unit"));
        Assert.DoesNotContain(Section("Unit"), l => l.StartsWith("StartLimitBurst=", StringComparison.Ordinal));
        string[] service = Section("Service");
        Assert.Contains(service, l => l is "Restart=on-failure" or "Restart=always");
        Assert.Contains(service, l => l.StartsWith("RestartSec=", StringComparison.Ordinal) && int.Parse(l["RestartSec=".Length..], System.Globalization.CultureInfo.InvariantCulture) > 0);
        Assert.Contains("WatchdogSec=60", service);
    }

    [Fact]
    public void Unit_BadConfigurationAndSecondInstance_NotRestarted()
    {
        string line = Assert.Single(Section("Service"), l => l.StartsWith("RestartPreventExitStatus=", StringComparison.Ordinal));
        string[] codes = line["RestartPreventExitStatus=".Length..].Split(' ');

        Assert.Contains("2", codes); // bad profile or model (ToolExitCodes.BadInput)
        Assert.Contains("3", codes); // already running (DeviceExitCodes.AlreadyRunning)
        Assert.Equal(2, Deployment.Cli.ToolExitCodes.BadInput);
        Assert.Equal(3, Commands.DeviceExitCodes.AlreadyRunning);
    }

    [Theory]
    [InlineData("NoNewPrivileges=yes")]
    [InlineData("ProtectSystem=strict")]
    [InlineData("PrivateNetwork=yes")]
    [InlineData("RestrictAddressFamilies=AF_UNIX")]
    [InlineData("MemoryDenyWriteExecute=yes")]
    [InlineData("CapabilityBoundingSet=")]
    [InlineData("DevicePolicy=closed")]
    [InlineData("StateDirectory=edgernn")]
    [InlineData("MemoryMax=64M")]
    public void Unit_Hardening_Kept(string setting) => Assert.Contains(setting, Section("Service"));
}
