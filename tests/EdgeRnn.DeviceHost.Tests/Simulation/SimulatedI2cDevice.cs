using System.Device.I2c;

namespace EdgeRnn.DeviceHost.Tests.Simulation;

/// <summary>
/// A chip on a simulated I2C bus, the way dotnet/iot tests its bindings: a register map behind the standard
/// transactions. A write's first byte sets the register pointer and further bytes write registers; a read returns
/// registers from the pointer. Faults can be injected per transaction.
/// </summary>
internal abstract class SimulatedI2cDevice(int address) : I2cDevice
{
    private int _failures;
    private string _failure = "";

    public override I2cConnectionSettings ConnectionSettings { get; } = new(1, address);

    /// <summary>Transactions so far.</summary>
    public int Transactions { get; private set; }

    /// <summary>The next <paramref name="count"/> transactions fail like an I/O error (EIO) on the bus.</summary>
    public void FailWithIoError(int count) => (_failures, _failure) = (count, "I/O error (EIO) on /dev/i2c-1");

    /// <summary>The next <paramref name="count"/> transactions are not acknowledged (Linux reports ENXIO / EREMOTEIO).</summary>
    public void FailWithNack(int count) => (_failures, _failure) = (count, "the device did not acknowledge (NACK, EREMOTEIO)");

    /// <summary>Every transaction fails: the chip is unplugged.</summary>
    public bool Unplugged { get; set; }

    protected abstract void WriteRegisters(ReadOnlySpan<byte> bytes);

    protected abstract void ReadRegisters(Span<byte> buffer);

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        Transaction();
        WriteRegisters(buffer);
    }

    public override void WriteByte(byte value) => Write([value]);

    public override void Read(Span<byte> buffer)
    {
        Transaction();
        ReadRegisters(buffer);
    }

    public override byte ReadByte()
    {
        Span<byte> b = stackalloc byte[1];
        Read(b);
        return b[0];
    }

    public override void WriteRead(ReadOnlySpan<byte> writeBuffer, Span<byte> readBuffer)
    {
        Write(writeBuffer);
        Read(readBuffer);
    }

    private void Transaction()
    {
        Transactions++;
        if (Unplugged)
        {
            throw new IOException($"Error 6 performing I2C data transfer: no device at 0x{ConnectionSettings.DeviceAddress:x2}");
        }

        if (_failures > 0)
        {
            _failures--;
            throw new IOException(_failure);
        }
    }
}

/// <summary>A chip with 8-bit registers and an auto-incrementing pointer (BME280, MPU6050).</summary>
internal class ByteRegisterChip(int address) : SimulatedI2cDevice(address)
{
    private int _pointer;

    public byte[] Registers { get; } = new byte[256];

    protected override void WriteRegisters(ReadOnlySpan<byte> bytes)
    {
        _pointer = bytes[0];
        for (int i = 1; i < bytes.Length; i++)
        {
            OnWrite((byte)_pointer, bytes[i]);
            _pointer = (_pointer + 1) & 0xFF;
        }
    }

    protected override void ReadRegisters(Span<byte> buffer)
    {
        for (int i = 0; i < buffer.Length; i++)
        {
            buffer[i] = Registers[_pointer];
            _pointer = (_pointer + 1) & 0xFF;
        }
    }

    protected virtual void OnWrite(byte register, byte value) => Registers[register] = value;

    protected void WriteInt16BigEndian(int register, short value)
    {
        Registers[register] = (byte)(value >> 8);
        Registers[register + 1] = (byte)value;
    }

    protected void WriteInt16LittleEndian(int register, int value)
    {
        Registers[register] = (byte)value;
        Registers[register + 1] = (byte)(value >> 8);
    }
}
