namespace EdgeRnn.DeviceHost.Sensors;

/// <summary>One reading a sensor kind offers, e.g. the BME280's <c>pressure</c>.</summary>
/// <param name="reading">The name a profile maps to a feature.</param>
/// <param name="quantity">What it measures: the units it can be delivered in.</param>
/// <param name="min">The lowest value the chip reads as the driver configures it, in the quantity's first unit.</param>
/// <param name="max">The highest, in the same unit.</param>
internal sealed class SensorChannel(string reading, SensorQuantity quantity, double min, double max)
{
    public string Reading { get; } = reading;

    public SensorQuantity Quantity { get; } = quantity;

    public double Min { get; } = min;

    public double Max { get; } = max;

    /// <summary>The units a profile may ask for. Shared: do not modify.</summary>
    public string[] Units => Quantity.Units;
}
