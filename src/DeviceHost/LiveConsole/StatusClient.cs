using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace EdgeRnn.DeviceHost.LiveConsole;

/// <summary>A console's end of the status socket: reads snapshot and result lines, sends commands.</summary>
internal sealed class StatusClient : IDisposable
{
    /// <summary>The longest line accepted from a server (a snapshot is a few KB).</summary>
    public const int MaxLineBytes = 1 << 20;

    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly byte[] _buffer = new byte[8192];
    private readonly MemoryStream _line = new();
    private readonly Lock _sendLock = new();
    private int _start;
    private int _end;
    private long _nextId;

    private StatusClient(string path, Socket socket)
    {
        Path = path;
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
    }

    /// <summary>A line already read (the first snapshot, read to check the profile) that the next reader should take first.</summary>
    public string? Pending { get; set; }

    /// <summary>The socket it is attached to.</summary>
    public string Path { get; }

    /// <summary>Attaches to the server at <paramref name="path"/>.</summary>
    /// <exception cref="IOException">Nothing answers there.</exception>
    public static StatusClient Connect(string path)
    {
        if (ConsoleSocket.CheckPath(path) is { } bad)
        {
            throw new IOException(bad);
        }

        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(path));
            return new StatusClient(path, socket);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new IOException($"{path}: no edgernn-device run answers ({e.Message})", e);
        }
    }

    /// <summary>The next line (without its newline), or null when the server closed the connection.</summary>
    /// <exception cref="IOException">The connection broke, or the server sent a line longer than <see cref="MaxLineBytes"/>.</exception>
    public string? ReadLine()
    {
        _line.SetLength(0);
        while (true)
        {
            if (_start == _end)
            {
                _start = 0;
                _end = _stream.Read(_buffer, 0, _buffer.Length);
                if (_end == 0)
                {
                    return _line.Length > 0 ? Encoding.UTF8.GetString(_line.GetBuffer(), 0, (int)_line.Length) : null;
                }
            }

            int newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            int stop = newline < 0 ? _end : newline;
            if (_line.Length + (stop - _start) > MaxLineBytes)
            {
                throw new IOException($"{Path}: the server sent a line longer than {MaxLineBytes} bytes; it is not an edgernn-device status socket");
            }

            _line.Write(_buffer, _start, stop - _start);
            _start = newline < 0 ? _end : newline + 1;
            if (newline >= 0)
            {
                return Encoding.UTF8.GetString(_line.GetBuffer(), 0, (int)_line.Length);
            }
        }
    }

    /// <summary>Sends a command (<c>save</c>, <c>reset</c>); returns its id, which its result line carries.</summary>
    public long Send(string command)
    {
        long id = Interlocked.Increment(ref _nextId);
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(new ConsoleRequest { Command = command, Id = id }, ConsoleJsonContext.Default.ConsoleRequest);
        lock (_sendLock)
        {
            _stream.Write(json);
            _stream.WriteByte((byte)'\n');
        }

        return id;
    }

    /// <summary>Parses a line: a snapshot, a result, or (anything else) neither.</summary>
    public static (StatusSnapshot? Snapshot, ConsoleResult? Result) Parse(string line)
    {
        try
        {
            using JsonDocument doc = JsonDocument.Parse(line);
            if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("type", out JsonElement type))
            {
                return (null, null);
            }

            return type.GetString() switch
            {
                "snapshot" => (doc.RootElement.Deserialize(ConsoleJsonContext.Default.StatusSnapshot), null),
                "result" => (null, doc.RootElement.Deserialize(ConsoleJsonContext.Default.ConsoleResult)),
                _ => (null, null),
            };
        }
        catch (JsonException)
        {
            return (null, null);
        }
    }

    public void Dispose() => _stream.Dispose();
}
