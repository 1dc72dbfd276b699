using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using EdgeRnn.DeviceHost.IO;

namespace EdgeRnn.DeviceHost.LiveConsole;

/// <summary>
/// The status socket of a running <c>run</c>: a Unix stream socket (mode 0660: the service's user and group) that
/// streams a <see cref="StatusSnapshot"/> as one JSON line every <see cref="Interval"/> to every attached console, and
/// takes commands as JSON lines (<c>{"command":"save","id":1}</c>, <c>reset</c>), answered by a
/// <see cref="ConsoleResult"/> line once the loop has run them between two steps.
/// </summary>
/// <remarks>
/// Its own threads: a publisher thread builds and serializes each snapshot once, and offers it to each console's
/// bounded outbox; a console whose outbox is full (it stopped reading, or reads slower than snapshots come) is dropped,
/// never waited for. Each console has a sender and a reader task. A request line longer than
/// <see cref="MaxRequestBytes"/>, or more than <see cref="MaxConsoles"/> consoles, is refused with a result line and the
/// connection closed. Nothing here runs on or blocks the loop thread: commands go through <see cref="ConsoleCommands"/>.
/// </remarks>
internal sealed class StatusServer : IDisposable
{
    /// <summary>The longest request line.</summary>
    public const int MaxRequestBytes = 1024;

    /// <summary>Consoles attached at once.</summary>
    public const int MaxConsoles = 16;

    /// <summary>Lines waiting for a console before it is dropped (two seconds of snapshots).</summary>
    public const int OutboxLines = 8;

    /// <summary>The kernel's send buffer per console (Linux doubles it).</summary>
    public const int SendBufferBytes = 16 * 1024;

    /// <summary>How long a command's result is awaited before the console is told it is still queued.</summary>
    public static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(10);

    private readonly Socket _listener;
    private readonly SnapshotSource _source;
    private readonly ConsoleCommands _commands;
    private readonly Func<ConsoleAction, string> _describe;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _clientsLock = new();
    private readonly List<Client> _clients = [];
    private readonly Thread _publisher;
    private readonly Task _accepting;
    private long _dropped;
    private long _served;
    private long _failedSnapshots;
    private int _disposed;

    private StatusServer(string path, Socket listener, SnapshotSource source, ConsoleCommands commands, TimeSpan interval)
    {
        Path = path;
        _listener = listener;
        _source = source;
        _commands = commands;
        _describe = a => a.ToString().ToLowerInvariant();
        Interval = interval;
        _publisher = new Thread(Publish) { IsBackground = true, Name = "edgernn status publisher" };
        _publisher.Start();
        _accepting = Task.Run(AcceptAsync);
    }

    /// <summary>The socket file.</summary>
    public string Path { get; }

    /// <summary>Time between snapshots.</summary>
    public TimeSpan Interval { get; }

    /// <summary>Consoles dropped because they did not keep up or broke the protocol.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Snapshot lines handed to consoles.</summary>
    public long Served => Interlocked.Read(ref _served);

    /// <summary>Snapshots that could not be built (each told to the consoles as a result line).</summary>
    public long FailedSnapshots => Interlocked.Read(ref _failedSnapshots);

    /// <summary>Consoles attached now.</summary>
    public int Attached
    {
        get
        {
            lock (_clientsLock)
            {
                return _clients.Count;
            }
        }
    }

