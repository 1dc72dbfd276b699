using System.Buffers.Binary;

namespace EdgeRnn.DeviceHost.Tests.Simulation;

/// <summary>
/// An ADS1115 (TI SBAS444): 16-bit registers behind a pointer register (0 conversion, 1 config, 2 Lo_thresh,
/// 3 Hi_thresh), written MSB first. Writing the config with OS = 1 in single-shot mode converts the input chosen by
/// MUX[14:12] at the full scale chosen by PGA[11:9] into the conversion register at once; OS reads back 1 (idle).
/// </summary>
internal sealed class SimulatedAds1115(int address = 0x48) : SimulatedI2cDevice(address)
{
    private static readonly double[] s_fullScale = [6.144, 4.096, 2.048, 1.024, 0.512, 0.256, 0.256, 0.256];
    private readonly ushort[] _registers = [0, 0x8583, 0x8000, 0x7FFF];
    private int _pointer;

    /// <summary>Input voltages of AIN0..AIN3 (single-ended, against GND).</summary>
    public double[] Inputs { get; } = new double[4];

    /// <summary>Conversions performed.</summary>
    public int Conversions { get; private set; }

    protected override void WriteRegisters(ReadOnlySpan<byte> bytes)
    {
        _pointer = bytes[0] & 0x03;
        if (bytes.Length < 3)
        {
            return;
        }

        ushort value = BinaryPrimitives.ReadUInt16BigEndian(bytes[1..]);
        if (_pointer == 0)
        {
            return; // the conversion register is read-only
        }

        if (_pointer == 1)
        {
            bool start = (value & 0x8000) != 0;
            _registers[1] = (ushort)(value | 0x8000);
            if (start || (value & 0x0100) == 0)
            {
                Convert(value);
            }

            return;
        }

        _registers[_pointer] = value;
    }

    protected override void ReadRegisters(Span<byte> buffer)
    {
        Span<byte> two = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(two, _registers[_pointer]);
        for (int i = 0; i < buffer.Length; i++)
        {
            buffer[i] = two[i % 2];
        }
    }

    private void Convert(ushort config)
    {
        int mux = (config >> 12) & 0x7;
        double fullScale = s_fullScale[(config >> 9) & 0x7];
        double volts = mux >= 4 ? Inputs[mux - 4] : mux switch
        {
            0 => Inputs[0] - Inputs[1],
            1 => Inputs[0] - Inputs[3],
            2 => Inputs[1] - Inputs[3],
            _ => Inputs[2] - Inputs[3],
        };
        double counts = Math.Round(volts / fullScale * 32768);
        _registers[0] = (ushort)(short)Math.Clamp(counts, short.MinValue, short.MaxValue);
        Conversions++;
    }
}
