using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Threading.Channels;
using EdgeRnn.DeviceHost.IO;
using EdgeRnn.DeviceHost.Loop;
using EdgeRnn.DeviceHost.Outputs;
using EdgeRnn.DeviceHost.Profiles;
using EdgeRnn.DeviceHost.Sensors;
using MQTTnet;
using MQTTnet.Adapter;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace EdgeRnn.DeviceHost.Telemetry;

/// <summary>What the loop hands to the publisher: an event, a score, nothing else (health is made by the publisher).</summary>
internal readonly record struct TelemetryItem(TelemetryKind Kind, DeviceEvent Event, StepRecord Step);

/// <summary>
/// The background half of <see cref="TelemetrySink"/>: one task moves what the loop hands over (a bounded channel)
/// and the periodic health message into the <see cref="TelemetryQueue"/> on disk; another owns the MQTT client,
/// connects (MQTT 5, or 3.1.1 when the broker refuses 5; backoff with jitter, capped), publishes the retained birth
/// and status messages at each connect, and sends the queue in order at QoS 1, removing each message only when its
/// PUBACK arrives. Nothing here runs on the loop thread; faults come back to it as <see cref="Notices"/>.
/// </summary>
internal sealed class MqttPublisher : IAsyncDisposable
{
    private const string ContentType = "application/json";

    private readonly DeviceLoop _loop;
    private readonly LoadedProfile _profile;
    private readonly MqttProfile _m;
    private readonly ChannelReader<TelemetryItem> _items;
    private readonly string _queueFolder;
    private readonly string _topicBase;
    private readonly string _deviceId;
    private readonly string _endpoint;
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly long _startedMs = Environment.TickCount64;
    private readonly Random _jitter = new();
    private readonly Func<long> _channelDropped;
    private TelemetryQueue? _queue;
    private long _queueRetryAt;
    private bool _queueFailing;
    private bool _connectFailing;
    private string? _lastConnectProblem;
    private string? _tlsProblem;
    private bool _rejecting;
    private MqttProtocolVersion _version;
    private Task? _writer;
    private Task? _sender;
    private volatile bool _draining;
    private long _drainDeadline;
    private long _connects;
    private long _failedConnects;
    private long _published;
    private long _unexpected;
    private long _writeFailures;
    private long _rejected;
    private long _attempts;
    private long _lastSync;

    public MqttPublisher(DeviceLoop loop, LoadedProfile profile, MqttProfile m, ChannelReader<TelemetryItem> items, Func<long> channelDropped)
    {
        _loop = loop;
        _profile = profile;
        _m = m;
        _items = items;
        _channelDropped = channelDropped;
        _queueFolder = MqttProfileCheck.QueueFolder(profile);
        _deviceId = MqttProfileCheck.DeviceId(m);
        _topicBase = $"{m.TopicPrefix}/{_deviceId}/";
        _endpoint = string.Create(CultureInfo.InvariantCulture, $"{m.Host}:{Port}");
        _version = m.Protocol == "3.1.1" ? MqttProtocolVersion.V311 : MqttProtocolVersion.V500;
    }

    /// <summary>Faults and recoveries for the loop to emit (it drains them on its own thread).</summary>
    public ConcurrentQueue<DeviceEvent> Notices { get; } = new();

    public string Endpoint => _endpoint;

    public string DeviceId => _deviceId;

    private int Port => _m.Port ?? (_m.Tls is null ? 1883 : 8883);

    public void Start()
    {
        _writer = Task.Run(WriterLoop);
        _sender = Task.Run(SenderLoop);
    }

    private static long NowMs() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    private void Notice(DeviceEventKind kind, string detail) => Notices.Enqueue(new DeviceEvent(kind, _loop.Steps, DateTimeOffset.UtcNow, Detail: "mqtt " + detail));

    // ---- the writer: channel + health timer -> disk queue ----

    /// <summary>
    /// How often the writer takes what the loop handed over. The writer polls instead of waiting on the channel: a
    /// waiting reader would make every TryWrite on the loop thread wake a thread-pool thread (a few microseconds and a
    /// small allocation per step, measured); polling leaves TryWrite a lock and a copy.
    /// </summary>
    internal static readonly TimeSpan BatchInterval = TimeSpan.FromMilliseconds(10);

