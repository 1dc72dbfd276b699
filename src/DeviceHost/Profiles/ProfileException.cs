namespace EdgeRnn.DeviceHost.Profiles;

/// <summary>A device profile is malformed, or does not fit its model; the message names the file and the field.</summary>
internal sealed class ProfileException(string message, Exception? inner = null) : Exception(message, inner);
