using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using EdgeRnn.DeviceHost.IO;
using EdgeRnn.DeviceHost.Profiles;

namespace EdgeRnn.DeviceHost.Telemetry;

/// <summary>
/// Checks the profile's <c>mqtt</c> section: <see cref="Validate"/> the values (when the JSON is parsed),
/// <see cref="ValidateFiles"/> what it names outside the profile (the CA, certificate, key and password files exist
/// and can be read, the CA, certificate and key parse as PEM, the password's environment variable is set, the queue folder
/// is a folder a profile may write to). A failure is a
/// <see cref="ProfileException"/> "<c>{profile}: $.mqtt.x: what</c>" (exit 2: restarting cannot fix it).
/// </summary>
internal static class MqttProfileCheck
{
    /// <summary>The largest password or key file read.</summary>
    private const int MaxSecretBytes = 64 * 1024;

    /// <summary>MQTT topic levels the device writes may not hold these (wildcards, the separator, NUL).</summary>
    private static readonly char[] s_topicForbidden = ['+', '#', '/', '\0'];

    public delegate void Checker(bool condition, string field, string what);

    public static void Validate(MqttProfile m, Checker check)
    {
        check(m.Host.Length is > 0 and <= 253 && !m.Host.Contains('/', StringComparison.Ordinal) && !m.Host.Contains(':', StringComparison.Ordinal) || System.Net.IPAddress.TryParse(m.Host, out _),
            "$.mqtt.host", $"'{ErrorText.Sanitize(m.Host)}' is not a host name or address (give the port in $.mqtt.port)");
        check(m.Port is null or (>= 1 and <= 65535), "$.mqtt.port", $"must be 1 to 65535 (got {m.Port})");
        if (m.DeviceId is { } id)
        {
            check(IsTopicLevel(id), "$.mqtt.deviceId", $"'{ErrorText.Sanitize(id)}' must be 1 to 64 characters without '/', '+', '#' or NUL (it is a topic level)");
        }

        check(m.TopicPrefix.Length is > 0 and <= 128 && m.TopicPrefix.IndexOfAny(['+', '#', '\0']) < 0 && !m.TopicPrefix.StartsWith('/') && !m.TopicPrefix.EndsWith('/')
            && !m.TopicPrefix.StartsWith('$'),
            "$.mqtt.topicPrefix", $"'{ErrorText.Sanitize(m.TopicPrefix)}' must be 1 to 128 characters without '+', '#', NUL, a leading '$' or a leading or trailing '/'");
        check(m.ClientId is null || m.ClientId.Length is > 0 and <= 128, "$.mqtt.clientId", "must be 1 to 128 characters");
        check(m.Protocol is "auto" or "5" or "3.1.1", "$.mqtt.protocol", $"'{ErrorText.Sanitize(m.Protocol)}' is not one of auto, 5, 3.1.1");
        check(m.PasswordFile is null || m.PasswordEnv is null, "$.mqtt.passwordFile", "give the password in passwordFile or passwordEnv, not both");
        check(m.PasswordFile is null && m.PasswordEnv is null || m.Username is { Length: > 0 }, "$.mqtt.username", "a password needs a user name");
        check(m.PasswordEnv is null || m.PasswordEnv.Length > 0 && !m.PasswordEnv.Contains('=', StringComparison.Ordinal) && !m.PasswordEnv.Contains('\0', StringComparison.Ordinal),
            "$.mqtt.passwordEnv", "must be the name of an environment variable");
        check(double.IsFinite(m.HealthSeconds) && m.HealthSeconds is >= 0.1 and <= 86400, "$.mqtt.healthSeconds",
            string.Create(CultureInfo.InvariantCulture, $"must be 0.1 to 86400 seconds (got {m.HealthSeconds})"));
        check(m.ScoresEverySteps >= 0, "$.mqtt.scoresEverySteps", $"must be >= 0 (0 = off) (got {m.ScoresEverySteps})");
        check(m.KeepAliveSeconds is >= 1 and <= 65535, "$.mqtt.keepAliveSeconds", $"must be 1 to 65535 (got {m.KeepAliveSeconds})");
        check(m.ReconnectMinMs is >= 10 and <= 3_600_000, "$.mqtt.reconnectMinMs", $"must be 10 to 3600000 (got {m.ReconnectMinMs})");
        check(m.ReconnectMaxMs >= m.ReconnectMinMs && m.ReconnectMaxMs <= 3_600_000, "$.mqtt.reconnectMaxMs", $"must be reconnectMinMs ({m.ReconnectMinMs}) to 3600000 (got {m.ReconnectMaxMs})");
        check(m.ChannelCapacity is >= 16 and <= 1_000_000, "$.mqtt.channelCapacity", $"must be 16 to 1000000 (got {m.ChannelCapacity})");
        check(m.Queue is not null, "$.mqtt.queue", "must be an object, not null");
        MqttQueueProfile queue = m.Queue!;
        check(queue.MaxBytes is >= 16 * 1024 and <= 1L << 40, "$.mqtt.queue.maxBytes", $"must be 16384 to 2^40 (got {queue.MaxBytes})");
        long segment = queue.SegmentBytes ?? DefaultSegmentBytes(queue.MaxBytes);
        check(segment >= 4096 && segment <= queue.MaxBytes / 2, "$.mqtt.queue.segmentBytes",
            $"must be 4096 to maxBytes / 2 ({queue.MaxBytes / 2}) so that dropping the oldest segment keeps the newest messages (got {segment})");
        check(queue.Path is null || queue.Path.Length > 0 && !queue.Path.Contains('\0', StringComparison.Ordinal), "$.mqtt.queue.path", "must be a folder path without NUL");
        if (m.Tls is { } tls)
        {
            check(tls.CertFile is null == tls.KeyFile is null, "$.mqtt.tls", "certFile and keyFile go together (a client certificate and its private key)");
            foreach ((string field, string? path) in new[] { ("caFile", tls.CaFile), ("certFile", tls.CertFile), ("keyFile", tls.KeyFile) })
            {
                check(path is null || path.Length > 0 && !path.Contains('\0', StringComparison.Ordinal), "$.mqtt.tls." + field, "must be a file path without NUL");
            }

            check(tls.ServerName is null || tls.ServerName.Length is > 0 and <= 253, "$.mqtt.tls.serverName", "must be a host name");
        }
    }

