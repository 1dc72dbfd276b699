namespace EdgeRnn.DeviceHost.Tests.Simulation;

/// <summary>
/// A BME280 register map (Bosch BST-BME280-DS002): chip id 0x60 at 0xD0, soft reset at 0xE0, trimming parameters at
/// 0x88..0xA1 and 0xE1..0xE7, ctrl_hum 0xF2, status 0xF3, ctrl_meas 0xF4, config 0xF5, and the raw 20-bit pressure
/// and temperature and 16-bit humidity at 0xF7..0xFE. The trimming parameters and raw readings default to the
/// datasheet's compensation example (BMP280 datasheet section 3.11.3 / 8.2: dig_T1 27504 ... adc_T 519888 gives
/// 25.08 °C, adc_P 415148 gives 100653.27 Pa); the humidity trimming is a real chip's.
/// </summary>
internal sealed class SimulatedBme280 : ByteRegisterChip
{
    public static readonly ushort T1 = 27504;
    public static readonly short T2 = 26435, T3 = -1000;
    public static readonly ushort P1 = 36477;
    public static readonly short P2 = -10685, P3 = 3024, P4 = 2855, P5 = 140, P6 = -7, P7 = 15500, P8 = -14600, P9 = 6000;
    public static readonly byte H1 = 75;
    public const byte H3 = 0x00;
    public static readonly short H2 = 362, H4 = 313, H5 = 50;
    public static readonly sbyte H6 = 30;

    public SimulatedBme280(int address = 0x76)
        : base(address)
    {
        Registers[0xD0] = 0x60;
        int[] tp = [T1, T2, T3, P1, P2, P3, P4, P5, P6, P7, P8, P9];
        for (int i = 0; i < tp.Length; i++)
        {
            WriteInt16LittleEndian(0x88 + (2 * i), tp[i]);
        }

        Registers[0xA1] = H1;
        WriteInt16LittleEndian(0xE1, H2);
        Registers[0xE3] = H3;
        Registers[0xE4] = (byte)(H4 >> 4);
        Registers[0xE5] = (byte)((H4 & 0x0F) | ((H5 & 0x0F) << 4));
        Registers[0xE6] = (byte)(H5 >> 4);
        Registers[0xE7] = (byte)H6;
        SetRaw(adcT: 519888, adcP: 415148, adcH: 30000);
    }

    /// <summary>Sets the raw ADC outputs the chip reports (20-bit temperature and pressure, 16-bit humidity).</summary>
    public void SetRaw(int adcT, int adcP, int adcH)
    {
        Write20(0xF7, adcP);
        Write20(0xFA, adcT);
        Registers[0xFD] = (byte)(adcH >> 8);
        Registers[0xFE] = (byte)adcH;
    }

    protected override void OnWrite(byte register, byte value)
    {
        if (register == 0xE0 && value == 0xB6)
        {
            // Soft reset: control registers back to their reset values; trimming and data stay.
            Registers[0xF2] = Registers[0xF4] = Registers[0xF5] = 0;
            return;
        }

        if (register is 0xD0 or >= 0x88 and <= 0xA1 or >= 0xE1 and <= 0xE7 or >= 0xF7)
        {
            return; // read-only
        }

        base.OnWrite(register, value);
    }

    private void Write20(int register, int adc)
    {
        Registers[register] = (byte)(adc >> 12);
        Registers[register + 1] = (byte)(adc >> 4);
        Registers[register + 2] = (byte)((adc & 0x0F) << 4);
    }

    /// <summary>The datasheet's floating-point compensation (section 8.1), independent of the binding under test.</summary>
    public static (double Celsius, double Pascals, double Percent) Compensate(int adcT, int adcP, int adcH)
    {
        double var1 = ((adcT / 16384.0) - (T1 / 1024.0)) * T2;
        double var2 = ((adcT / 131072.0) - (T1 / 8192.0)) * ((adcT / 131072.0) - (T1 / 8192.0)) * T3;
        double tFine = var1 + var2;
        double t = tFine / 5120.0;

        var1 = (tFine / 2.0) - 64000.0;
        var2 = var1 * var1 * P6 / 32768.0;
        var2 += var1 * P5 * 2.0;
        var2 = (var2 / 4.0) + (P4 * 65536.0);
        var1 = ((P3 * var1 * var1 / 524288.0) + (P2 * var1)) / 524288.0;
        var1 = (1.0 + (var1 / 32768.0)) * P1;
        double p = 1048576.0 - adcP;
        p = (p - (var2 / 4096.0)) * 6250.0 / var1;
        var1 = P9 * p * p / 2147483648.0;
        var2 = p * P8 / 32768.0;
        p += (var1 + var2 + P7) / 16.0;

        double h = tFine - 76800.0;
        h = (adcH - ((H4 * 64.0) + (H5 / 16384.0 * h))) * (H2 / 65536.0 * (1.0 + (H6 / 67108864.0 * h * (1.0 + (H3 / 67108864.0 * h)))));
        h *= 1.0 - (H1 * h / 524288.0);
        return (t, p, Math.Clamp(h, 0, 100));
    }
}
