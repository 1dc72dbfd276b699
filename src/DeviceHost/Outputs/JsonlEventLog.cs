using System.Text.Json;

namespace EdgeRnn.DeviceHost.Outputs;

/// <summary>
/// Events as JSON lines (<c>{"time":...,"event":"anomaly_started","step":1234,"likelihood":0.9995,"detail":...}</c>),
/// flushed per event. When the file would pass <c>maxBytes</c> it is renamed to <c>path.1</c> (older ones shift to
/// .2 ... .keep, the oldest is deleted) and a new file starts.
/// </summary>
internal sealed class JsonlEventLog : IEventSink
{
    private readonly string _path;
    private readonly long _maxBytes;
    private readonly int _keep;
    private readonly MemoryStream _line = new();
    private FileStream _stream;

    public JsonlEventLog(string path, long maxBytes, int keep)
    {
        _path = path;
        _maxBytes = maxBytes;
        _keep = keep;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        _stream = Open();
    }

    public void OnEvent(in DeviceEvent e)
    {
        _line.SetLength(0);
        using (var w = new Utf8JsonWriter(_line))
        {
            w.WriteStartObject();
            w.WriteString("time", e.Time.UtcDateTime);
            w.WriteString("event", e.Name);
            w.WriteNumber("step", e.Step);
            if (e.Kind is DeviceEventKind.AnomalyStarted or DeviceEventKind.AnomalyEnded)
            {
                w.WriteNumber("likelihood", e.Likelihood);
            }

            if (e.Detail is not null)
            {
                w.WriteString("detail", e.Detail);
            }

            w.WriteEndObject();
        }

        _line.WriteByte((byte)'\n');
        if (_stream.Length > 0 && _stream.Length + _line.Length > _maxBytes)
        {
            Rotate();
        }

        _stream.Write(_line.GetBuffer().AsSpan(0, (int)_line.Length));
        _stream.Flush();
    }

    private void Rotate()
    {
        _stream.Dispose();
        File.Delete($"{_path}.{_keep}");
        for (int i = _keep - 1; i >= 1; i--)
        {
            if (File.Exists($"{_path}.{i}"))
            {
                File.Move($"{_path}.{i}", $"{_path}.{i + 1}", overwrite: true);
            }
        }

        File.Move(_path, _path + ".1", overwrite: true);
        _stream = Open();
    }

    private FileStream Open() => new(_path, FileMode.Append, FileAccess.Write, FileShare.Read);

    public void Dispose()
    {
        _stream.Dispose();
        _line.Dispose();
    }
}
