using System.Threading.Channels;
using EdgeRnn.DeviceHost.Loop;
using EdgeRnn.DeviceHost.Outputs;
using EdgeRnn.DeviceHost.Profiles;

namespace EdgeRnn.DeviceHost.Telemetry;

/// <summary>
/// The MQTT output (the profile's <c>mqtt</c> section). On the loop thread it only hands events and (every
/// <c>scoresEverySteps</c>) scores to a bounded channel with <c>TryWrite</c>: it never waits, never touches the disk
/// or the network, and what does not fit is dropped and counted (published in health as <c>channelDropped</c>).
/// The <see cref="MqttPublisher"/> does the rest on its own tasks. Its faults (broker unreachable, credentials
/// refused, queue disk full) come back as fault / fault_cleared events emitted on the loop thread at the next step.
/// </summary>
internal sealed class TelemetrySink : IEventSink
{
    private readonly DeviceLoop _loop;
    private readonly Channel<TelemetryItem> _channel;
    private readonly MqttPublisher _publisher;
    private readonly int _scoresEvery;
    private long _channelDropped;
    private bool _started;
    private bool _disposed;

    public TelemetrySink(DeviceLoop loop, LoadedProfile profile, MqttProfile m)
    {
        _loop = loop;
        _scoresEvery = m.ScoresEverySteps;
        _channel = Channel.CreateBounded<TelemetryItem>(new BoundedChannelOptions(m.ChannelCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait, // TryWrite then fails at once when full: counted, never waits
            SingleReader = true,
            SingleWriter = true,
            AllowSynchronousContinuations = false,
        });
        _publisher = new MqttPublisher(loop, profile, m, _channel.Reader, () => Volatile.Read(ref _channelDropped));
    }

    public string Name => "mqtt " + _publisher.Endpoint;

    /// <summary>Messages the loop could not hand over (the channel was full).</summary>
    public long ChannelDropped => Volatile.Read(ref _channelDropped);

    internal MqttPublisher Publisher => _publisher;

    public void Open()
    {
        if (!_started)
        {
            _started = true;
            _publisher.Start();
        }
    }

    public void OnEvent(in DeviceEvent e) => Hand(new TelemetryItem(TelemetryKind.Event, e, default));

    public void OnStep(in StepRecord step, ReadOnlySpan<float> raw)
    {
        if (!_publisher.Notices.IsEmpty)
        {
            while (_publisher.Notices.TryDequeue(out DeviceEvent notice))
            {
                _loop.Emit(notice with { Step = step.Step });
            }
        }

        if (_scoresEvery > 0 && step.Step % _scoresEvery == 0)
        {
            Hand(new TelemetryItem(TelemetryKind.Score, default, step));
        }
    }

    private void Hand(in TelemetryItem item)
    {
        if (!_channel.Writer.TryWrite(item))
        {
            Interlocked.Increment(ref _channelDropped);
        }
    }

    /// <summary>Hands over what is left, lets the publisher send what it can for two seconds, and closes the queue.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _channel.Writer.TryComplete();
        if (_started)
        {
            _publisher.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }
}
