using System.Buffers;
using System.Globalization;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using Spectre.Console;

namespace EdgeRnn.Train.Fleet;

/// <summary>What <c>edgernn fleet watch</c> was asked to do.</summary>
internal sealed record FleetWatchOptions(
    string Host, int Port, string Prefix, string? Username, string? PasswordFile, string? CaFile, bool Tls, double? Seconds, double Interval, bool Json, bool Plain);

/// <summary>One device as the fleet's messages describe it (docs/fleet.md, schema version 1).</summary>
internal sealed class DeviceRow
{
    public string DeviceId { get; set; } = "";

    /// <summary>online / offline (from the retained status topic, the last will included); "?" before one arrived.</summary>
    public string Status { get; set; } = "?";

    public string? StatusReason { get; set; }

    public string? Profile { get; set; }

    public string? ModelSha256 { get; set; }

    public long? Steps { get; set; }

    public long? Anomalies { get; set; }

    public long? DegradedSteps { get; set; }

    public long? Faults { get; set; }

    public double? P99Us { get; set; }

    public long? QueueDepth { get; set; }

    /// <summary>Messages the device lost: queue full, channel full, write failures (health's queue counters).</summary>
    public long? Lost { get; set; }

    public string? LastEvent { get; set; }

    public DateTime? LastEventTime { get; set; }

    /// <summary>When the last health message was made (device time).</summary>
    public DateTime? HealthTime { get; set; }

    /// <summary>When anything from the device last arrived here.</summary>
    public DateTime LastSeen { get; set; }
}

/// <summary>
/// <c>edgernn fleet watch</c>: subscribes to a broker's <c>{prefix}/+/birth|status|health|events</c> and shows every
/// device's state as a live table (a terminal), a plain table every interval (a pipe, <c>--plain</c>, NO_COLOR), or
/// one JSON line per update (<c>--json</c>). Reconnects when the broker goes away.
/// </summary>
internal static class FleetWatch
{
    private static readonly string[] Kinds = ["birth", "status", "health", "events"];