    /// <summary>The default segment size: an eighth of the queue, at least 4 KiB and at most 4 MiB.</summary>
    public static long DefaultSegmentBytes(long maxBytes) => Math.Clamp(maxBytes / 8, 4096, 4L << 20);

    /// <summary>Checks the files and the environment variable the section names, against the file system.</summary>
    public static void ValidateFiles(LoadedProfile loaded, IReadOnlyList<(string Folder, string Why)> writable, Checker check)
    {
        if (loaded.Profile.Mqtt is not { } m)
        {
            return;
        }

        if (m.PasswordFile is { } pf)
        {
            CheckReadable(loaded.Resolve(pf), "$.mqtt.passwordFile", check);
        }

        if (m.PasswordEnv is { } env)
        {
            check(!string.IsNullOrEmpty(Environment.GetEnvironmentVariable(env)), "$.mqtt.passwordEnv",
                $"the environment variable {env} is not set (or empty); set it for the service (systemctl edit: Environment= or EnvironmentFile=)");
        }

        if (m.Tls is { } tls)
        {
            foreach ((string field, string? path) in new[] { ("caFile", tls.CaFile), ("certFile", tls.CertFile), ("keyFile", tls.KeyFile) })
            {
                if (path is not null)
                {
                    CheckReadable(loaded.Resolve(path), "$.mqtt.tls." + field, check);
                }
            }

            CheckPem(loaded, tls, check);
        }

        string queue = QueueFolder(loaded);
        check(!File.Exists(queue), "$.mqtt.queue.path", $"{ErrorText.Sanitize(queue)} is a file; the queue is a folder of segment files");
        check(Encoding.UTF8.GetByteCount(queue) < 4000, "$.mqtt.queue.path", "the path is too long");

        // The queue is written like the state and the log: only inside the folders a profile may write to.
        string? refusal = WritableFolders.Refusal(Path.Combine(queue, "ack"), writable);
        check(refusal is null, "$.mqtt.queue.path", refusal ?? "");
    }

