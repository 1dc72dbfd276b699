namespace EdgeRnn.DeviceHost.Profiles;

/// <summary>Reports a profile error when <paramref name="condition"/> is false.</summary>
/// <param name="condition">What must hold.</param>
/// <param name="field">The field, relative to the part being checked (e.g. <c>.fullScaleVolts</c> of a sensor).</param>
/// <param name="what">What is wrong, e.g. <c>must be &gt;= 0 (got -1)</c>.</param>
/// <exception cref="ProfileException">The condition is false.</exception>
internal delegate void ProfileCheck(bool condition, string field, string what);
