using MQTTnet;
using MQTTnet.Adapter;
using MQTTnet.Diagnostics.Logger;
using MQTTnet.Formatter;
using MQTTnet.Implementations;

namespace EdgeRnn.DeviceHost.Telemetry;

/// <summary>
/// MQTTnet's client adapter for TCP (and TLS over TCP) only. MQTTnet's default factory also builds WebSocket channels,
/// and through <c>ClientWebSocket</c> roots the whole HTTP stack (HttpClient, HTTP/2, ...): about 3 MB of the NativeAOT
/// binary that a device talking MQTT over TCP never runs. Same construction as MQTTnet's own factory otherwise.
/// </summary>
internal sealed class TcpOnlyAdapterFactory : IMqttClientAdapterFactory
{
    public IMqttChannelAdapter CreateClientAdapter(MqttClientOptions options, MqttPacketInspector packetInspector, IMqttNetLogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.ChannelOptions is not MqttClientTcpOptions)
        {
            throw new NotSupportedException("edgernn-device connects to MQTT brokers over TCP (optionally with TLS) only.");
        }

        var formatter = new MqttPacketFormatterAdapter(options.ProtocolVersion, new MqttBufferWriter(options.WriterBufferSize, options.WriterBufferSizeMax));
        return new MqttChannelAdapter(new MqttTcpChannel(options), formatter, logger)
        {
            AllowPacketFragmentation = options.AllowPacketFragmentation,
            PacketInspector = packetInspector,
        };
    }

    /// <summary>A client with this factory and no logging.</summary>
    public static IMqttClient CreateClient() => new MqttClientFactory(new MqttNetNullLogger(), new TcpOnlyAdapterFactory()).CreateMqttClient();
}
