using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using EdgeRnn.DeviceHost.Systemd;

namespace EdgeRnn.DeviceHost.Tests;

public sealed class SystemdTests
{
    [Fact]
    public void Unit_SystemdAnalyzeVerify_ReportsNoErrors()
    {
        string unit = Path.Combine(RepoPaths.Devices, "edgernn-device.service");
        string[] text = File.ReadAllLines(unit);
        Assert.Contains("Type=notify", text);
        Assert.Contains("User=edgernn", text);
        Assert.Contains("ProtectSystem=strict", text);
        Assert.Contains("NoNewPrivileges=yes", text);
        Assert.Contains("SupplementaryGroups=i2c gpio", text);
        if (!File.Exists("/usr/bin/systemd-analyze"))
        {
            return; // the section checks above still ran
        }

        // verify needs the binary named by ExecStart: point a copy of the unit at an executable that exists.
        using var temp = new TempFolder();
        string copy = temp.File("edgernn-device.service");
        File.WriteAllLines(copy, text.Select(l => l.StartsWith("ExecStart=", StringComparison.Ordinal) ? "ExecStart=/bin/true run --profile ${EDGERNN_PROFILE}" : l));
        var psi = new ProcessStartInfo("/usr/bin/systemd-analyze", ["verify", "--man=no", copy]) { RedirectStandardError = true, RedirectStandardOutput = true };
        using Process p = Process.Start(psi)!;
        string errors = p.StandardError.ReadToEnd() + p.StandardOutput.ReadToEnd();
        p.WaitForExit();

        // Lines about the host (no user 'edgernn' here, no D-Bus in a container) are not about the unit's syntax.
        string[] relevant = [.. errors.Split('\n').Where(l => l.Contains("edgernn-device.service", StringComparison.Ordinal)
            && !l.Contains("User", StringComparison.Ordinal) && !l.Contains("Group", StringComparison.Ordinal))];
        Assert.True(relevant.Length == 0, errors);
    }

    [Fact]
    public void SdNotify_SendsReadyStatusWatchdogAndStopping_ToNotifySocket()
    {
        using var temp = new TempFolder();
        string path = temp.File("notify.sock");
        using var server = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        server.Bind(new UnixDomainSocketEndPoint(path));
        server.ReceiveTimeout = 5000;

        using (var notify = new SdNotify(path, "2000000"))
        {
            Assert.True(notify.Enabled);
            notify.Ready("running");
            notify.Watchdog();
            notify.Stopping();
        }

        var buffer = new byte[256];
        string[] messages = [.. Enumerable.Range(0, 3).Select(_ => Encoding.UTF8.GetString(buffer, 0, server.Receive(buffer)))];
        Assert.Equal(["READY=1\nSTATUS=running", "WATCHDOG=1", "STOPPING=1"], messages);
    }

    [Fact]
    public void SdNotify_WithoutSocket_DoesNothing()
    {
        using var notify = new SdNotify(null, null);
        Assert.False(notify.Enabled);
        notify.Ready("x");
        notify.Watchdog();
    }
}
