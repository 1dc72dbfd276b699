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

/// <summary>The int8 step: activations x and h are quantized once per step; W x and R h run as integer mat-vecs.</summary>
internal sealed partial class RecurrentKernel
{
    /// <summary>When set, the node runs integer kernels with these weights (one per direction).</summary>
    public Int8RecurrentWeights[]? Int8Weights { get; init; }

    /// <summary>A calibrated scale for X (static qdq), or 0: X is quantized from its own range each step.</summary>
    public float InputStaticScale { get; init; }

    /// <summary>Scratch floats one int8 step needs: float gates, int32 sums and the quantized activation bytes.</summary>
    public static int Int8ScratchLength(int hidden, int inputSize) =>
        checked((8 * hidden) + (4 * hidden) + Int8Matrix.BlockRows + ((Math.Max(hidden, inputSize) + 8) / 4));

    private void StepCellInt8(Int8RecurrentWeights w, ReadOnlySpan<float> xt, Span<float> h, Span<float> c, Span<float> scratch)
    {
        int hs = _hidden;
        Span<float> floats = scratch[..(8 * hs)];
        Span<int> acc = MemoryMarshal.Cast<float, int>(scratch.Slice(8 * hs, (4 * hs) + Int8Matrix.BlockRows));
        Span<sbyte> q = MemoryMarshal.Cast<float, sbyte>(scratch[((12 * hs) + Int8Matrix.BlockRows)..]);
        switch (_cell)
        {
            case CellKind.Lstm:
            {
                Span<float> gates = floats[..(4 * hs)];
                MultiplyQuantized(w.Input, xt, w.InputBias, false, acc, q, gates, InputStaticScale);
                MultiplyQuantized(w.Recurrent, h, default, true, acc, q, gates);
                RecurrentCells.LstmUpdate(gates, w.Peepholes, _clip, c, h);
                break;
            }

            case CellKind.Gru:
            {
                Span<float> gx = floats[..(3 * hs)];
                Span<float> gh = floats.Slice(3 * hs, 3 * hs);
                MultiplyQuantized(w.Input, xt, w.InputBias, false, acc, q, gx, InputStaticScale);
                if (_linearBeforeReset)
                {
                    MultiplyQuantized(w.Recurrent, h, w.RecurrentBias, false, acc, q, gh);
                    RecurrentCells.GruUpdateLinearBeforeReset(gx, gh, _clip, h);
                }
                else
                {
                    Span<float> ghZr = gh[..(2 * hs)];
                    Span<float> ghH = gh.Slice(2 * hs, hs);
                    Span<float> z = floats.Slice(6 * hs, hs);
                    Span<float> resetHidden = floats.Slice(7 * hs, hs);
                    MultiplyQuantized(w.Recurrent, h, w.RecurrentBias.AsSpan(0, 2 * hs), false, acc, q, ghZr);
                    RecurrentCells.GruResetGates(gx, ghZr, _clip, h, z, resetHidden);
                    MultiplyQuantized(w.RecurrentHidden!, resetHidden, w.RecurrentBias.AsSpan(2 * hs, hs), false, acc, q, ghH);
                    RecurrentCells.GruFinish(gx.Slice(2 * hs, hs), ghH, z, _clip, h);
                }

                break;
            }

            default:
            {
                Span<float> gates = floats[..hs];
                MultiplyQuantized(w.Input, xt, w.InputBias, false, acc, q, gates, InputStaticScale);
                MultiplyQuantized(w.Recurrent, h, default, true, acc, q, gates);
                RecurrentCells.RnnUpdate(gates, _clip, h);
                break;
            }
        }
    }

    private static void MultiplyQuantized(Int8Matrix w, ReadOnlySpan<float> x, ReadOnlySpan<float> bias, bool accumulate, Span<int> acc, Span<sbyte> q,
        Span<float> destination, float staticScale = 0)
    {
        Span<sbyte> xq = q[..w.PaddedColumns];
        float scale = staticScale > 0 ? Int8Quantize.QuantizeWithScale(x, staticScale, xq) : Int8Quantize.QuantizeSymmetric(x, xq);
        Int8MatVec.Multiply(w, xq, scale, bias, accumulate, acc, destination);
    }
}
