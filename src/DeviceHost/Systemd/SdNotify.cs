using System.Net.Sockets;
using System.Text;

namespace EdgeRnn.DeviceHost.Systemd;

/// <summary>
/// systemd's notification protocol (sd_notify(3)) without libsystemd: one datagram per message to the unix socket
/// named by <c>NOTIFY_SOCKET</c> (a path, or an abstract name starting with '@'). Without the variable (not started
/// by systemd, or Type=simple) every call does nothing. <c>WATCHDOG=1</c> is sent at most every half of
/// <c>WATCHDOG_USEC</c>.
/// </summary>
internal sealed class SdNotify : IDisposable
{
    private static readonly byte[] s_watchdog = "WATCHDOG=1"u8.ToArray();
    private readonly Socket? _socket;
    private readonly long _watchdogIntervalMs;
    private long _lastWatchdog;

    public SdNotify(string? socketPath, string? watchdogUsec)
    {
        if (string.IsNullOrEmpty(socketPath))
        {
            return;
        }

        string name = socketPath[0] == '@' ? "\0" + socketPath[1..] : socketPath;
        _socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        try
        {
            _socket.Connect(new UnixDomainSocketEndPoint(name));
        }
        catch (SocketException)
        {
            _socket.Dispose();
            _socket = null;
        }

        if (long.TryParse(watchdogUsec, out long usec) && usec > 0)
        {
            _watchdogIntervalMs = Math.Max(1, usec / 2000);
        }
    }

    /// <summary>From the process environment.</summary>
    public static SdNotify FromEnvironment() =>
        new(Environment.GetEnvironmentVariable("NOTIFY_SOCKET"), Environment.GetEnvironmentVariable("WATCHDOG_USEC"));

    public bool Enabled => _socket is not null;

    /// <summary>READY=1 with a status line.</summary>
    public void Ready(string status) => Send($"READY=1\nSTATUS={status}");

    /// <summary>STOPPING=1.</summary>
    public void Stopping() => Send("STOPPING=1");

    /// <summary>STATUS=...</summary>
    public void Status(string status) => Send("STATUS=" + status);

    /// <summary>Pets the watchdog when due; allocation-free.</summary>
    public void Watchdog()
    {
        if (_socket is null || _watchdogIntervalMs == 0)
        {
            return;
        }

        long now = Environment.TickCount64;
        if (now - _lastWatchdog >= _watchdogIntervalMs)
        {
            _lastWatchdog = now;
            TrySend(s_watchdog);
        }
    }

    private void Send(string message)
    {
        if (_socket is not null)
        {
            TrySend(Encoding.UTF8.GetBytes(message));
        }
    }

    private void TrySend(byte[] bytes)
    {
        try
        {
            _socket!.Send(bytes);
        }
        catch (SocketException)
        {
            // systemd went away (or the socket is full); notifications are advisory.
        }
    }

    public void Dispose() => _socket?.Dispose();
}
