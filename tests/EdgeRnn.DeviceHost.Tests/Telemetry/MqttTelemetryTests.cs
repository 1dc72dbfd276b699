using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using EdgeRnn.DeviceHost.Telemetry;
using EdgeRnn.DeviceHost.Tests.Reliability;
using Xunit.Abstractions;

namespace EdgeRnn.DeviceHost.Tests.Telemetry;

/// <summary>Issue 15 on a real Mosquitto broker: publishing, the last will, a broker outage, kill -9 with a queue, a full queue.</summary>
public sealed class MqttTelemetryTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>A synthetic sensor paced at <paramref name="stepMs"/> per step (the temperature model samples hourly).</summary>
    internal static string Sensor(double stepMs) =>
        DeviceHarness.SyntheticSensor.Replace("\"speed\": 0", string.Create(CultureInfo.InvariantCulture, $"\"speed\": {3600_000 / stepMs}"), StringComparison.Ordinal);

    internal static string Mqtt(int port, string more = "") => string.Create(CultureInfo.InvariantCulture,
        $$""", "mqtt": { "host": "127.0.0.1", "port": {{port}}, "deviceId": "dev1", "healthSeconds": 0.2, "keepAliveSeconds": 2, "reconnectMinMs": 50, "reconnectMaxMs": 300 {{more}} }""");

    private string Queue => _temp.File("telemetry-queue");

    private TelemetryQueue PeekQueue() => TelemetryQueue.Open(Queue, 8L << 20, 1L << 20, readOnly: true);

    [Fact]
    public async Task Run_WithBroker_PublishesBirthStatusEventsScoresAndHealth()
    {
        using var broker = new MosquittoBroker(_temp.Path);
        await using TestSubscriber sub = await TestSubscriber.Start(broker.Port);
        string profile = DeviceHarness.Profile(_temp, Sensor(10), extra: Mqtt(broker.Port, ", \"scoresEverySteps\": 10"));

        (int code, string stdout, string stderr) = DeviceHarness.Device("run", "--profile", profile, "--max-steps", "150");

        Assert.True(code == 0, stderr + stdout);
        sub.WaitFor(s => s.On("/status").Any(m => m.Json.GetProperty("status").GetString() == "offline"), "status offline");
        Received birth = Assert.Single(sub.On("dev1/birth"));
        Assert.Equal("edgernn.birth", birth.Json.GetProperty("schema").GetString());
        Assert.Equal("application/json", birth.ContentType);
        Assert.Equal(64, birth.Json.GetProperty("model").GetProperty("sha256").GetString()!.Length);
        Assert.Equal(["online", "offline"], sub.On("dev1/status").Select(m => m.Json.GetProperty("status").GetString()));
        Assert.Equal("stopped", sub.On("dev1/status")[^1].Json.GetProperty("reason").GetString());
        string[] events = [.. sub.On("dev1/events").Select(m => m.Json.GetProperty("event").GetString()!)];
        Assert.Equal("started", events[0]);
        Assert.Equal("stopped", events[^1]);
        Assert.Equal(Enumerable.Range(1, 15).Select(i => i * 10L), sub.On("dev1/scores").Select(m => m.Json.GetProperty("step").GetInt64()));
        Received[] health = sub.On("dev1/health");
        Assert.NotEmpty(health);
        JsonElement h = health[^1].Json;
        Assert.Equal("edgernn.health", h.GetProperty("schema").GetString());
        Assert.True(h.GetProperty("steps").GetInt64() > 0);
        Assert.True(h.GetProperty("latencyUs").GetProperty("p99").GetDouble() > 0);
        Assert.Equal("sig", h.GetProperty("sensors")[0].GetProperty("id").GetString());
        Assert.Equal(0, h.GetProperty("queue").GetProperty("dropped").GetInt64());

        // Everything queued went out once, in order.
        long[] seqs = [.. sub.Messages.Where(m => m.Topic is "edgernn/dev1/events" or "edgernn/dev1/health" or "edgernn/dev1/scores").Select(m => m.Seq)];
        Assert.Equal(Enumerable.Range(1, seqs.Length).Select(i => (long)i), seqs);

        // Birth and status are retained for subscribers that come later.
        await using TestSubscriber late = await TestSubscriber.Start(broker.Port);
        late.WaitFor(s => s.On("dev1/birth").Length == 1 && s.On("dev1/status").Length == 1, "retained birth and status");
        Assert.True(late.On("dev1/birth")[0].Retain);
        using (TelemetryQueue q = PeekQueue())
        {
            Assert.Equal(0, q.Depth);
        }
    }

    [Fact]
    public async Task Kill9_BrokerPublishesLastWill()
    {
        using var broker = new MosquittoBroker(_temp.Path);
        await using TestSubscriber sub = await TestSubscriber.Start(broker.Port);
        string profile = DeviceHarness.Profile(_temp, Sensor(100), extra: Mqtt(broker.Port, ", \"keepAliveSeconds\": 1"));
        using Process device = DeviceHarness.Start($"exec {{device}} run --profile '{profile}'");
        sub.WaitFor(s => s.On("dev1/status").Any(m => m.Json.GetProperty("status").GetString() == "online"), "status online");

        device.Kill(entireProcessTree: true);
        device.WaitForExit();

        sub.WaitFor(s => s.On("dev1/status").Any(m => m.Json.GetProperty("reason").GetString() == "connection lost"), "the last will", seconds: 15);
        Assert.Equal("offline", sub.On("dev1/status")[^1].Json.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Run_BrokerStoppedAndRestarted_NothingLostOrderKeptDuplicatesCounted()
    {
        using var broker = new MosquittoBroker(_temp.Path, persistence: true);
        await using TestSubscriber sub = await TestSubscriber.Start(broker.Port, persistent: true);
        string profile = DeviceHarness.Profile(_temp, Sensor(10), extra: Mqtt(broker.Port, ", \"scoresEverySteps\": 1"));
        const int Steps = 500;
        Task<ToolResult> run = Task.Run(() => DeviceHarness.Device("run", "--profile", profile, "--max-steps", Steps.ToString(CultureInfo.InvariantCulture)));
        sub.WaitFor(s => s.On("dev1/scores").Length >= 100, "the first scores");

        broker.Stop();
        await Task.Delay(1500);
        broker.Start();

        (int code, string stdout, string stderr) = await run;
        Assert.True(code == 0, stderr + stdout);
        Assert.Contains("fault mqtt 127.0.0.1", stdout, StringComparison.Ordinal);
        Assert.Contains("fault_cleared mqtt 127.0.0.1", stdout, StringComparison.Ordinal);
        sub.WaitFor(s => s.On("dev1/scores").Select(m => m.Seq).Distinct().Count() == Steps, "every score", seconds: 30);

        Received[] scores = sub.On("dev1/scores");
        long[] steps = [.. scores.Select(m => m.Json.GetProperty("step").GetInt64()).Distinct()];
        Assert.Equal(Enumerable.Range(1, Steps).Select(i => (long)i), steps); // nothing lost, order kept (first arrivals)
        int duplicates = scores.Length - steps.Length;
        output.WriteLine($"{scores.Length} score messages received for {Steps} steps: {duplicates} duplicate(s) (QoS 1 resends of messages in flight when the broker stopped)");
        Assert.True(duplicates < 50, $"{duplicates} duplicates");
        using TelemetryQueue q = PeekQueue();
        Assert.Equal(0, q.Depth);
        Assert.Equal(0, q.Dropped);
    }

    [Fact]
    public async Task Kill9_WithQueuedMessages_QueueIntactAndDrainsFirstInOrder()
    {
        using var broker = new MosquittoBroker(_temp.Path);
        broker.Stop(); // its port is known and nothing listens on it: the broker is "down"
        string profile = DeviceHarness.Profile(_temp, Sensor(5), extra: Mqtt(broker.Port, ", \"scoresEverySteps\": 1"));
        using (Process device = DeviceHarness.Start($"exec {{device}} run --profile '{profile}'"))
        {
            var sw = Stopwatch.StartNew();
            while (QueuedDepth() < 200)
            {
                Assert.True(sw.Elapsed < TimeSpan.FromSeconds(30) && !device.HasExited, "the device did not queue 200 messages");
                Thread.Sleep(50);
            }

            device.Kill(entireProcessTree: true);
            device.WaitForExit();
        }

        long depth, first, last;
        using (TelemetryQueue q = PeekQueue())
        {
            depth = q.Depth;
            first = q.Peek()!.Seq;
            last = q.NextSequence - 1;
            output.WriteLine($"after kill -9: {depth} messages queued (seq {first}..{last}), problems: {string.Join("; ", q.Problems)}");
        }

        broker.Start();
        await using TestSubscriber sub = await TestSubscriber.Start(broker.Port);
        (int code, string stdout, string stderr) = DeviceHarness.Device("run", "--profile", profile, "--max-steps", "20");
        Assert.True(code == 0, stderr + stdout);
        sub.WaitFor(s => s.On("dev1/status").Any(m => m.Json.GetProperty("reason").GetString() == "stopped"), "the second run's clean stop");

        long[] seqs = [.. sub.Messages.Where(m => !m.Topic.EndsWith("/birth", StringComparison.Ordinal) && !m.Topic.EndsWith("/status", StringComparison.Ordinal)).Select(m => m.Seq)];
        Assert.Equal(seqs.Order(), seqs); // the old queue first, in order, then the new run's
        for (long s = first; s <= last; s++)
        {
            Assert.Contains(s, seqs);
        }

        Assert.True(seqs[^1] > last);
        using TelemetryQueue after = PeekQueue();
        Assert.Equal(0, after.Depth);

        long QueuedDepth()
        {
            if (!Directory.Exists(Queue))
            {
                return 0;
            }

            using TelemetryQueue q = PeekQueue();
            return q.Depth;
        }
    }

    [Fact]
    public async Task Run_QueueFullWhileBrokerDown_DropsOldestAndPublishesTheCount()
    {
        using var broker = new MosquittoBroker(_temp.Path);
        broker.Stop();
        string queueSettings = ", \"scoresEverySteps\": 1, \"queue\": { \"maxBytes\": 16384, \"segmentBytes\": 4096 }";
        string profile = DeviceHarness.Profile(_temp, DeviceHarness.SyntheticSensor, extra: Mqtt(broker.Port, queueSettings));
        (int code, string stdout, string stderr) = DeviceHarness.Device("run", "--profile", profile, "--max-steps", "2000");
        Assert.True(code == 0, stderr + stdout);
        long dropped, oldest;
        using (TelemetryQueue q = TelemetryQueue.Open(Queue, 16384, 4096, readOnly: true))
        {
            dropped = q.Dropped;
            oldest = q.Peek()!.Seq;
            Assert.True(q.Bytes <= 16384);
            // 2000 scores at full speed into 16 KB (about 70 messages): most are dropped, the oldest first, and counted.
            Assert.True(dropped > 0, $"{dropped} dropped");
            Assert.Equal(dropped + 1, oldest);
            Assert.Equal(q.NextSequence - 1, dropped + q.Depth);
        }

        broker.Start();
        await using TestSubscriber sub = await TestSubscriber.Start(broker.Port);
        string paced = DeviceHarness.Profile(_temp, Sensor(10), extra: Mqtt(broker.Port, queueSettings), name: "paced.json");
        (code, stdout, stderr) = DeviceHarness.Device("run", "--profile", paced, "--max-steps", "60");
        Assert.True(code == 0, stderr + stdout);
        sub.WaitFor(s => s.On("dev1/health").Length > 0, "a health message");
        // The queue is still full when the second run starts, so its first messages may push out the oldest segment
        // (about 19 messages) before the sender connects: the first message to arrive is the oldest still queued, and
        // whatever came before it is in the dropped count, never silently gone.
        long first = sub.Messages.First(m => m.Topic.EndsWith("/scores", StringComparison.Ordinal) || m.Topic.EndsWith("/events", StringComparison.Ordinal)
            || m.Topic.EndsWith("/health", StringComparison.Ordinal)).Seq;
        Assert.True(first >= oldest, $"first {first}, oldest {oldest}");
        Assert.True(sub.On("dev1/health")[0].Json.GetProperty("queue").GetProperty("dropped").GetInt64() >= dropped + (first - oldest));
    }
}