    private async Task WriterLoop()
    {
        TimeSpan healthEvery = TimeSpan.FromSeconds(_m.HealthSeconds);
        long nextHealth = Environment.TickCount64 + (long)healthEvery.TotalMilliseconds;
        using var timer = new PeriodicTimer(BatchInterval);
        while (!_items.Completion.IsCompleted)
        {
            await timer.WaitForNextTickAsync().ConfigureAwait(false);
            bool healthDue = Environment.TickCount64 >= nextHealth;
            if (healthDue)
            {
                nextHealth = Environment.TickCount64 + (long)healthEvery.TotalMilliseconds;
            }

            WriteBatchGuarded(healthDue);
        }

        WriteBatchGuarded(health: false, final: true);
    }

    /// <summary>The longest a queued message waits for its fsync (a power cut may lose this much; kill -9 loses nothing).</summary>
    internal static readonly TimeSpan SyncInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// A batch, with anything unexpected (a bug, a payload the serializer refuses) counted as a write failure and told
    /// once as a fault: the writer must outlive it, or every later message would only be counted as channel-dropped.
    /// </summary>
    private void WriteBatchGuarded(bool health, bool final = false)
    {
        try
        {
            WriteBatch(health, final);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _writeFailures++;
            Unexpected("writer", e);
        }
    }

    private void Unexpected(string part, Exception e)
    {
        if (Interlocked.Increment(ref _unexpected) <= 10)
        {
            Notice(DeviceEventKind.Fault, $"the publisher's {part} failed unexpectedly and goes on: {e.GetType().Name}: {ErrorText.Describe(e)} (the first 10 are told; all are counted as write failures or retried)");
        }
    }

    private void WriteBatch(bool health, bool final = false)
    {
        lock (_gate)
        {
            TelemetryQueue? q = EnsureQueue();
            int n = 0;
            while (_items.TryRead(out TelemetryItem item))
            {
                n++;
                Append(q, item.Kind, seq => item.Kind == TelemetryKind.Event ? FormatEvent(item.Event, seq) : FormatScore(item.Step, seq));
            }

            if (health)
            {
                n++;
                Append(q, TelemetryKind.Health, FormatHealth);
            }

            if (q is null)
            {
                return;
            }

            try
            {
                // Appended records are in the kernel at once (they survive kill -9); fsync, for power cuts, at most
                // every SyncInterval, so a busy SD card is not asked for 100 syncs a second beside the state saves.
                if (final || Environment.TickCount64 - _lastSync >= (long)SyncInterval.TotalMilliseconds)
                {
                    q.Commit();
                    _lastSync = Environment.TickCount64;
                }

                QueueWorks();
            }
            catch (IOException e)
            {
                QueueFailed(e);
            }
        }

        if (_wake.CurrentCount == 0)
        {
            try
            {
                _wake.Release();
            }
            catch (SemaphoreFullException)
            {
            }
        }
    }

    private void Append(TelemetryQueue? q, TelemetryKind kind, Func<long, byte[]> format)
    {
        if (q is null)
        {
            _writeFailures++;
            return;
        }

        try
        {
            q.Append(NowMs(), kind, format(q.NextSequence));
            QueueWorks();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _writeFailures++;
            QueueFailed(e);
        }
    }

    private TelemetryQueue? EnsureQueue()
    {
        if (_queue is not null || Environment.TickCount64 < _queueRetryAt)
        {
            return _queue;
        }

        try
        {
            _queue = TelemetryQueue.Open(_queueFolder, _m.Queue.MaxBytes, _m.Queue.SegmentBytes ?? MqttProfileCheck.DefaultSegmentBytes(_m.Queue.MaxBytes));
            foreach (string problem in _queue.Problems)
            {
                Notice(DeviceEventKind.Warning, $"queue {_queueFolder}: {problem}");
            }

            QueueWorks();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _queueRetryAt = Environment.TickCount64 + 5000;
            QueueFailed(e);
        }

        return _queue;
    }