    /// <summary>
    /// The CA, certificate and key parse as PEM (and the key matches the certificate): a broken file is bad
    /// configuration (exit 2 now), not a connect that fails at every retry for months.
    /// </summary>
    private static void CheckPem(LoadedProfile loaded, MqttTlsProfile tls, Checker check)
    {
        if (tls.CaFile is { } ca && File.Exists(loaded.Resolve(ca)))
        {
            string? problem = null;
            try
            {
                X509Certificate2Collection roots = [];
                roots.ImportFromPemFile(loaded.Resolve(ca));
                problem = roots.Count == 0 ? "holds no PEM certificate (-----BEGIN CERTIFICATE-----)" : null;
            }
            catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
            {
                problem = $"cannot be read as PEM certificates: {ErrorText.Describe(e)}";
            }

            check(problem is null, "$.mqtt.tls.caFile", problem ?? "");
        }

        if (tls.CertFile is { } cert && tls.KeyFile is { } key && File.Exists(loaded.Resolve(cert)) && File.Exists(loaded.Resolve(key)))
        {
            string? problem = null;
            try
            {
                using X509Certificate2 pair = X509Certificate2.CreateFromPemFile(loaded.Resolve(cert), loaded.Resolve(key));
            }
            catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
            {
                problem = $"the certificate and $.mqtt.tls.keyFile do not make a client certificate (PEM, unencrypted key, matching pair): {ErrorText.Describe(e)}";
            }

            check(problem is null, "$.mqtt.tls.certFile", problem ?? "");
        }
    }

    /// <summary>The queue's folder: <c>queue.path</c>, else <c>telemetry-queue</c> beside the state file, else beside the profile.</summary>
    public static string QueueFolder(LoadedProfile loaded)
    {
        DeviceProfile p = loaded.Profile;
        if (p.Mqtt?.Queue.Path is { } path)
        {
            return loaded.Resolve(path);
        }

        string beside = p.State is { } st ? Path.GetDirectoryName(loaded.Resolve(st.Path))! : loaded.Directory;
        return Path.Combine(beside, "telemetry-queue");
    }

    /// <summary>The device id: <c>deviceId</c>, else the host name (made a valid topic level).</summary>
    public static string DeviceId(MqttProfile m)
    {
        if (m.DeviceId is { } id)
        {
            return id;
        }

        string host;
        try
        {
            host = System.Net.Dns.GetHostName();
        }
        catch (System.Net.Sockets.SocketException)
        {
            host = Environment.MachineName;
        }

        var b = new StringBuilder(host.Length);
        foreach (char c in host)
        {
            b.Append(Array.IndexOf(s_topicForbidden, c) >= 0 ? '_' : c);
        }

        return b.Length is > 0 and <= 64 ? b.ToString() : "edgernn-device";
    }

    /// <summary>Reads a secret (a password file's first line) without ever putting it in a message.</summary>
    public static string ReadPassword(LoadedProfile loaded, MqttProfile m)
    {
        if (m.PasswordEnv is { } env)
        {
            return Environment.GetEnvironmentVariable(env) ?? "";
        }

        if (m.PasswordFile is { } file)
        {
            string text = File.ReadAllText(loaded.Resolve(file));
            int end = text.IndexOfAny(['\r', '\n']);
            return end < 0 ? text : text[..end];
        }

        return "";
    }

    private static bool IsTopicLevel(string s) => s.Length is > 0 and <= 64 && s.IndexOfAny(s_topicForbidden) < 0;

    private static void CheckReadable(string path, string field, Checker check)
    {
        string shown = ErrorText.Sanitize(path);
        string? problem = null;
        try
        {
            if (Directory.Exists(path))
            {
                problem = $"{shown} is a folder";
            }
            else if (!File.Exists(path))
            {
                problem = $"{shown} does not exist";
            }
            else if (new FileInfo(path).Length > MaxSecretBytes)
            {
                problem = $"{shown} is larger than {MaxSecretBytes / 1024} KB; it is not a certificate, key or password file";
            }
            else
            {
                using FileStream s = File.OpenRead(path);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problem = $"cannot read {shown}: {ErrorText.Describe(e)}";
        }

        check(problem is null, field, problem ?? "");
    }
}
