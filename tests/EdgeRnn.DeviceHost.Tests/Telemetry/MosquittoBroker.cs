using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace EdgeRnn.DeviceHost.Tests.Telemetry;

/// <summary>
/// A real Mosquitto broker for one test: Debian's <c>/usr/sbin/mosquitto</c> (eng/test.sh installs it) started on
/// 127.0.0.1 on a free port with a config generated into the test's folder, killed at dispose. It never uses the
/// system's mosquitto service or its config.
/// </summary>
internal sealed class MosquittoBroker : IDisposable
{
    public const string Executable = "/usr/sbin/mosquitto";

    private readonly string _folder;
    private readonly string _config;
    private Process? _process;
    private readonly StringBuilder _log = new();

    /// <param name="folder">Where the config, the persistence file and the log go.</param>
    /// <param name="extraConfig">Listener lines beyond the default plain one (TLS, passwords), with {port2} for a second free port.</param>
    /// <param name="persistence">Keep sessions and queued messages across a restart (a SIGTERM stop saves them).</param>
    public MosquittoBroker(string folder, bool persistence = false, string? extraConfig = null, bool plainAnonymous = true)
    {
        if (!File.Exists(Executable))
        {
            throw new InvalidOperationException($"{Executable} is missing: run eng/test.sh once (it installs Debian's mosquitto package), or apt-get install mosquitto.");
        }

        _folder = folder;
        Port = FreePort();
        Port2 = FreePort();
        _config = Path.Combine(folder, "mosquitto.conf");
        string user = Environment.UserName;
        var conf = new StringBuilder();
        conf.AppendLine("per_listener_settings true");
        conf.AppendLine($"user {user}");
        conf.AppendLine("max_queued_messages 0");
        conf.AppendLine("max_inflight_messages 0");
        conf.AppendLine("log_dest stderr");
        conf.AppendLine("log_type error");
        conf.AppendLine("log_type warning");
        conf.AppendLine("log_type notice");
        if (persistence)
        {
            conf.AppendLine("persistence true");
            conf.AppendLine($"persistence_location {folder}/");
            conf.AppendLine("autosave_interval 1");
        }
        else
        {
            conf.AppendLine("persistence false");
        }

        conf.AppendLine($"listener {Port} 127.0.0.1");
        conf.AppendLine(plainAnonymous ? "allow_anonymous true" : "allow_anonymous false");
        if (extraConfig is not null)
        {
            conf.AppendLine(extraConfig.Replace("{port2}", Port2.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
        }

        File.WriteAllText(_config, conf.ToString());
        Start();
    }

    public int Port { get; }

    /// <summary>A second free port for an extra listener (TLS).</summary>
    public int Port2 { get; }

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    public bool Running => _process is { HasExited: false };

    public void Start()
    {
        var psi = new ProcessStartInfo(Executable, ["-c", _config]) { RedirectStandardError = true, RedirectStandardOutput = true, WorkingDirectory = _folder };
        _process = Process.Start(psi)!;
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
        var deadline = Stopwatch.StartNew();
        while (!Listening(Port))
        {
            if (_process.HasExited || deadline.Elapsed > TimeSpan.FromSeconds(15))
            {
                throw new InvalidOperationException($"mosquitto did not start listening on 127.0.0.1:{Port}: {Log}");
            }

            Thread.Sleep(20);
        }
    }

    /// <summary>Stops the broker with SIGTERM (it saves its persistence file) and waits for it to exit.</summary>
    public void Stop()
    {
        if (_process is not { HasExited: false } p)
        {
            return;
        }

        _ = Kill(p.Id, 15);
        if (!p.WaitForExit(TimeSpan.FromSeconds(10)))
        {
            p.Kill();
            p.WaitForExit();
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.AppendLine(line);
        }
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    private static bool Listening(int port)
    {
        try
        {
            using var c = new TcpClient();
            c.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>A port nothing listens on now (the kernel's pick for port 0).</summary>
    public static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        int port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    public void Dispose()
    {
        if (_process is { } p)
        {
            try
            {
                if (!p.HasExited)
                {
                    p.Kill();
                    p.WaitForExit(TimeSpan.FromSeconds(5));
                }
            }
            catch (InvalidOperationException)
            {
            }

            p.Dispose();
        }
    }
}