    private void QueueWorks()
    {
        if (_queueFailing)
        {
            _queueFailing = false;
            Notice(DeviceEventKind.FaultCleared, string.Create(CultureInfo.InvariantCulture, $"queue {_queueFolder}: writes work again ({_writeFailures} message(s) lost while they failed)"));
        }
    }

    private void QueueFailed(Exception e)
    {
        if (!_queueFailing)
        {
            _queueFailing = true;
            Notice(DeviceEventKind.Fault, $"queue {_queueFolder}: cannot write: {ErrorText.Describe(e)}; messages are lost (counted) until it can, the loop goes on");
        }
    }

    private byte[] FormatEvent(in DeviceEvent e, long seq) => JsonSerializer.SerializeToUtf8Bytes(
        new EventPayload("edgernn.event", 1, _deviceId, seq, e.Time.UtcDateTime, e.Name, e.Step,
            e.Kind is DeviceEventKind.AnomalyStarted or DeviceEventKind.AnomalyEnded ? e.Likelihood : null, e.Detail),
        TelemetryJsonContext.Default.EventPayload);

    private byte[] FormatScore(in StepRecord s, long seq) => JsonSerializer.SerializeToUtf8Bytes(
        new ScorePayload("edgernn.score", 1, _deviceId, seq, DateTime.UtcNow, s.Step, s.Error, s.Likelihood, s.Active, s.Degraded),
        TelemetryJsonContext.Default.ScorePayload);

    /// <summary>The health message. Reads the loop's counters from this thread: each is a single aligned 64-bit value (Volatile or written only by the loop thread), so a read is a recent value, never a torn one.</summary>
    private byte[] FormatHealth(long seq) => JsonSerializer.SerializeToUtf8Bytes(Health(seq), TelemetryJsonContext.Default.HealthPayload);

    internal HealthPayload Health(long seq)
    {
        DeviceLoop loop = _loop;
        var sensors = new SensorHealth[loop.Sensors.Length];
        for (int i = 0; i < sensors.Length; i++)
        {
            SensorCounters c = loop.Sensors[i].Counters;
            sensors[i] = new SensorHealth(loop.Sensors[i].Id, c.Samples, c.Retries, c.IoErrors, c.OutOfRange, c.Stuck, c.OpenFailures, c.Degraded);
        }

        double? stateAge = null;
        if (loop.Store is { } store && File.Exists(store.Path))
        {
            stateAge = Math.Round((DateTime.UtcNow - File.GetLastWriteTimeUtc(store.Path)).TotalSeconds, 1);
        }

        long now = NowMs();
        TelemetryQueue? q = _queue;
        QueueHealth queue = new(q?.Depth ?? 0, q?.Bytes ?? 0, q?.OldestAge(now) is { } age ? Math.Round(age.TotalSeconds, 3) : null,
            q?.Dropped ?? 0, q?.Corrupt ?? 0, _channelDropped(), _writeFailures, Interlocked.Read(ref _rejected));
        return new HealthPayload("edgernn.health", 1, _deviceId, seq, DateTime.UtcNow, Math.Round((Environment.TickCount64 - _startedMs) / 1000.0, 3), loop.Steps, loop.Anomalies, loop.DegradedSteps,
            new FaultCounts(loop.Faults.Outputs, loop.Faults.StateSaves, loop.Faults.Total), sensors,
            LatencyMicroseconds.Of(loop.Latency),
            loop.Model.HashHex, stateAge, queue,
            new MqttHealth(_version == MqttProtocolVersion.V500 ? "5" : "3.1.1", Interlocked.Read(ref _connects), Interlocked.Read(ref _failedConnects), Interlocked.Read(ref _published)));
    }

    /// <summary>The queue's depth, oldest age and losses, for diag and the status line (null before the queue opens).</summary>
    public QueueHealth? QueueSnapshot()
    {
        lock (_gate)
        {
            return _queue is { } q
                ? new QueueHealth(q.Depth, q.Bytes, q.OldestAge(NowMs())?.TotalSeconds, q.Dropped, q.Corrupt, _channelDropped(), _writeFailures, Interlocked.Read(ref _rejected))
                : null;
        }
    }

