namespace EdgeRnn.DeviceHost.Sensors;

/// <summary>A chip's identification register and the value it reads, e.g. the BME280's <c>id</c> (0xD0) = 0x60.</summary>
internal readonly record struct I2cChipId(byte Register, byte Value);
