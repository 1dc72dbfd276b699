namespace EdgeRnn.DeviceHost.Sensors;

/// <summary>One reading a sensor kind offers, e.g. the BME280's <c>pressure</c>.</summary>
/// <param name="Reading">The name a profile maps to a feature.</param>
/// <param name="Quantity">What it measures: the units it can be delivered in.</param>
/// <param name="Min">The lowest value the chip reads as the driver configures it, in the quantity's first unit.</param>
/// <param name="Max">The highest, in the same unit.</param>
internal sealed record SensorChannel(string Reading, SensorQuantity Quantity, double Min, double Max)
{
    /// <summary>The units a profile may ask for.</summary>
    public IReadOnlyList<string> Units => Quantity.Units;
}