    /// <summary>
    /// Binds <paramref name="path"/> (removing a socket file left by a process that died, but never one a live server
    /// answers on), limits it to mode 0660 and starts serving.
    /// </summary>
    /// <exception cref="IOException">The path is too long, a live server answers there, or it cannot be bound.</exception>
    public static StatusServer Start(string path, SnapshotSource source, ConsoleCommands commands, TimeSpan? interval = null)
    {
        if (ConsoleSocket.CheckPath(path) is { } tooLong)
        {
            throw new IOException(tooLong);
        }

        if (File.Exists(path))
        {
            if (ConsoleSocket.Answers(path))
            {
                throw new IOException($"{path}: another process serves a console here already");
            }

            File.Delete(path); // left by a process that died without removing it
        }

        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            listener.Bind(new UnixDomainSocketEndPoint(path));
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite);
            }

            listener.Listen(MaxConsoles);
        }
        catch (SocketException e)
        {
            listener.Dispose();
            throw new IOException($"{path}: cannot serve the console socket: {e.Message}", e);
        }
        catch
        {
            listener.Dispose();
            throw;
        }

        return new StatusServer(path, listener, source, commands, interval ?? TimeSpan.FromMilliseconds(250));
    }

    private void Publish()
    {
        var buffer = new ArrayBufferWriterStream();
        while (!_stop.IsCancellationRequested)
        {
            Client[] clients;
            lock (_clientsLock)
            {
                clients = [.. _clients];
            }

            byte[]? line = null;
            if (clients.Length > 0)
            {
                try
                {
                    line = Serialize(_source.Build(clients.Length, Dropped), buffer);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    // A snapshot that cannot be built (a /proc file gone odd, a bug) must never end the service: the
                    // consoles are told, and the next tick tries again.
                    Interlocked.Increment(ref _failedSnapshots);
                    line = Result(null, null, false, $"the device could not build a status snapshot: {ErrorText.Describe(e)}");
                }

                foreach (Client c in clients)
                {
                    if (c.Outbox.Writer.TryWrite(line))
                    {
                        Interlocked.Increment(ref _served);
                    }
                    else
                    {
                        Drop(c, counted: true);
                    }
                }
            }

            _stop.Token.WaitHandle.WaitOne(Interval);
        }
    }

    private static byte[] Serialize(StatusSnapshot snapshot, ArrayBufferWriterStream buffer)
    {
        buffer.SetLength(0);
        JsonSerializer.Serialize(buffer, snapshot, ConsoleJsonContext.Default.StatusSnapshot);
        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (_stop.IsCancellationRequested)
                {
                    return;
                }

                await Task.Delay(100).ConfigureAwait(false); // EMFILE and the like: try again, never spin
                continue;
            }

            try
            {
                // A small kernel buffer per console: one that stops reading fills it and its outbox within seconds and
                // is dropped, rather than the server holding a few hundred KB for it.
                socket.SendBufferSize = SendBufferBytes;
            }
            catch (SocketException)
            {
            }

            var client = new Client(socket);
            bool full;
            lock (_clientsLock)
            {
                full = _clients.Count >= MaxConsoles;
                if (!full)
                {
                    _clients.Add(client);
                }
            }

            if (full)
            {
                _ = RefuseAsync(client, $"{MaxConsoles} consoles are attached already; close one first");
                continue;
            }

            client.Sending = Task.Run(() => SendAsync(client));
            client.Reading = Task.Run(() => ReadAsync(client));
        }
    }

    private async Task RefuseAsync(Client client, string why)
    {
        client.Outbox.Writer.TryWrite(Result(null, null, false, why));
        client.Outbox.Writer.TryComplete();
        await SendAsync(client).ConfigureAwait(false);
    }

    private async Task SendAsync(Client client)
    {
        try
        {
            await foreach (byte[] line in client.Outbox.Reader.ReadAllAsync(client.Closed.Token).ConfigureAwait(false))
            {
                int sent = 0;
                while (sent < line.Length)
                {
                    sent += await client.Socket.SendAsync(line.AsMemory(sent), SocketFlags.None, client.Closed.Token).ConfigureAwait(false);
                }
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException or IOException)
        {
            // The console went away or was dropped.
        }
        finally
        {
            Drop(client, counted: false);
        }
    }

    private async Task ReadAsync(Client client)
    {
        var line = new byte[MaxRequestBytes];
        int length = 0;
        var chunk = new byte[512];
        try
        {
            while (true)
            {
                int n = await client.Socket.ReceiveAsync(chunk.AsMemory(), SocketFlags.None, client.Closed.Token).ConfigureAwait(false);
                if (n == 0)
                {
                    break; // the console closed its end
                }

                for (int i = 0; i < n; i++)
                {
                    byte b = chunk[i];
                    if (b == (byte)'\n')
                    {
                        await HandleAsync(client, line.AsSpan(0, length).TrimEnd((byte)'\r').ToArray()).ConfigureAwait(false);
                        length = 0;
                    }
                    else if (length == MaxRequestBytes)
                    {
                        client.Outbox.Writer.TryWrite(Result(null, null, false, $"a request line is longer than {MaxRequestBytes} bytes; closing the connection"));
                        client.Outbox.Writer.TryComplete();
                        Interlocked.Increment(ref _dropped);
                        return;
                    }
                    else
                    {
                        line[length++] = b;
                    }
                }
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The console went away, or its request broke something unexpected: either way only this console ends.
        }

        Drop(client, counted: false);
    }

    private async Task HandleAsync(Client client, byte[] request)
    {
        if (request.Length == 0)
        {
            return;
        }

        ConsoleRequest? r;
        try
        {
            r = JsonSerializer.Deserialize(request, ConsoleJsonContext.Default.ConsoleRequest);
        }
        catch (JsonException e)
        {
            Answer(client, Result(null, null, false, $"request {client.Requests + 1}: not a JSON request ({ErrorText.Sanitize(e.Message, 200)}); send {{\"command\":\"save\"}} or {{\"command\":\"reset\"}}"));
            client.Requests++;
            return;
        }

        client.Requests++;
        ConsoleAction? action = r?.Command switch
        {
            "save" => ConsoleAction.Save,
            "reset" => ConsoleAction.Reset,
            _ => null,
        };
        if (action is null)
        {
            Answer(client, Result(r?.Id, r?.Command, false, $"unknown command '{ErrorText.Sanitize(r?.Command ?? "(none)", 60)}': the commands are save and reset"));
            return;
        }

        Task<CommandOutcome>? outcome = _commands.Enqueue(action.Value, "console");
        if (outcome is null)
        {
            Answer(client, Result(r!.Id, r.Command, false, $"{ConsoleCommands.MaxPending} commands are waiting for the loop already; try again"));
            return;
        }

        Task finished = await Task.WhenAny(outcome, Task.Delay(CommandTimeout, client.Closed.Token)).ConfigureAwait(false);
        if (finished == outcome)
        {
            CommandOutcome o = outcome.Result;
            Answer(client, Result(r!.Id, r.Command, o.Ok, o.Message));
        }
        else
        {
            Answer(client, Result(r!.Id, r.Command, false, $"queued: the loop runs it before its next step (not within {CommandTimeout.TotalSeconds:0} s)"));
        }
    }

    private void Answer(Client client, byte[] line)
    {
        if (!client.Outbox.Writer.TryWrite(line))
        {
            Drop(client, counted: true);
        }
    }

    private static byte[] Result(long? id, string? command, bool ok, string message)
    {
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(new ConsoleResult { Id = id, Command = command, Ok = ok, Message = message }, ConsoleJsonContext.Default.ConsoleResult);
        byte[] line = new byte[json.Length + 1];
        json.CopyTo(line, 0);
        line[^1] = (byte)'\n';
        return line;
    }

    private void Drop(Client client, bool counted)
    {
        bool removed;
        lock (_clientsLock)
        {
            removed = _clients.Remove(client);
        }

        if (removed && counted)
        {
            Interlocked.Increment(ref _dropped);
        }

        client.Close();
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _stop.Cancel();
        _listener.Dispose();
        _publisher.Join(TimeSpan.FromSeconds(5));
        Client[] clients;
        lock (_clientsLock)
        {
            clients = [.. _clients];
            _clients.Clear();
        }

        foreach (Client c in clients)
        {
            c.Close();
        }

        try
        {
            _accepting.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }

        try
        {
            File.Delete(Path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The next start removes it (nobody answers on it).
        }

        // A snapshot thread still stuck after 5 s (a hung mount under DriveInfo) reads the token when it wakes: a disposed
        // one would throw on that plain thread and end the process before the telemetry and the state are saved.
        if (!_publisher.IsAlive && _accepting.IsCompleted)
        {
            _stop.Dispose();
        }
    }

    /// <summary>One attached console.</summary>
    private sealed class Client(Socket socket)
    {
        private int _closed;

        public Socket Socket { get; } = socket;

        public Channel<byte[]> Outbox { get; } = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(OutboxLines) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

        public CancellationTokenSource Closed { get; } = new();

        public Task? Sending { get; set; }

        public Task? Reading { get; set; }

        public int Requests { get; set; }

        public void Close()
        {
            if (Interlocked.Exchange(ref _closed, 1) != 0)
            {
                return;
            }

            Outbox.Writer.TryComplete();
            try
            {
                Closed.Cancel();
            }
            catch (ObjectDisposedException)
            {
            }

            Socket.Dispose();
        }
    }

    /// <summary>A reusable growable buffer for the serializer.</summary>
    private sealed class ArrayBufferWriterStream : MemoryStream;
}
