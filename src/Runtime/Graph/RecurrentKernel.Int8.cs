using System.Runtime.InteropServices;
using EdgeRnn.Runtime.Kernels;

namespace EdgeRnn.Runtime.Graph;

/// <summary>Per-direction int8 weights of a recurrent node (W and R kept apart: each has its own per-row scales).</summary>
internal sealed class Int8RecurrentWeights
{
    /// <summary>W: gates x input.</summary>
    public required Int8Matrix Input { get; init; }

    /// <summary>R (LSTM, RNN, GRU with linear_before_reset = 1) or R_zr (GRU with linear_before_reset = 0).</summary>
    public required Int8Matrix Recurrent { get; init; }

    /// <summary>GRU with linear_before_reset = 0: R_h, applied to r ⊙ h.</summary>
    public Int8Matrix? RecurrentHidden { get; init; }

    /// <summary>LSTM / RNN: Wb + Rb. GRU: Wb.</summary>
    public required float[] InputBias { get; init; }

    /// <summary>GRU: Rb (3H).</summary>
    public float[]? RecurrentBias { get; init; }

    /// <summary>LSTM peepholes (P_i, P_o, P_f), or null.</summary>
    public float[]? Peepholes { get; init; }
}

/// <summary>
/// The int8 step's shared parts: activations x and h are quantized once per step and W x and R h run as integer
/// mat-vecs; the cells' <see cref="IRecurrentStep.StepInt8"/> compose them.
/// </summary>
internal abstract partial class RecurrentKernel
{
    /// <summary>Scratch floats one int8 step needs: float gates, int32 sums and the quantized activation bytes.</summary>
    public static int Int8ScratchLength(int hidden, int inputSize) =>
        checked((8 * hidden) + (4 * hidden) + Int8Matrix.BlockRows + ((Math.Max(hidden, inputSize) + 8) / 4));

    /// <summary>
    /// Multiplies int8 <paramref name="w"/> by <paramref name="x"/> quantized (with <paramref name="staticScale"/>, or
    /// from its own range when 0): destination = W x (+ destination when <paramref name="accumulate"/>) + bias.
    /// </summary>
    internal static void MultiplyQuantized(Int8Matrix w, ReadOnlySpan<float> x, ReadOnlySpan<float> bias, bool accumulate, Span<int> sums, Span<sbyte> quantized,
        Span<float> destination, float staticScale = 0)
    {
        Span<sbyte> xq = quantized[..w.PaddedColumns];
        float scale = staticScale > 0 ? Int8Quantize.QuantizeWithScale(x, staticScale, xq) : Int8Quantize.QuantizeSymmetric(x, xq);
        Int8MatVec.Multiply(w, xq, scale, bias, accumulate, sums, destination);
    }
}

/// <summary>
/// Splits the int8 step's scratch (<see cref="RecurrentKernel.Int8ScratchLength"/> floats): 8 x hidden floats for the
/// gate pre-activations, int32 sums for the widest mat-vec and the bytes of a quantized activation.
/// </summary>
internal static class Int8StepScratch
{
    public static Span<float> Split(Span<float> scratch, int hidden, out Span<int> sums, out Span<sbyte> quantized)
    {
        sums = MemoryMarshal.Cast<float, int>(scratch.Slice(8 * hidden, (4 * hidden) + Int8Matrix.BlockRows));
        quantized = MemoryMarshal.Cast<float, sbyte>(scratch[((12 * hidden) + Int8Matrix.BlockRows)..]);
        return scratch[..(8 * hidden)];
    }
}
