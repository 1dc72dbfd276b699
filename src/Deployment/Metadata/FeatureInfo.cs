namespace EdgeRnn.Deployment.Metadata;

/// <summary>
/// One model input feature: its name (as the device profile maps sensor readings to it), unit, and the z-score
/// normalization fitted on the training data: normalized = (raw - Mean) / Std.
/// </summary>
/// <param name="Name">Feature name, e.g. <c>temperature</c>.</param>
/// <param name="Unit">Unit of the raw reading, e.g. <c>degC</c>; empty when unitless.</param>
/// <param name="Mean">Training mean of the raw reading.</param>
/// <param name="Std">Training standard deviation of the raw reading (positive).</param>
public sealed record FeatureInfo(string Name, string Unit, float Mean, float Std);
