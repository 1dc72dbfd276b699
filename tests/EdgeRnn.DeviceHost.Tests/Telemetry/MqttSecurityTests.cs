using System.Diagnostics;
using System.Text.RegularExpressions;
using EdgeRnn.DeviceHost.Telemetry;
using EdgeRnn.DeviceHost.Tests.Reliability;

namespace EdgeRnn.DeviceHost.Tests.Telemetry;

/// <summary>
/// TLS with a CA and a client certificate generated here with openssl, a password from a file, on a real Mosquitto;
/// a wrong CA and a wrong password are refused with a clear fault (once), retried, and the password never printed;
/// profile errors in the mqtt section stop the device with exit 2.
/// </summary>
public sealed class MqttSecurityTests : IDisposable
{
    private const string Password = "s3cret-pw-7781";
    private readonly TempFolder _temp = new();

    public MqttSecurityTests()
    {
        // A CA, a broker certificate for localhost / 127.0.0.1 signed by it, a client certificate, and an unrelated CA.
        const string Script = """
            set -e
            key() { openssl ecparam -name prime256v1 -genkey -noout | openssl pkcs8 -topk8 -nocrypt -out "$1"; }
            key ca.key; openssl req -x509 -new -key ca.key -out ca.crt -days 2 -subj /CN=edgernn-test-ca
            key other-ca.key; openssl req -x509 -new -key other-ca.key -out other-ca.crt -days 2 -subj /CN=someone-else
            key server.key; openssl req -new -key server.key -out server.csr -subj /CN=localhost
            printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' > san.ext
            openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out server.crt -days 2 -extfile san.ext
            key client.key; openssl req -new -key client.key -out client.csr -subj /CN=dev1
            openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out client.crt -days 2
            /usr/bin/mosquitto_passwd -b -c passwd dev "$PW"
            """;
        var psi = new ProcessStartInfo("/bin/bash", ["-c", Script]) { WorkingDirectory = _temp.Path, RedirectStandardError = true, RedirectStandardOutput = true };
        psi.Environment["PW"] = Password;
        using Process p = Process.Start(psi)!;
        string err = p.StandardError.ReadToEnd() + p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, "openssl / mosquitto_passwd failed: " + err);
        File.WriteAllText(_temp.File("pass.txt"), Password + "\n");
        File.WriteAllText(_temp.File("wrong.txt"), "not-the-password-4410\n");
    }

    public void Dispose() => _temp.Dispose();

    private MosquittoBroker Broker() => new(_temp.Path, extraConfig: $"""
        listener {"{port2}"} 127.0.0.1
        allow_anonymous false
        password_file {_temp.File("passwd")}
        cafile {_temp.File("ca.crt")}
        certfile {_temp.File("server.crt")}
        keyfile {_temp.File("server.key")}
        require_certificate true
        """);

    private string Profile(MosquittoBroker broker, string ca = "ca.crt", string passwordFile = "pass.txt", int steps = 10) =>
        DeviceHarness.Profile(_temp, MqttTelemetryTests.Sensor(steps), extra: MqttTelemetryTests.Mqtt(broker.Port2,
            $$""", "username": "dev", "passwordFile": "{{passwordFile}}", "tls": { "caFile": "{{ca}}", "certFile": "client.crt", "keyFile": "client.key", "serverName": "localhost" }"""));

    [Fact]
    public async Task Tls_CaClientCertificateAndPassword_Publishes()
    {
        using MosquittoBroker broker = Broker();
        await using TestSubscriber sub = await TestSubscriber.Start(broker.Port);

        (int code, string stdout, string stderr) = DeviceHarness.Device("run", "--profile", Profile(broker), "--max-steps", "30");

        Assert.True(code == 0, stderr + stdout);
        sub.WaitFor(s => s.On("dev1/status").Any(m => m.Json.GetProperty("reason").GetString() == "stopped"), "a clean stop over TLS");
        Assert.Single(sub.On("dev1/birth"));
        Assert.Contains(sub.On("dev1/events"), m => m.Json.GetProperty("event").GetString() == "stopped");
        Assert.DoesNotContain("fault mqtt", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Tls_BrokerCertificateFromAnotherCa_RefusedClearlyAndQueued()
    {
        using MosquittoBroker broker = Broker();

        (int code, string stdout, string stderr) = DeviceHarness.Device("run", "--profile", Profile(broker, ca: "other-ca.crt"), "--max-steps", "100");

        Assert.True(code == 0, stderr + stdout);
        Assert.Contains("cannot connect: TLS: the broker's certificate (CN=localhost) is not signed by the CA in $.mqtt.tls.caFile (other-ca.crt)", stdout, StringComparison.Ordinal);
        Assert.Single(Regex.Matches(stdout, " fault mqtt "));
        using TelemetryQueue q = TelemetryQueue.Open(_temp.File("telemetry-queue"), 8L << 20, 1L << 20, readOnly: true);
        Assert.True(q.Depth > 0); // kept for when the configuration is fixed
    }

    [Fact]
    public void WrongPassword_RefusedOnceRetriedNeverPrinted()
    {
        using MosquittoBroker broker = Broker();

        // 400 steps of 10 ms: the first connect of a test process (MQTTnet JIT-compiled, other tests running) took 0.7 to 1.6 s here.
        (int code, string stdout, string stderr) = DeviceHarness.Device("run", "--profile", Profile(broker, passwordFile: "wrong.txt"), "--max-steps", "400");

        Assert.True(code == 0, stderr + stdout);
        Assert.True(Regex.IsMatch(stdout, @"fault mqtt 127\.0\.0\.1:\d+: cannot connect: the broker refused the connection: (NotAuthorized|BadUserNameOrPassword).*: check \$\.mqtt\.username \('dev'\) and the password in \$\.mqtt\.passwordFile \(wrong\.txt\)"), stdout + "\nBROKER:\n" + broker.Log);
        Assert.InRange(Regex.Count(stdout, " fault mqtt "), 1, 2); // reported once (twice if the first attempt failed otherwise), not at every retry
        Assert.True(Regex.Count(broker.Log, "not authorised|bad user name or password|Client .* disconnected", RegexOptions.IgnoreCase) >= 2, broker.Log); // retried
        Assert.DoesNotContain("not-the-password", stdout + stderr + File.ReadAllText(_temp.File("events.jsonl")), StringComparison.Ordinal);
    }

    [Fact]
    public void Profile_MissingCaFileOrUnsetPasswordVariable_Exit2NamingTheField()
    {
        string missingCa = DeviceHarness.Profile(_temp, extra: """, "mqtt": { "host": "127.0.0.1", "tls": { "caFile": "nope/ca.crt" } }""", name: "a.json");
        (int code, _, string stderr) = DeviceHarness.Device("run", "--profile", missingCa);
        Assert.Equal(2, code);
        Assert.Contains("$.mqtt.tls.caFile: ", stderr, StringComparison.Ordinal);
        Assert.Contains("nope/ca.crt does not exist", stderr, StringComparison.Ordinal);

        string unset = DeviceHarness.Profile(_temp, extra: """, "mqtt": { "host": "127.0.0.1", "username": "dev", "passwordEnv": "EDGERNN_TEST_UNSET_PASSWORD_VAR" }""", name: "b.json");
        (code, _, stderr) = DeviceHarness.Device("run", "--profile", unset);
        Assert.Equal(2, code);
        Assert.Contains("$.mqtt.passwordEnv: the environment variable EDGERNN_TEST_UNSET_PASSWORD_VAR is not set", stderr, StringComparison.Ordinal);

        string bad = DeviceHarness.Profile(_temp, extra: """, "mqtt": { "host": "127.0.0.1", "topicPrefix": "a/#", "passwordFile": "p" }""", name: "c.json");
        (code, _, stderr) = DeviceHarness.Device("run", "--profile", bad);
        Assert.Equal(2, code);
        Assert.Contains("$.mqtt.topicPrefix: ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Profile_BrokenPemOrAKeyThatIsNotTheCertificates_OrAQueueOutsideTheWritableFolders_Exit2()
    {
        // Found only at connect time before: a fault retried for months instead of a configuration error.
        File.WriteAllText(_temp.File("garbage.crt"), "not a certificate\n");
        string garbage = DeviceHarness.Profile(_temp, extra: """, "mqtt": { "host": "127.0.0.1", "tls": { "caFile": "garbage.crt" } }""", name: "d.json");
        (int code, _, string stderr) = DeviceHarness.Device("run", "--profile", garbage);
        Assert.Equal(2, code);
        Assert.Contains("$.mqtt.tls.caFile: holds no PEM certificate", stderr, StringComparison.Ordinal);

        // server.key is a real key, but not client.crt's.
        string mismatched = DeviceHarness.Profile(_temp, extra: """, "mqtt": { "host": "127.0.0.1", "tls": { "caFile": "ca.crt", "certFile": "client.crt", "keyFile": "server.key" } }""", name: "e.json");
        (code, _, stderr) = DeviceHarness.Device("run", "--profile", mismatched);
        Assert.Equal(2, code);
        Assert.Contains("$.mqtt.tls.certFile: the certificate and $.mqtt.tls.keyFile do not make a client certificate", stderr, StringComparison.Ordinal);

        string outside = DeviceHarness.Profile(_temp, extra: """, "mqtt": { "host": "127.0.0.1", "queue": { "path": "/etc/edgernn-queue" } }""", name: "f.json");
        (code, _, stderr) = DeviceHarness.Device("run", "--profile", outside);
        Assert.Equal(2, code);
        Assert.Contains("$.mqtt.queue.path: ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Diag_ShowsBrokerAndQueueDepth()
    {
        int port = MosquittoBroker.FreePort(); // nothing listens: messages stay queued
        string profile = DeviceHarness.Profile(_temp, DeviceHarness.SyntheticSensor, extra: MqttTelemetryTests.Mqtt(port, ", \"scoresEverySteps\": 1"));
        Assert.Equal(0, DeviceHarness.Device("run", "--profile", profile, "--max-steps", "40").Code);

        (_, string stdout, _) = DeviceHarness.Device("diag", "--profile", profile);

        Assert.Contains($"PROBLEM  broker 127.0.0.1:{port}: ", stdout, StringComparison.Ordinal);
        Assert.Matches(@"queue    .*telemetry-queue: depth \d\d+ message\(s\), \d+ of 8388608 bytes, oldest [\d.]+ s old, 0 dropped \(queue full\), 0 corrupt", stdout);
    }
}
