using System.Diagnostics;
using System.Text.Json;
using EdgeRnn.DeviceHost.IO;

namespace EdgeRnn.DeviceHost.Outputs;

/// <summary>
/// Events as JSON lines (<c>{"time":...,"event":"anomaly_started","step":1234,"likelihood":0.9995,"detail":...}</c>).
/// When the file would pass <c>maxBytes</c> it is renamed to <c>path.1</c> (older ones shift to .2 ... .keep, the
/// oldest is deleted) and a new file starts.
/// </summary>
/// <remarks>
/// <para>Durability: every line is one write(2) of an unbuffered stream (in the kernel at once, so a crash of the
/// process loses nothing); fsync follows every anomaly, fault, state and lifecycle event, and any other event when the
/// last fsync is at least <see cref="SyncInterval"/> old; <see cref="Dispose"/> syncs what is left. A power cut can
/// so lose at most the routine events (sensor transitions) of the last second.</para>
/// <para>Repair: a file whose last line has no newline (a power cut or a full disk in the middle of a write) is cut
/// back to its last complete line before anything is appended, and a <c>log_repaired</c> line says how many bytes
/// were dropped.</para>
/// <para>Failures (a full disk, a read-only remount) throw to the caller (the loop counts them as faults) and leave
/// the log closed: the next event opens, repairs and appends again, so writing resumes when the disk does.</para>
/// </remarks>
internal sealed class JsonlEventLog : IEventSink
{
    /// <summary>The longest a routine event waits for its fsync.</summary>
    public static readonly TimeSpan SyncInterval = TimeSpan.FromSeconds(1);

    private readonly DeviceFileSystem _files;
    private readonly string _path;
    private readonly long _maxBytes;
    private readonly int _keep;
    private readonly Func<long> _now;
    private readonly MemoryStream _line = new();
    private Stream? _stream;
    private long? _lastSync;
    private bool _unsynced;

    /// <param name="files">Opens the file.</param>
    /// <param name="path">The log file.</param>
    /// <param name="maxBytes">The size at which it rotates.</param>
    /// <param name="keep">Rotated files kept.</param>
    /// <param name="now">Monotonic time in <see cref="Stopwatch"/> ticks (for the fsync policy).</param>
    public JsonlEventLog(DeviceFileSystem files, string path, long maxBytes, int keep, Func<long> now)
    {
        _files = files;
        _path = path;
        _maxBytes = maxBytes;
        _keep = keep;
        _now = now;
    }

    public string Name => "event log " + _path;

    /// <summary>Partial last lines cut off (see the remarks).</summary>
    public int Repairs { get; private set; }

    /// <summary>fsync calls made.</summary>
    public long Syncs { get; private set; }

    /// <summary>Opens the file now (else the first event opens it), so a log that cannot be written is known at start.</summary>
    /// <exception cref="IOException">The file or its folder cannot be opened.</exception>
    /// <exception cref="UnauthorizedAccessException">No permission.</exception>
    public void Open() => EnsureOpen(step: 0);

    public void OnEvent(in DeviceEvent e)
    {
        EnsureOpen(e.Step);
        Serialize(e.Time, e.Name, e.Step, e.Kind is DeviceEventKind.AnomalyStarted or DeviceEventKind.AnomalyEnded ? e.Likelihood : null, e.Detail);
        try
        {
            if (_stream!.Length > 0 && _stream.Length + _line.Length > _maxBytes)
            {
                Rotate();
                EnsureOpen(e.Step);
            }

            _stream!.Write(_line.GetBuffer().AsSpan(0, (int)_line.Length));
            _unsynced = true;
            if (Important(e.Kind) || _lastSync is not { } last || Stopwatch.GetElapsedTime(last, _now()) >= SyncInterval)
            {
                Sync();
            }
        }
        catch
        {
            // Whatever reached the disk may end in half a line: close, and repair on the next open.
            Close();
            throw;
        }
    }

    private static bool Important(DeviceEventKind kind) => kind is not (DeviceEventKind.SensorDegraded or DeviceEventKind.SensorRecovered);

    private void Serialize(DateTimeOffset time, string name, long step, float? likelihood, string? detail)
    {
        _line.SetLength(0);
        using (var w = new Utf8JsonWriter(_line))
        {
            w.WriteStartObject();
            w.WriteString("time", time.UtcDateTime);
            w.WriteString("event", name);
            w.WriteNumber("step", step);
            if (likelihood is { } l)
            {
                w.WriteNumber("likelihood", l);
            }

            if (detail is not null)
            {
                w.WriteString("detail", detail);
            }

            w.WriteEndObject();
        }

        _line.WriteByte((byte)'\n');
    }

    private void EnsureOpen(long step)
    {
        if (_stream is not null)
        {
            return;
        }

        Stream stream = _files.OpenLog(_path);
        try
        {
            long dropped = RepairPartialLine(stream);
            stream.Seek(0, SeekOrigin.End);
            if (dropped > 0)
            {
                Repairs++;
                Serialize(DateTimeOffset.UtcNow, "log_repaired", step,
                    null, $"removed a partial last line of {dropped} bytes (a power cut or a full disk during a write)");
                stream.Write(_line.GetBuffer().AsSpan(0, (int)_line.Length));
                Flush(stream);
            }
        }
        catch
        {
            stream.Dispose();
            throw;
        }

        _stream = stream;
    }

    /// <summary>Cuts the file back to just after its last newline when it does not end in one; returns the bytes removed.</summary>
    internal static long RepairPartialLine(Stream stream)
    {
        long length = stream.Length;
        if (length == 0)
        {
            return 0;
        }

        Span<byte> buffer = stackalloc byte[4096];
        long end = length;
        while (end > 0)
        {
            int n = (int)Math.Min(buffer.Length, end);
            stream.Seek(end - n, SeekOrigin.Begin);
            stream.ReadExactly(buffer[..n]);
            int at = buffer[..n].LastIndexOf((byte)'\n');
            if (at >= 0)
            {
                long keep = end - n + at + 1;
                if (keep == length)
                {
                    return 0;
                }

                stream.SetLength(keep);
                return length - keep;
            }

            end -= n;
        }

        stream.SetLength(0);
        return length;
    }

    private void Sync()
    {
        Flush(_stream!);
        Syncs++;
        _lastSync = _now();
        _unsynced = false;
    }

    private static void Flush(Stream stream)
    {
        if (stream is FileStream file)
        {
            file.Flush(flushToDisk: true);
        }
        else
        {
            stream.Flush();
        }
    }

    private void Rotate()
    {
        Close();
        File.Delete($"{_path}.{_keep}");
        for (int i = _keep - 1; i >= 1; i--)
        {
            if (File.Exists($"{_path}.{i}"))
            {
                File.Move($"{_path}.{i}", $"{_path}.{i + 1}", overwrite: true);
            }
        }

        File.Move(_path, _path + ".1", overwrite: true);
    }

    private void Close()
    {
        Stream? stream = _stream;
        _stream = null;
        if (stream is null)
        {
            return;
        }

        try
        {
            if (_unsynced)
            {
                Flush(stream);
                Syncs++;
                _unsynced = false;
            }
        }
        catch (IOException)
        {
            // The disk that failed the write may fail the sync too; what reached it is repaired at the next open.
        }
        finally
        {
            try
            {
                stream.Dispose();
            }
            catch (IOException)
            {
            }
        }
    }

    public void Dispose()
    {
        Close();
        _line.Dispose();
    }
}
