using System.Globalization;
using System.Net.Sockets;
using EdgeRnn.DeviceHost.IO;
using EdgeRnn.DeviceHost.Profiles;

namespace EdgeRnn.DeviceHost.Telemetry;

/// <summary>
/// <c>diag</c>'s rows for the <c>mqtt</c> section: where it publishes, whether the broker's port answers, and the
/// store-and-forward queue (depth, oldest age, dropped, corrupt), read without changing it (a running device owns it).
/// </summary>
internal static class TelemetryDiag
{
    /// <summary>Writes the rows; returns the number of problems (an unreachable broker, an unreadable queue).</summary>
    public static int Check(LoadedProfile profile, TextWriter stdout)
    {
        if (profile.Profile.Mqtt is not { } m)
        {
            return 0;
        }

        int problems = 0;
        int port = m.Port ?? (m.Tls is null ? 1883 : 8883);
        string id = MqttProfileCheck.DeviceId(m);
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"mqtt     {m.Host}:{port}{(m.Tls is null ? "" : " (TLS)")}, device id {id}, topics {m.TopicPrefix}/{id}/events|health|scores|birth|status"));
        try
        {
            using var tcp = new TcpClient();
            if (tcp.ConnectAsync(m.Host, port).Wait(TimeSpan.FromSeconds(3)))
            {
                stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"broker   {m.Host}:{port} accepts TCP connections"));
            }
            else
            {
                problems++;
                stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"PROBLEM  broker {m.Host}:{port}: no answer within 3 s; run would queue messages on disk until it answers"));
            }
        }
        catch (AggregateException e) when (e.InnerException is SocketException s)
        {
            problems++;
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"PROBLEM  broker {m.Host}:{port}: {ErrorText.Sanitize(s.Message)}; run would queue messages on disk until it answers"));
        }

        string folder = MqttProfileCheck.QueueFolder(profile);
        if (!Directory.Exists(folder))
        {
            stdout.WriteLine($"queue    {folder}: none yet");
            return problems;
        }

        try
        {
            using TelemetryQueue q = TelemetryQueue.Open(folder, m.Queue.MaxBytes, m.Queue.SegmentBytes ?? MqttProfileCheck.DefaultSegmentBytes(m.Queue.MaxBytes), readOnly: true);
            TimeSpan? age = q.OldestAge(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"queue    {folder}: depth {q.Depth} message(s), {q.Bytes} of {m.Queue.MaxBytes} bytes, oldest {(age is { } a ? a.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture) + " s old" : "none")}, {q.Dropped} dropped (queue full), {q.Corrupt} corrupt, next seq {q.NextSequence}"));
            foreach (string problem in q.Problems)
            {
                stdout.WriteLine($"queue    {problem} (run repairs it at start)");
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problems++;
            stdout.WriteLine($"PROBLEM  queue {folder}: {ErrorText.Describe(e)}");
        }

        return problems;
    }
}