    public static async Task<int> Run(FleetWatchOptions o, TextWriter stdout, TextWriter stderr, CancellationToken cancel)
    {
        string? password = null;
        if (o.Username is not null)
        {
            try
            {
                password = o.PasswordFile is { } file ? ReadPassword(file) : Environment.GetEnvironmentVariable("EDGERNN_MQTT_PASSWORD");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                stderr.WriteLine($"error: {e.Message}");
                return 2;
            }

            if (password is null)
            {
                stderr.WriteLine("error: --username needs a password: --password-file FILE, or the EDGERNN_MQTT_PASSWORD environment variable.");
                return 2;
            }
        }

        X509Certificate2Collection? roots = null;
        if (o.CaFile is { } ca)
        {
            roots = [];
            try
            {
                roots.ImportFromPemFile(ca);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
            {
                stderr.WriteLine($"error: --ca-file {ca}: {e.Message}");
                return 2;
            }
        }

        var rows = new SortedDictionary<string, DeviceRow>(StringComparer.Ordinal);
        var gate = new object();
        using IMqttClient client = new MqttClientFactory().CreateMqttClient();
        client.ApplicationMessageReceivedAsync += e =>
        {
            string? json = Update(rows, gate, o.Prefix, e.ApplicationMessage.Topic, e.ApplicationMessage.Payload.ToArray(), o.Json);
            if (json is not null)
            {
                lock (gate)
                {
                    stdout.WriteLine(json);
                    stdout.Flush();
                }
            }

            return Task.CompletedTask;
        };

        MqttClientOptions options = Options(o, password, roots);
        try
        {
            await Connect(client, options, o.Prefix, cancel).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
        {
            stderr.WriteLine($"error: cannot subscribe at {o.Host}:{o.Port}: {Describe(e)}");
            return 2;
        }

        if (!o.Json)
        {
            stderr.WriteLine($"watching {o.Prefix}/+/(birth|status|health|events) at {o.Host}:{o.Port}{(o.Seconds is { } s ? $" for {s:0.#} s" : " (Ctrl+C to stop)")}");
        }

        DateTime end = o.Seconds is { } seconds ? DateTime.UtcNow.AddSeconds(seconds) : DateTime.MaxValue;
        bool live = !o.Json && !o.Plain && ReferenceEquals(stdout, Console.Out) && !Console.IsOutputRedirected
            && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR")) && Environment.GetEnvironmentVariable("TERM") != "dumb";
        var interval = TimeSpan.FromSeconds(live ? Math.Min(o.Interval, 1) : o.Interval);
        bool disconnectedSaid = false;

        async Task<bool> Tick()
        {
            try
            {
                await Task.Delay(Min(interval, end - DateTime.UtcNow), cancel).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return false;
            }

            if (!client.IsConnected)
            {
                try
                {
                    await Connect(client, options, o.Prefix, cancel).ConfigureAwait(false);
                    stderr.WriteLine($"reconnected to {o.Host}:{o.Port}");
                    disconnectedSaid = false;
                }
                catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
                {
                    if (!disconnectedSaid)
                    {
                        stderr.WriteLine($"lost the broker at {o.Host}:{o.Port} ({Describe(e)}); retrying every {interval.TotalSeconds:0.#} s");
                        disconnectedSaid = true;
                    }
                }
            }

            return DateTime.UtcNow < end;
        }

        if (live)
        {
            IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(stdout) });
            await console.Live(Table(rows, gate)).StartAsync(async ctx =>
            {
                while (await Tick().ConfigureAwait(false))
                {
                    ctx.UpdateTarget(Table(rows, gate));
                }
            }).ConfigureAwait(false);
        }
        else
        {
            while (await Tick().ConfigureAwait(false))
            {
                if (!o.Json)
                {
                    lock (gate)
                    {
                        stdout.Write(PlainTable(rows.Values, DateTime.UtcNow));
                        stdout.Flush();
                    }
                }
            }
        }

        if (!o.Json && !live)
        {
            lock (gate)
            {
                stdout.Write(PlainTable(rows.Values, DateTime.UtcNow));
            }
        }

        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await client.DisconnectAsync(new MqttClientDisconnectOptions(), timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Leaving: a broker that went away is no error here.
        }

        return 0;
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => b < TimeSpan.Zero ? TimeSpan.Zero : a < b ? a : b;

    private static string ReadPassword(string file)
    {
        var info = new FileInfo(file);
        if (!info.Exists || info.Length > 4096)
        {
            throw new FileNotFoundException($"--password-file {file}: {(info.Exists ? "longer than 4096 bytes" : "no such file")}", file);
        }

        return File.ReadAllText(file).TrimEnd('\r', '\n');
    }

    private static MqttClientOptions Options(FleetWatchOptions o, string? password, X509Certificate2Collection? roots)
    {
        MqttClientOptionsBuilder b = new MqttClientOptionsBuilder().WithTcpServer(o.Host, o.Port)
            .WithClientId("edgernn-fleet-watch-" + Guid.NewGuid().ToString("N")[..8])
            .WithProtocolVersion(MqttProtocolVersion.V500).WithCleanStart(true).WithTimeout(TimeSpan.FromSeconds(5));
        if (o.Username is { } user)
        {
            b = b.WithCredentials(user, Encoding.UTF8.GetBytes(password!));
        }

        if (o.Tls || roots is not null)
        {
            b = b.WithTlsOptions(t =>
            {
                t.UseTls().WithTargetHost(o.Host).WithSslProtocols(SslProtocols.Tls12 | SslProtocols.Tls13);
                if (roots is not null)
                {
                    t.WithCertificateValidationHandler(args => ChainsTo(args.Certificate, args.Chain, args.SslPolicyErrors, roots));
                }
            });
        }

        return b.Build();
    }

    /// <summary>The broker's certificate chains to the given CA (and only to it) and carries the name dialled.</summary>
    private static bool ChainsTo(X509Certificate? presented, X509Chain? chain, SslPolicyErrors errors, X509Certificate2Collection roots)
    {
        if (presented is null || (errors & (SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateNotAvailable)) != 0)
        {
            return false;
        }

        return Deployment.Security.CustomRootTrust.Problem(presented, chain, roots) is null;
    }

    private static async Task Connect(IMqttClient client, MqttClientOptions options, string prefix, CancellationToken cancel)
    {
        MqttClientConnectResult r = await client.ConnectAsync(options, cancel).ConfigureAwait(false);
        if (r.ResultCode != MqttClientConnectResultCode.Success)
        {
            throw new IOException($"the broker refused the connection: {r.ResultCode} {r.ReasonString}");
        }

        MqttClientSubscribeOptionsBuilder s = new MqttClientSubscribeOptionsBuilder();
        foreach (string kind in Kinds)
        {
            s = s.WithTopicFilter($"{prefix}/+/{kind}", MqttQualityOfServiceLevel.AtLeastOnce);
        }

        await client.SubscribeAsync(s.Build(), cancel).ConfigureAwait(false);
    }

    private static string Describe(Exception e) => e.InnerException is { } inner && inner.Message.Length > 0 ? $"{e.Message} ({inner.Message})" : e.Message;

    /// <summary>Folds one message into its device's row; returns the row as a JSON line when <paramref name="json"/>.</summary>
    internal static string? Update(SortedDictionary<string, DeviceRow> rows, object gate, string prefix, string topic, byte[] payload, bool json)
    {
        string[] parts = topic.Split('/');
        if (parts.Length < 3 || !topic.StartsWith(prefix + "/", StringComparison.Ordinal))
        {
            return null;
        }

        string id = parts[^2], kind = parts[^1];
        JsonElement m;
        try
        {
            using JsonDocument doc = JsonDocument.Parse(payload);
            m = doc.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null; // not one of ours: a fleet topic space may hold other publishers
        }

        if (m.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        lock (gate)
        {
            if (!rows.TryGetValue(id, out DeviceRow? row))
            {
                rows[id] = row = new DeviceRow { DeviceId = id };
            }

            row.LastSeen = DateTime.UtcNow;
            switch (kind)
            {
                case "birth":
                    row.Profile = Str(m, "profile");
                    row.ModelSha256 = m.TryGetProperty("model", out JsonElement model) ? Str(model, "sha256") : row.ModelSha256;
                    break;
                case "status":
                    row.Status = Str(m, "status") ?? row.Status;
                    row.StatusReason = Str(m, "reason");
                    break;
                case "health":
                    row.Steps = Long(m, "steps");
                    row.Anomalies = Long(m, "anomalies");
                    row.DegradedSteps = Long(m, "degradedSteps");
                    row.Faults = m.TryGetProperty("faults", out JsonElement f) ? Long(f, "total") : null;
                    row.P99Us = m.TryGetProperty("latencyUs", out JsonElement l) && l.TryGetProperty("p99", out JsonElement p) && p.TryGetDouble(out double p99) ? p99 : null;
                    if (m.TryGetProperty("queue", out JsonElement q))
                    {
                        row.QueueDepth = Long(q, "depth");
                        row.Lost = (Long(q, "dropped") ?? 0) + (Long(q, "channelDropped") ?? 0) + (Long(q, "writeFailures") ?? 0);
                    }

                    row.ModelSha256 = Str(m, "modelSha256") ?? row.ModelSha256;
                    row.HealthTime = Time(m);
                    break;
                case "events":
                    row.LastEvent = Str(m, "event");
                    row.LastEventTime = Time(m);
                    break;
                default:
                    return null;
            }

            return json ? JsonSerializer.Serialize(new { topic = kind, device = row }, s_json) : null;
        }
    }

    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web);

    private static string? Str(JsonElement e, string name) => e.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static long? Long(JsonElement e, string name) => e.TryGetProperty(name, out JsonElement v) && v.TryGetInt64(out long x) ? x : null;

    private static DateTime? Time(JsonElement e) =>
        e.TryGetProperty("time", out JsonElement v) && v.ValueKind == JsonValueKind.String && v.TryGetDateTime(out DateTime t) ? t.ToUniversalTime() : null;

    private static string Short(string? sha) => sha is null ? "-" : sha[..Math.Min(8, sha.Length)];

    private static string Num(long? v) => v?.ToString("N0", CultureInfo.InvariantCulture) ?? "-";

    private static string Age(DateTime? t, DateTime now) => t is { } x ? $"{Math.Max(0, (now - x).TotalSeconds):0}s" : "-";

    private static string[] Cells(DeviceRow r, DateTime now) =>
    [
        r.DeviceId, r.Status + (r.Status == "offline" && r.StatusReason is { } why ? $" ({why})" : ""), Num(r.Steps), Num(r.Anomalies), Num(r.Faults),
        r.P99Us is { } p ? p.ToString("0.0", CultureInfo.InvariantCulture) : "-", Num(r.QueueDepth), Num(r.Lost),
        r.LastEvent is { } ev ? $"{ev} {Age(r.LastEventTime, now)} ago" : "-", Age(r.HealthTime, now), Short(r.ModelSha256),
    ];

    private static readonly string[] Headers = ["device", "status", "steps", "anomalies", "faults", "p99 us", "queue", "lost", "last event", "health age", "model"];

    /// <summary>The table as plain text: one header and one line per device, columns padded; a blank line after.</summary>
    internal static string PlainTable(IEnumerable<DeviceRow> rows, DateTime now)
    {
        List<string[]> lines = [Headers, .. rows.Select(r => Cells(r, now))];
        int[] widths = [.. Enumerable.Range(0, Headers.Length).Select(c => lines.Max(l => l[c].Length))];
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"{now:yyyy-MM-ddTHH:mm:ssZ} {lines.Count - 1} device(s)\n");
        foreach (string[] l in lines)
        {
            sb.Append(string.Join("  ", l.Select((cell, c) => cell.PadRight(widths[c]))).TrimEnd()).Append('\n');
        }

        return sb.Append('\n').ToString();
    }

    private static Table Table(SortedDictionary<string, DeviceRow> rows, object gate)
    {
        var t = new Table().Border(TableBorder.Simple);
        foreach (string h in Headers)
        {
            t.AddColumn(h);
        }

        DateTime now = DateTime.UtcNow;
        lock (gate)
        {
            foreach (DeviceRow r in rows.Values)
            {
                string[] cells = Cells(r, now);
                string colour = r.Status == "offline" || (r.Lost ?? 0) > 0 || (r.Faults ?? 0) > 0 ? "red" : r.Status == "online" ? "green" : "yellow";
                t.AddRow([.. cells.Select((c, i) => new Markup(i == 1 ? $"[{colour}]{Markup.Escape(c)}[/]" : Markup.Escape(c)))]);
            }
        }

        return t;
    }
}
