namespace EdgeRnn.DeviceHost.Sensors;

/// <summary>A chip's identification register and the value it reads, e.g. the BME280's <c>id</c> (0xD0) = 0x60.</summary>
internal readonly struct I2cChipId(byte register, byte value)
{
    /// <summary>The register to read.</summary>
    public byte Register { get; } = register;

    /// <summary>What this chip reads there.</summary>
    public byte Value { get; } = value;
}
