namespace EdgeRnn.DeviceHost.Telemetry;

/// <summary>
/// The profile's <c>mqtt</c> section (issue 15): publish events, health, optionally scores, a retained birth message
/// and a last will to an MQTT broker, through an on-disk store-and-forward queue. Validated by
/// <see cref="MqttProfileCheck"/> when the profile loads (errors name the field, exit 2).
/// </summary>
internal sealed class MqttProfile
{
    /// <summary>The broker's host name or address.</summary>
    public required string Host { get; init; }

    /// <summary>The broker's port (default 1883, or 8883 with <see cref="Tls"/>).</summary>
    public int? Port { get; init; }

    /// <summary>The device's name in topics and payloads (default: the host name).</summary>
    public string? DeviceId { get; init; }

    /// <summary>Topics are <c>{topicPrefix}/{deviceId}/events|health|scores|birth|status</c> (default <c>edgernn</c>).</summary>
    public string TopicPrefix { get; set; } = "edgernn";

    /// <summary>The MQTT client id (default <c>edgernn-{deviceId}</c>); one connection per id on a broker.</summary>
    public string? ClientId { get; init; }

    /// <summary><c>auto</c> (default: MQTT 5, then 3.1.1 when the broker refuses 5), <c>5</c> or <c>3.1.1</c>.</summary>
    public string Protocol { get; set; } = "auto";

    /// <summary>The user name; the password comes from <see cref="PasswordFile"/> or <see cref="PasswordEnv"/>.</summary>
    public string? Username { get; init; }

    /// <summary>A file holding the password (its first line); never printed.</summary>
    public string? PasswordFile { get; init; }

    /// <summary>The name of an environment variable holding the password (e.g. set by systemd's LoadCredential or an EnvironmentFile).</summary>
    public string? PasswordEnv { get; init; }

    /// <summary>TLS; without it the connection is plain TCP.</summary>
    public MqttTlsProfile? Tls { get; init; }

    /// <summary>Seconds between health messages (default 60).</summary>
    public double HealthSeconds { get; set; } = 60;

    /// <summary>Publish every Nth step's score on <c>.../scores</c> (0 = off, the default).</summary>
    public int ScoresEverySteps { get; set; }

    /// <summary>MQTT keep-alive in seconds (default 30): how soon the broker notices a dead device and sends its will.</summary>
    public int KeepAliveSeconds { get; set; } = 30;

    /// <summary>The first reconnect delay in milliseconds (default 1000), doubled per failed attempt with jitter.</summary>
    public int ReconnectMinMs { get; set; } = 1000;

    /// <summary>The longest reconnect delay in milliseconds (default 60000).</summary>
    public int ReconnectMaxMs { get; set; } = 60_000;

    /// <summary>Messages the loop may hand over before the publisher takes them (default 1024); beyond it they are dropped and counted.</summary>
    public int ChannelCapacity { get; set; } = 1024;

    /// <summary>The on-disk queue.</summary>
    public MqttQueueProfile Queue { get; set; } = new();
}

/// <summary>TLS settings of the <c>mqtt</c> section.</summary>
internal sealed class MqttTlsProfile
{
    /// <summary>The CA certificate (PEM) that signed the broker's certificate; without it the system's trust store is used.</summary>
    public string? CaFile { get; init; }

    /// <summary>A client certificate (PEM) for brokers that require one; needs <see cref="KeyFile"/>.</summary>
    public string? CertFile { get; init; }

    /// <summary>The client certificate's private key (PEM, unencrypted); never printed.</summary>
    public string? KeyFile { get; init; }

    /// <summary>The name the broker's certificate must carry (default: <see cref="MqttProfile.Host"/>).</summary>
    public string? ServerName { get; init; }
}

/// <summary>The store-and-forward queue of the <c>mqtt</c> section.</summary>
internal sealed class MqttQueueProfile
{
    /// <summary>The queue's folder (default <c>telemetry-queue</c> beside the state file, or beside the profile without one).</summary>
    public string? Path { get; init; }

    /// <summary>The most bytes kept on disk (default 8 MiB); beyond it the oldest messages are dropped and counted.</summary>
    public long MaxBytes { get; set; } = 8L << 20;

    /// <summary>The size of one segment file (default maxBytes / 8): the unit in which the oldest messages are dropped.</summary>
    public long? SegmentBytes { get; init; }
}
