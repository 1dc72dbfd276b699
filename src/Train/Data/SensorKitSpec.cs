namespace EdgeRnn.Train.Data;

/// <summary>
/// One column of a sensor kit: its name and unit (as the device profile maps them), the sensor's measuring range
/// (readings saturate there), its resolution (readings are whole multiples of it) and the size of an injected fault.
/// </summary>
/// <param name="Name">The feature (and CSV column) name, e.g. <c>temperature</c>.</param>
/// <param name="Unit">The unit as the device profile writes it, e.g. <c>degC</c>.</param>
/// <param name="Min">The lowest value the sensor can report.</param>
/// <param name="Max">The highest value the sensor can report.</param>
/// <param name="Resolution">The reading's step (one LSB in this unit).</param>
/// <param name="FaultScale">The unit of injected faults in this unit: a spike is 5x it, a level shift 2.5x, a drift grows to 3x, a noise burst has this standard deviation.</param>
public sealed record SensorKitFeature(string Name, string Unit, double Min, double Max, double Resolution, double FaultScale);

/// <summary>A sensor kit's columns, timing and the shape of its injected anomalies.</summary>
/// <param name="Kit">The kit.</param>
/// <param name="Features">The columns in the device profile's order.</param>
/// <param name="PeriodSeconds">Seconds between rows (the profile's samplePeriodSeconds).</param>
/// <param name="DefaultRows">Rows written when <c>--rows</c> is not given.</param>
/// <param name="EventSteps">Rows an anomaly lasts (a spike: one row), and the least gap between two.</param>
/// <param name="Profile">The device profile the kit matches, relative to the repository.</param>
public sealed record SensorKitSpec(SensorKit Kit, IReadOnlyList<SensorKitFeature> Features, double PeriodSeconds, int DefaultRows, int EventSteps, string Profile);
