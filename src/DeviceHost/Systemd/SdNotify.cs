using System.Globalization;
using System.Net.Sockets;
using System.Text;
using EdgeRnn.DeviceHost.IO;

namespace EdgeRnn.DeviceHost.Systemd;

/// <summary>
/// systemd's notification protocol (sd_notify(3)) without libsystemd: one datagram per message to the unix socket
/// named by <c>NOTIFY_SOCKET</c> (a path, or an abstract name starting with '@'). Without the variable (not started
/// by systemd, or Type=simple) every call does nothing. When to send <c>WATCHDOG=1</c> is the caller's decision
/// (<see cref="Loop.ServiceHeartbeat"/> does it on a timer every <see cref="WatchdogInterval"/>, half of
/// <c>WATCHDOG_USEC</c>). Safe to call from several threads (one datagram per call).
/// </summary>
internal sealed class SdNotify : IDisposable
{
    private static readonly byte[] s_watchdog = "WATCHDOG=1"u8.ToArray();
    private readonly Socket? _socket;

    /// <param name="socketPath"><c>NOTIFY_SOCKET</c>.</param>
    /// <param name="watchdogUsec"><c>WATCHDOG_USEC</c>: the watchdog timeout in microseconds.</param>
    /// <param name="watchdogPid"><c>WATCHDOG_PID</c>: when set, the watchdog is this process's only if it names it.</param>
    public SdNotify(string? socketPath, string? watchdogUsec, string? watchdogPid = null)
    {
        if (string.IsNullOrEmpty(socketPath))
        {
            return;
        }

        string name = socketPath[0] == '@' ? "\0" + socketPath[1..] : socketPath;
        // Non-blocking: a notification that cannot be queued now (systemd busy, a full socket) is dropped, never
        // waited for; the loop and the heartbeat timer must not hang on an advisory message.
        _socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified) { Blocking = false };
        try
        {
            _socket.Connect(new UnixDomainSocketEndPoint(name));
        }
        catch (SocketException)
        {
            _socket.Dispose();
            _socket = null;
        }

        bool ours = string.IsNullOrEmpty(watchdogPid)
            || (int.TryParse(watchdogPid, NumberStyles.None, CultureInfo.InvariantCulture, out int pid) && pid == Environment.ProcessId);
        if (ours && long.TryParse(watchdogUsec, NumberStyles.None, CultureInfo.InvariantCulture, out long usec) && usec > 0)
        {
            WatchdogInterval = TimeSpan.FromMilliseconds(Math.Max(1, usec / 2000));
        }
    }

    /// <summary>From the process environment.</summary>
    public static SdNotify FromEnvironment() =>
        new(Environment.GetEnvironmentVariable("NOTIFY_SOCKET"), Environment.GetEnvironmentVariable("WATCHDOG_USEC"), Environment.GetEnvironmentVariable("WATCHDOG_PID"));

    public bool Enabled => _socket is not null;

    /// <summary>How often to send <c>WATCHDOG=1</c> (half the watchdog timeout); null when systemd set no watchdog.</summary>
    public TimeSpan? WatchdogInterval { get; }

    /// <summary>READY=1 with a status line (control characters escaped: a newline would start another field).</summary>
    public void Ready(string status) => Send($"READY=1\nSTATUS={ErrorText.Sanitize(status, 1000)}");

    /// <summary>STOPPING=1.</summary>
    public void Stopping() => Send("STOPPING=1");

    /// <summary>STATUS=... (control characters escaped).</summary>
    public void Status(string status) => Send("STATUS=" + ErrorText.Sanitize(status, 1000));

    /// <summary>Pets the watchdog (when systemd set one); allocation-free.</summary>
    public void Watchdog()
    {
        if (_socket is not null && WatchdogInterval is not null)
        {
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
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // systemd went away (or the socket is full, or the timer raced the shutdown); notifications are advisory.
        }
    }

    public void Dispose() => _socket?.Dispose();
}
