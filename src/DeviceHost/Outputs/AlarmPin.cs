using System.Device.Gpio;

namespace EdgeRnn.DeviceHost.Outputs;

/// <summary>
/// Drives a GPIO pin while an anomaly is active (and, if the policy says so, while a sensor is degraded). The pin is
/// set inactive when opened and on dispose, so a restarted service never leaves a stale alarm on.
/// </summary>
/// <remarks>
/// A pin that cannot be opened or written (no GPIO chip, the chip busy, a permission) is a degraded output, not a
/// dead service: the failure is thrown to the loop, which counts and reports it, and the next event that changes the
/// alarm tries to open the pin again (and then sets the level the alarm should have).
/// </remarks>
internal sealed class AlarmPin : IEventSink
{
    private readonly Func<GpioController> _open;
    private readonly int _pin;
    private readonly bool _activeHigh;
    private readonly bool _onDegraded;
    private GpioController? _controller;
    private bool _anomaly;
    private bool _degraded;

    /// <summary>A pin opened by <see cref="Open"/> or, lazily, by the first event that drives it.</summary>
    public AlarmPin(Func<GpioController> open, int pin, bool activeHigh, bool onDegraded)
    {
        _open = open;
        _pin = pin;
        _activeHigh = activeHigh;
        _onDegraded = onDegraded;
    }

    public string Name => $"alarm pin GPIO {_pin}";

    /// <summary>Whether the alarm is on now (whether or not the pin could be driven).</summary>
    public bool IsOn => _anomaly || (_onDegraded && _degraded);

    /// <summary>Whether the pin is open.</summary>
    public bool IsOpen => _controller is not null;

    /// <summary>
    /// Opens the pin as an output at the level the alarm has now; throws whatever the GPIO driver throws (no chip, no
    /// permission, a pin the chip lacks).
    /// </summary>
    public void Open()
    {
        if (_controller is not null)
        {
            return;
        }

        GpioController controller = _open();
        try
        {
            controller.OpenPin(_pin, PinMode.Output, Level(IsOn));
        }
        catch
        {
            controller.Dispose();
            throw;
        }

        _controller = controller;
    }

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

        if (_controller is null)
        {
            Open(); // sets the current level
            return;
        }

        try
        {
            _controller.Write(_pin, Level(IsOn));
        }
        catch
        {
            Close();
            throw;
        }
    }

    private PinValue Level(bool on) => on == _activeHigh ? PinValue.High : PinValue.Low;

    private void Close()
    {
        GpioController? controller = _controller;
        _controller = null;
        if (controller is null)
        {
            return;
        }

        try
        {
            controller.Write(_pin, Level(false));
            controller.ClosePin(_pin);
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or UnauthorizedAccessException)
        {
            // The chip is going away; it is being released either way.
        }
        finally
        {
            controller.Dispose();
        }
    }

    public void Dispose() => Close();
}
