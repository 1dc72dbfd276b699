using System.Runtime.CompilerServices;

namespace EdgeRnn.Runtime.Kernels;

/// <summary>
/// Fused elementwise state updates of LSTM, GRU and simple RNN cells, run after the gate mat-vecs. Gate orders are
/// ONNX's (LSTM: i, o, f, c; GRU: z, r, h). H, the hidden size, is h.Length.
/// </summary>
/// <remarks>
/// <para>
/// clip is ONNX's clip attribute: <see cref="float.PositiveInfinity"/> for none, otherwise every gate pre-activation is
/// clamped to [-clip, clip] before its activation (the cell state c_t fed to h = o ⊙ tanh(c_t) is not clipped).
/// </para>
/// <para>
/// Each cell's math is one loop body (<see cref="IVectorLoop"/>: a ref struct over the cell's data) written once over
/// <see cref="IVectorWidth{TVector}"/> with fused multiply-adds, so every width agrees bit for bit with the scalar path;
/// <see cref="VectorLoop"/> runs it at the widest accelerated width, then each narrower one, then a scalar tail.
/// Inputs and outputs are updated element by element (no overlapping last vector), so h and c are safely updated in
/// place. No peephole and no clip (clip = +Infinity) are separate instantiations, not per-element branches.
/// Activations are <see cref="SigmoidOperator"/> and <see cref="TanhOperator"/>. Nothing is allocated.
/// </para>
/// <para>
/// Each public entry point has an internal overload taking <c>SimdWidth maxWidth</c>, for tests.
/// </para>
/// </remarks>
internal static partial class RecurrentCells
{
    // ---------------------------------------------------------------- validation

    private static void ValidateClip(float clip)
    {
        if (!(clip > 0))
        {
            ThrowHelper.ThrowArgumentOutOfRange_Clip(clip);
        }
    }

    private static void ValidateLstm(ReadOnlySpan<float> gates, ReadOnlySpan<float> peephole, float clip, Span<float> c, Span<float> h)
    {
        ValidateClip(clip);
        int hidden = h.Length;
        if (gates.Length < 4 * hidden)
        {
            ThrowHelper.ThrowArgument_InputTooShort(nameof(gates));
        }

        if (!peephole.IsEmpty && peephole.Length < 3 * hidden)
        {
            ThrowHelper.ThrowArgument_InputTooShort(nameof(peephole));
        }

        if (c.Length < hidden)
        {
            ThrowHelper.ThrowArgument_InputTooShort(nameof(c));
        }
    }

    private static void ValidateGruLinearBeforeReset(ReadOnlySpan<float> gx, ReadOnlySpan<float> gh, float clip, Span<float> h)
    {
        ValidateClip(clip);
        if (gx.Length < 3 * h.Length)
        {
            ThrowHelper.ThrowArgument_InputTooShort(nameof(gx));
        }

        if (gh.Length < 3 * h.Length)
        {
            ThrowHelper.ThrowArgument_InputTooShort(nameof(gh));
        }
    }

    private static void ValidateGruResetGates(ReadOnlySpan<float> gx, ReadOnlySpan<float> ghZr, float clip, ReadOnlySpan<float> h, Span<float> z, Span<float> resetHidden)
    {
        ValidateClip(clip);
        int hidden = h.Length;
        if (gx.Length < 2 * hidden)
        {
            ThrowHelper.ThrowArgument_InputTooShort(nameof(gx));
        }

        if (ghZr.Length < 2 * hidden)
        {
            ThrowHelper.ThrowArgument_InputTooShort(nameof(ghZr));
        }

        if (z.Length < hidden)
        {
            ThrowHelper.ThrowArgument_DestinationTooShort(nameof(z));
        }

        if (resetHidden.Length < hidden)
        {
            ThrowHelper.ThrowArgument_DestinationTooShort(nameof(resetHidden));
        }
    }

    private static void ValidateGruFinish(ReadOnlySpan<float> gxH, ReadOnlySpan<float> ghH, ReadOnlySpan<float> z, float clip, Span<float> h)
    {
        ValidateClip(clip);
        int hidden = h.Length;
        if (gxH.Length < hidden)
        {
            ThrowHelper.ThrowArgument_InputTooShort(nameof(gxH));
        }

        if (ghH.Length < hidden)
        {
            ThrowHelper.ThrowArgument_InputTooShort(nameof(ghH));
        }

        if (z.Length < hidden)
        {
            ThrowHelper.ThrowArgument_InputTooShort(nameof(z));
        }
    }

    private static void ValidateRnn(ReadOnlySpan<float> gates, float clip, Span<float> h)
    {
        ValidateClip(clip);
        if (gates.Length < h.Length)
        {
            ThrowHelper.ThrowArgument_InputTooShort(nameof(gates));
        }
    }
}

/// <summary>How a gate pre-activation is clipped: <see cref="Clipped"/> clamps it to [lo, hi], <see cref="Unclipped"/> (clip = +Infinity) leaves it.</summary>
internal interface IClipMode
{
    static abstract TVector Apply<TVector, TWidth>(TVector x, TVector lo, TVector hi)
        where TWidth : IVectorWidth<TVector>;
}

/// <summary>x clamped to [lo, hi] (lo = -clip, hi = clip).</summary>
internal readonly struct Clipped : IClipMode
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector Apply<TVector, TWidth>(TVector x, TVector lo, TVector hi)
        where TWidth : IVectorWidth<TVector> => TWidth.Clamp(x, lo, hi);
}

/// <summary>x itself: clip = +Infinity, where clamping to [-∞, ∞] would return x anyway (NaN included).</summary>
internal readonly struct Unclipped : IClipMode
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector Apply<TVector, TWidth>(TVector x, TVector lo, TVector hi)
        where TWidth : IVectorWidth<TVector> => x;
}
