namespace EdgeRnn.DeviceHost.Tests.Simulation;

/// <summary>
/// An MPU6050 register map (InvenSense RM-MPU-6000A): WHO_AM_I 0x75 = 0x68, PWR_MGMT_1 0x6B (bit 7 resets),
/// SMPLRT_DIV 0x19, CONFIG 0x1A, GYRO_CONFIG 0x1B, ACCEL_CONFIG 0x1C (FS_SEL in bits 4:3), and big-endian 16-bit
/// ACCEL_XOUT_H..ACCEL_ZOUT_L at 0x3B, TEMP_OUT at 0x41, GYRO_XOUT_H..GYRO_ZOUT_L at 0x43.
/// </summary>
internal sealed class SimulatedMpu6050 : ByteRegisterChip
{
    public SimulatedMpu6050(int address = 0x68)
        : base(address)
    {
        Registers[0x75] = 0x68;
        Registers[0x6B] = 0x40; // reset value: sleep
    }

    /// <summary>Sets the raw accelerometer, temperature and gyroscope outputs (signed 16-bit counts).</summary>
    public void SetRaw(short ax, short ay, short az, short gx, short gy, short gz, short temperature = 0)
    {
        WriteInt16BigEndian(0x3B, ax);
        WriteInt16BigEndian(0x3D, ay);
        WriteInt16BigEndian(0x3F, az);
        WriteInt16BigEndian(0x41, temperature);
        WriteInt16BigEndian(0x43, gx);
        WriteInt16BigEndian(0x45, gy);
        WriteInt16BigEndian(0x47, gz);
    }

    protected override void OnWrite(byte register, byte value)
    {
        if (register == 0x6B && (value & 0x80) != 0)
        {
            // DEVICE_RESET: registers to their reset values (the data registers keep the last sample here).
            Array.Clear(Registers, 0x19, 4);
            Registers[0x6B] = 0x40;
            return;
        }

        if (register is 0x75 or >= 0x3B and <= 0x48)
        {
            return; // read-only
        }

        base.OnWrite(register, value);
    }
}
