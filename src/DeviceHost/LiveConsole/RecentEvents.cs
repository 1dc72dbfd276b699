using System.Globalization;
using EdgeRnn.DeviceHost.IO;
using EdgeRnn.DeviceHost.Outputs;

namespace EdgeRnn.DeviceHost.LiveConsole;

/// <summary>
/// The last <see cref="Capacity"/> events as display lines, for the live console. Written by the loop thread (an
/// output like the event log), read by the status server without a lock: a slot is one immutable string, the count is
/// published after it.
/// </summary>
internal sealed class RecentEvents : IEventSink
{
    /// <summary>Events kept.</summary>
    public const int Capacity = 16;

    private readonly string?[] _ring = new string?[Capacity];
    private long _count;

    public string Name => "live console";

    public void OnEvent(in DeviceEvent e)
    {
        string likelihood = e.Kind is DeviceEventKind.AnomalyStarted or DeviceEventKind.AnomalyEnded
            ? string.Create(CultureInfo.InvariantCulture, $" likelihood {e.Likelihood:0.0000}")
            : "";
        string line = string.Create(CultureInfo.InvariantCulture,
            $"{e.Time:HH:mm:ss} step {e.Step} {e.Name}{likelihood}{(e.Detail is null ? "" : " " + ErrorText.Sanitize(e.Detail, 300))}");
        long n = _count;
        Volatile.Write(ref _ring[n % Capacity], line);
        Volatile.Write(ref _count, n + 1);
    }

    /// <summary>Events so far.</summary>
    public long Count => Volatile.Read(ref _count);

    /// <summary>The last events, oldest first (any thread).</summary>
    public string[] Last(int max)
    {
        long n = Volatile.Read(ref _count);
        int take = (int)Math.Min(Math.Min(max, Capacity - 1), n);
        var lines = new string[take];
        for (int i = 0; i < take; i++)
        {
            lines[i] = Volatile.Read(ref _ring[(n - take + i) % Capacity]) ?? "";
        }

        return lines;
    }

    public void Dispose()
    {
    }
}
