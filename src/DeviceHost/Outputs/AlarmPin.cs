using System.Device.Gpio;

namespace EdgeRnn.DeviceHost.Outputs;

/// <summary>
/// Drives a GPIO pin while an anomaly is active (and, if the policy says so, while a sensor is degraded). The pin is
/// set inactive at start and on dispose, so a restarted service never leaves a stale alarm on.
/// </summary>
internal sealed class AlarmPin : IEventSink
{
    private readonly GpioController _controller;
    private readonly int _pin;
    private readonly bool _activeHigh;
    private readonly bool _onDegraded;
    private bool _anomaly;
    private bool _degraded;

    public AlarmPin(GpioController controller, int pin, bool activeHigh, bool onDegraded)
    {
        _controller = controller;
        _pin = pin;
        _activeHigh = activeHigh;
        _onDegraded = onDegraded;
        _controller.OpenPin(pin, PinMode.Output, Level(false));
    }

    /// <summary>Whether the alarm is on now.</summary>
    public bool IsOn => _anomaly || (_onDegraded && _degraded);

    public void OnEvent(in DeviceEvent e)
    {
        switch (e.Kind)
        {
            case DeviceEventKind.AnomalyStarted:
            case DeviceEventKind.StateRestored when e.Detail?.Contains("anomaly active", StringComparison.Ordinal) == true:
                _anomaly = true;
                break;
            case DeviceEventKind.AnomalyEnded:
                _anomaly = false;
                break;
            case DeviceEventKind.SensorDegraded:
                _degraded = true;
                break;
            case DeviceEventKind.SensorRecovered:
                _degraded = false;
                break;
            default:
                return;
        }

        _controller.Write(_pin, Level(IsOn));
    }

    private PinValue Level(bool on) => on == _activeHigh ? PinValue.High : PinValue.Low;

    public void Dispose()
    {
        _controller.Write(_pin, Level(false));
        _controller.ClosePin(_pin);
        _controller.Dispose();
    }
}