    // ---- the sender: disk queue -> broker ----

    private async Task SenderLoop()
    {
        IMqttClient client = TcpOnlyAdapterFactory.CreateClient();
        try
        {
            int backoff = _m.ReconnectMinMs;

            // The backoff is reset by a PUBACK, not by a connect: a broker that accepts the connection and then drops it
            // at the first publish (a packet too large for it, a topic it will not take) must not be reconnected to in
            // a tight loop. The message stays at the head of the queue (it leaves only on a PUBACK).
            bool connectedWithoutAck = false;
            while (true)
            {
                if (_draining && (!client.IsConnected || Environment.TickCount64 >= _drainDeadline))
                {
                    break;
                }

                if (!client.IsConnected)
                {
                    if (!connectedWithoutAck && await TryConnect(client).ConfigureAwait(false))
                    {
                        connectedWithoutAck = true;
                        continue;
                    }

                    connectedWithoutAck = false;
                    int delay = (int)(backoff * (0.5 + (_jitter.NextDouble() * 0.5)));
                    backoff = (int)Math.Min((long)backoff * 2, _m.ReconnectMaxMs);
                    try
                    {
                        await Task.Delay(delay, _stop.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                    }

                    continue;
                }

                QueuedMessage? next;
                try
                {
                    lock (_gate)
                    {
                        next = _queue?.Peek();
                    }
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    // A segment that cannot be read now (EIO, EMFILE, removed by hand): told once, tried again.
                    if (e is IOException or UnauthorizedAccessException)
                    {
                        QueueFailed(e);
                    }
                    else
                    {
                        Unexpected("sender", e);
                    }

                    try
                    {
                        await Task.Delay(1000, _stop.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                    }

                    continue;
                }

                if (next is null)
                {
                    if (_draining)
                    {
                        break;
                    }

                    try
                    {
                        await _wake.WaitAsync(1000, _stop.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                    }

                    continue;
                }

                if (await Send(client, next).ConfigureAwait(false))
                {
                    backoff = _m.ReconnectMinMs;
                    connectedWithoutAck = false;
                }
            }

            if (client.IsConnected)
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                try
                {
                    await client.PublishAsync(Status("offline", "stopped"), cts.Token).ConfigureAwait(false);
                    await client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.NormalDisconnection).Build(), cts.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    // Stopping: the broker sends the will instead ("connection lost").
                }
            }
        }
        finally
        {
            client.Dispose();
        }
    }

    /// <summary>Sends one message; true when the broker answered it (a PUBACK, accepting or refusing it).</summary>
    private async Task<bool> Send(IMqttClient client, QueuedMessage m)
    {
        MqttApplicationMessageBuilder b = new MqttApplicationMessageBuilder()
            .WithTopic(_topicBase + TopicOf(m.Kind))
            .WithPayload(m.Body)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);
        if (_version == MqttProtocolVersion.V500)
        {
            b = b.WithContentType(ContentType).WithPayloadFormatIndicator(MqttPayloadFormatIndicator.CharacterData)
                .WithUserProperty("schema", Utf8(SchemaOf(m.Kind))).WithUserProperty("seq", Utf8(m.Seq.ToString(CultureInfo.InvariantCulture)));
        }

        MqttClientPublishResult result;
        try
        {
            result = await client.PublishAsync(b.Build(), _stop.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Not acknowledged: it stays at the head of the queue and is sent again after the reconnect.
            await Disconnected(client, e).ConfigureAwait(false);
            return false;
        }

        bool accepted = result.ReasonCode is MqttClientPublishReasonCode.Success or MqttClientPublishReasonCode.NoMatchingSubscribers;
        lock (_gate)
        {
            _queue?.Acknowledge(m);
            TrySaveAck(force: false);
        }

        if (accepted)
        {
            Interlocked.Increment(ref _published);
            if (_rejecting)
            {
                _rejecting = false;
                Notice(DeviceEventKind.FaultCleared, $"{_endpoint}: the broker accepts messages again");
            }
        }
        else
        {
            // The broker will never take this one (not authorized for the topic, quota, ...): counted, and the queue moves on.
            Interlocked.Increment(ref _rejected);
            if (!_rejecting)
            {
                _rejecting = true;
                Notice(DeviceEventKind.Fault, $"{_endpoint}: the broker refused message {m.Seq} on {_topicBase}{TopicOf(m.Kind)}: {result.ReasonCode} {ErrorText.Sanitize(result.ReasonString)}; refused messages are counted and skipped");
            }
        }

        return true;
    }

    private void TrySaveAck(bool force)
    {
        try
        {
            _queue?.SaveAcknowledged(force, NowMs());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The cursor stays behind: after a restart some acknowledged messages are sent again (at least once).
            QueueFailed(e);
        }
    }

    private async Task Disconnected(IMqttClient client, Exception e)
    {
        if (!_connectFailing)
        {
            _connectFailing = true;
            Notice(DeviceEventKind.Fault, $"{_endpoint}: connection lost: {Describe(e)}; messages wait in the queue and are sent in order when it is back");
        }

        try
        {
            if (client.IsConnected)
            {
                await client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.DisconnectWithWillMessage).Build(),
                    CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (Exception x) when (x is not OutOfMemoryException)
        {
        }
    }

    private async Task<bool> TryConnect(IMqttClient client)
    {
        _attempts++;
        _tlsProblem = null;
        string? problem;
        bool credentials = false;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            timeout.CancelAfter(TimeSpan.FromSeconds(Math.Clamp(_m.KeepAliveSeconds, 2, 15)));
            MqttClientConnectResult result = await client.ConnectAsync(Options(), timeout.Token).ConfigureAwait(false);
            if (result.ResultCode == MqttClientConnectResultCode.Success)
            {
                await client.PublishAsync(Birth(), timeout.Token).ConfigureAwait(false);
                await client.PublishAsync(Status("online", "connected"), timeout.Token).ConfigureAwait(false);
                Interlocked.Increment(ref _connects);
                long depth;
                lock (_gate)
                {
                    depth = _queue?.Depth ?? 0;
                }

                if (_connectFailing)
                {
                    _connectFailing = false;
                    Notice(DeviceEventKind.FaultCleared, string.Create(CultureInfo.InvariantCulture,
                        $"{_endpoint}: connected (MQTT {(_version == MqttProtocolVersion.V500 ? "5" : "3.1.1")}) after {_attempts - 1} failed attempt(s); sending {depth} queued message(s) in order"));
                }

                _attempts = 0;
                _lastConnectProblem = null;
                return true;
            }

            problem = $"the broker refused the connection: {result.ResultCode} {ErrorText.Sanitize(result.ReasonString)}";
            credentials = result.ResultCode is MqttClientConnectResultCode.NotAuthorized or MqttClientConnectResultCode.BadUserNameOrPassword;
            if (FallBack(result.ResultCode))
            {
                return false;
            }
        }
        catch (MqttConnectingFailedException e)
        {
            // MQTTnet 5 carries the CONNACK's reason only in the message ("... (NotAuthorized)").
            MqttClientConnectResultCode code = Enum.GetValues<MqttClientConnectResultCode>().FirstOrDefault(
                c => c != MqttClientConnectResultCode.Success && e.Message.Contains(c.ToString(), StringComparison.Ordinal), MqttClientConnectResultCode.UnspecifiedError);
            credentials = code is MqttClientConnectResultCode.NotAuthorized or MqttClientConnectResultCode.BadUserNameOrPassword;
            problem = $"the broker refused the connection: {code}";
            if (FallBack(code))
            {
                return false;
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            problem = Describe(e);
        }

        Interlocked.Increment(ref _failedConnects);
        if (credentials)
        {
            problem += $": check $.mqtt.username ('{ErrorText.Sanitize(_m.Username)}') and the password in {(_m.PasswordFile is { } f ? "$.mqtt.passwordFile (" + ErrorText.Sanitize(f) + ")" : _m.PasswordEnv is { } v ? "$.mqtt.passwordEnv (" + v + ")" : "no password set")}";
        }

        try
        {
            if (client.IsConnected)
            {
                await client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (Exception x) when (x is not OutOfMemoryException)
        {
        }

        // One fault event per failing streak, and one more whenever the reason changes (a refused login after a
        // network error says so); a reason repeated at every backoff is counted (failedConnects), not repeated.
        if (!_connectFailing || problem != _lastConnectProblem)
        {
            _connectFailing = true;
            Notice(DeviceEventKind.Fault, $"{_endpoint}: cannot connect: {problem}; retrying with backoff (up to {_m.ReconnectMaxMs / 1000.0:0.#} s), messages wait in the queue {_queueFolder}");
        }

        _lastConnectProblem = problem;
        return false;
    }

    /// <summary>MQTT 5 refused as a protocol version: with <c>protocol: auto</c>, MQTT 3.1.1 from now on.</summary>
    private bool FallBack(MqttClientConnectResultCode code)
    {
        if (code == MqttClientConnectResultCode.UnsupportedProtocolVersion && _m.Protocol == "auto" && _version == MqttProtocolVersion.V500)
        {
            _version = MqttProtocolVersion.V311;
            Notice(DeviceEventKind.Warning, $"{_endpoint}: the broker does not speak MQTT 5; using MQTT 3.1.1");
            return true;
        }

        return false;
    }

    private string Describe(Exception e)
    {
        if (_tlsProblem is { } tls)
        {
            return "TLS: " + tls;
        }

        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            if (x is AuthenticationException a)
            {
                return "TLS: " + ErrorText.Sanitize(a.Message);
            }

            if (x is System.Net.Sockets.SocketException s)
            {
                return $"{ErrorText.Sanitize(s.Message)} ({s.SocketErrorCode})";
            }
        }

        return e is OperationCanceledException ? "timed out" : ErrorText.Describe(e);
    }

    private MqttClientOptions Options()
    {
        MqttClientOptionsBuilder b = new MqttClientOptionsBuilder()
            .WithTcpServer(_m.Host, Port)
            .WithClientId(_m.ClientId ?? "edgernn-" + _deviceId)
            .WithProtocolVersion(_version)
            .WithCleanStart(true)
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(_m.KeepAliveSeconds))
            .WithTimeout(TimeSpan.FromSeconds(Math.Clamp(_m.KeepAliveSeconds, 2, 15)))
            .WithWillTopic(_topicBase + "status")
            .WithWillPayload(JsonSerializer.SerializeToUtf8Bytes(new StatusPayload("edgernn.status", 1, _deviceId, null, "offline", "connection lost"), TelemetryJsonContext.Default.StatusPayload))
            .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithWillRetain(true);
        if (_version == MqttProtocolVersion.V500)
        {
            b = b.WithWillContentType(ContentType);
        }

        if (_m.Username is { } user)
        {
            // Read at each connect (a rotated password file takes effect without a restart); never logged.
            b = b.WithCredentials(user, System.Text.Encoding.UTF8.GetBytes(MqttProfileCheck.ReadPassword(_profile, _m)));
        }

        if (_m.Tls is { } tls)
        {
            b = b.WithTlsOptions(o =>
            {
                o.UseTls().WithTargetHost(tls.ServerName ?? _m.Host).WithSslProtocols(SslProtocols.Tls12 | SslProtocols.Tls13);
                if (tls.CaFile is { } ca)
                {
                    X509Certificate2Collection roots = [];
                    roots.ImportFromPemFile(_profile.Resolve(ca));
                    o.WithCertificateValidationHandler(args => Validate(args, roots));
                }

                if (tls.CertFile is { } cert && tls.KeyFile is { } key)
                {
                    o.WithClientCertificates([X509Certificate2.CreateFromPemFile(_profile.Resolve(cert), _profile.Resolve(key))]);
                }
            });
        }

        return b.Build();
    }

    /// <summary>The broker's certificate must chain to the profile's CA (and only to it) and carry the expected name.</summary>
    private bool Validate(MqttClientCertificateValidationEventArgs args, X509Certificate2Collection roots)
    {
        if ((args.SslPolicyErrors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
        {
            _tlsProblem = $"the broker's certificate is not for '{_m.Tls!.ServerName ?? _m.Host}' (set $.mqtt.tls.serverName to the name it carries)";
            return false;
        }

        if (args.Certificate is null)
        {
            _tlsProblem = "the broker sent no certificate";
            return false;
        }

        if (Deployment.Security.CustomRootTrust.Problem(args.Certificate, args.Chain, roots) is not { } why)
        {
            return true;
        }

        _tlsProblem = $"the broker's certificate ({ErrorText.Sanitize(args.Certificate.Subject)}) is not signed by the CA in $.mqtt.tls.caFile ({ErrorText.Sanitize(_m.Tls!.CaFile)}): "
            + ErrorText.Sanitize(why);
        return false;
    }

    private MqttApplicationMessage Birth()
    {
        DeviceProfile p = _profile.Profile;
        var model = new BirthModel(Path.GetFileName(_loop.Model.SourceName), _loop.Model.HashHex, [.. _loop.Metadata.Features.Select(f => f.Name)],
            [.. _loop.Metadata.Features.Select(f => f.Unit)], p.SamplePeriodSeconds);
        var birth = new BirthPayload("edgernn.birth", 1, _deviceId, DateTime.UtcNow, p.Name, model, [.. p.Sensors.Select(s => new BirthSensor(s.Id, s.Kind))],
            _m.HealthSeconds, _m.ScoresEverySteps, typeof(MqttPublisher).Assembly.GetName().Version?.ToString() ?? "unknown");
        return Retained("birth", JsonSerializer.SerializeToUtf8Bytes(birth, TelemetryJsonContext.Default.BirthPayload), "edgernn.birth/1");
    }

    private MqttApplicationMessage Status(string status, string reason) => Retained("status",
        JsonSerializer.SerializeToUtf8Bytes(new StatusPayload("edgernn.status", 1, _deviceId, DateTime.UtcNow, status, reason), TelemetryJsonContext.Default.StatusPayload),
        "edgernn.status/1");

    private MqttApplicationMessage Retained(string topic, byte[] payload, string schema)
    {
        MqttApplicationMessageBuilder b = new MqttApplicationMessageBuilder().WithTopic(_topicBase + topic).WithPayload(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).WithRetainFlag(true);
        if (_version == MqttProtocolVersion.V500)
        {
            b = b.WithContentType(ContentType).WithUserProperty("schema", Utf8(schema));
        }

        return b.Build();
    }

    private static ReadOnlyMemory<byte> Utf8(string s) => System.Text.Encoding.UTF8.GetBytes(s);

    private static string TopicOf(TelemetryKind kind) => kind switch
    {
        TelemetryKind.Health => "health",
        TelemetryKind.Score => "scores",
        _ => "events",
    };

    private static string SchemaOf(TelemetryKind kind) => kind switch
    {
        TelemetryKind.Health => "edgernn.health/1",
        TelemetryKind.Score => "edgernn.score/1",
        _ => "edgernn.event/1",
    };

    /// <summary>
    /// Stops: everything the loop handed over is written to the queue, the sender gets <paramref name="grace"/> to send
    /// what waits (what it cannot is kept for the next start), publishes status offline and disconnects cleanly.
    /// </summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (_writer is { } writer)
        {
            await writer.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }

        _drainDeadline = Environment.TickCount64 + (long)grace.TotalMilliseconds;
        _draining = true;
        if (_wake.CurrentCount == 0)
        {
            _wake.Release();
        }

        if (_sender is { } sender)
        {
            try
            {
                await sender.WaitAsync(grace + TimeSpan.FromSeconds(3)).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                await _stop.CancelAsync().ConfigureAwait(false);
                await sender.WaitAsync(TimeSpan.FromSeconds(3)).ConfigureAwait(false);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }
        finally
        {
            await _stop.CancelAsync().ConfigureAwait(false);
            lock (_gate)
            {
                TrySaveAck(force: true);
                _queue?.Dispose();
                _queue = null;
            }

            _stop.Dispose();
            _wake.Dispose();
        }
    }
}
