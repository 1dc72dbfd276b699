using System.Runtime.InteropServices;
using EdgeRnn.Runtime.Kernels;

namespace EdgeRnn.Runtime.Graph;

/// <summary>
/// A dense layer with int8 weights: for each input row, the row is quantized to int8 (symmetric, its own scale) and
/// out[r, n] = bias[n] + Σ_k W[n, k] x[r, k] runs as an integer mat-vec with one float rescale per output.
/// Scratch (the quantized row and the int32 sums) lives in a frame slot, so a step allocates nothing.
/// </summary>
/// <remarks>With a static scale (the input is a DequantizeLinear of a QuantizeLinear with that scale), rows are
/// quantized with it instead of their own range.</remarks>
internal sealed class Int8LinearKernel(string node, PlanValue input, Int8Matrix weights, float[]? bias, int rows, int scratchSlot, PlanValue destination,
    float staticScale = 0) : Kernel(node)
{
    /// <summary>The float slot length the scratch needs for a matrix.</summary>
    public static int ScratchLength(Int8Matrix w) => w.PaddedRows + ((w.PaddedColumns + 3) / 4);

    public override void Execute(Frame frame)
    {
        float[] x = input.Floats(frame);
        float[] d = frame.Floats(destination.Slot);
        Span<float> scratch = frame.Floats(scratchSlot);
        Span<int> acc = MemoryMarshal.Cast<float, int>(scratch[..weights.PaddedRows]);
        Span<sbyte> xq = MemoryMarshal.Cast<float, sbyte>(scratch[weights.PaddedRows..])[..weights.PaddedColumns];
        int k = weights.Columns;
        int n = weights.Rows;
        for (int r = 0; r < rows; r++)
        {
            float scale = staticScale > 0
                ? Int8Quantize.QuantizeWithScale(x.AsSpan(r * k, k), staticScale, xq)
                : Int8Quantize.QuantizeSymmetric(x.AsSpan(r * k, k), xq);
            Int8MatVec.Multiply(weights, xq, scale, bias, accumulate: false, acc, d.AsSpan(r * n, n));
        }
    }
}
