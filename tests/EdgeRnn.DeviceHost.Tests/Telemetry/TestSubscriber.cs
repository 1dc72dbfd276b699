using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using MQTTnet;
using MQTTnet.Protocol;

namespace EdgeRnn.DeviceHost.Tests.Telemetry;

/// <summary>One message a subscriber received.</summary>
internal sealed record Received(string Topic, string Payload, bool Retain, string? ContentType)
{
    public JsonElement Json => JsonDocument.Parse(Payload).RootElement;

    public long Seq => Json.GetProperty("seq").GetInt64();
}

/// <summary>
/// A real MQTT subscriber (MQTTnet) on <c>{prefix}/#</c> at QoS 1. With <paramref name="persistent"/> its session
/// survives its disconnects (clean start off, a session expiry) and it reconnects on its own, so the broker keeps
/// what is published while it is away (a broker restart) for it.
/// </summary>
internal sealed class TestSubscriber : IAsyncDisposable
{
    private readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient();
    private readonly MqttClientOptions _options;
    private readonly string _filter;
    private readonly CancellationTokenSource _stop = new();
    private Task? _reconnect;

    private TestSubscriber(int port, string filter, bool persistent)
    {
        _filter = filter;
        _options = new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithClientId("test-sub-" + Guid.NewGuid().ToString("N")[..8])
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
            .WithCleanStart(!persistent).WithSessionExpiryInterval(persistent ? 600u : 0u).WithTimeout(TimeSpan.FromSeconds(5)).Build();
        _client.ApplicationMessageReceivedAsync += e =>
        {
            MqttApplicationMessage m = e.ApplicationMessage;
            Messages.Enqueue(new Received(m.Topic, Encoding.UTF8.GetString(m.Payload), m.Retain, m.ContentType));
            return Task.CompletedTask;
        };
    }

    public ConcurrentQueue<Received> Messages { get; } = new();

    public static async Task<TestSubscriber> Start(int port, string filter = "edgernn/#", bool persistent = false)
    {
        var s = new TestSubscriber(port, filter, persistent);
        await s.Connect();
        if (persistent)
        {
            s._reconnect = Task.Run(s.KeepConnected);
        }

        return s;
    }

    private async Task Connect()
    {
        MqttClientConnectResult r = await _client.ConnectAsync(_options);
        if (!r.IsSessionPresent)
        {
            await _client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(_filter, MqttQualityOfServiceLevel.AtLeastOnce).Build());
        }
    }

    private async Task KeepConnected()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(100, _stop.Token);
                if (!_client.IsConnected)
                {
                    await Connect();
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // The broker is down: try again.
            }
        }
    }

    public Received[] On(string topicEnd) => [.. Messages.Where(m => m.Topic.EndsWith(topicEnd, StringComparison.Ordinal))];

    /// <summary>Waits (polling, bounded) until <paramref name="condition"/> holds; fails with what arrived if it does not within <paramref name="seconds"/>.</summary>
    public void WaitFor(Func<TestSubscriber, bool> condition, string what, double seconds = 20)
    {
        var sw = Stopwatch.StartNew();
        while (!condition(this))
        {
            if (sw.Elapsed.TotalSeconds > seconds)
            {
                Assert.Fail($"timed out waiting for {what}; received {Messages.Count}: {string.Join("\n", Messages.Take(20).Select(m => m.Topic + " " + m.Payload))}");
            }

            Thread.Sleep(20);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_reconnect is not null)
        {
            await _reconnect;
        }

        try
        {
            await _client.DisconnectAsync();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
        }

        _client.Dispose();
        _stop.Dispose();
    }
}
