using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

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
/// Activations are <see cref="Activations.Sigmoid(float)"/> and <see cref="Activations.Tanh(float)"/>. Each update
/// has a scalar path and Vector128/256/512 paths that use the same operations (with fused multiply-adds), so they agree
/// bit for bit; the vector paths finish the last H mod Count elements with the scalar path. Inputs and outputs are
/// updated element by element, so h and c are safely updated in place. Nothing is allocated.
/// </para>
/// </remarks>
internal static partial class RecurrentCells
{
    /// <summary>
    /// One LSTM step after the mat-vecs: i = σ(g_i + P_i ⊙ c_{t-1}), f = σ(g_f + P_f ⊙ c_{t-1}),
    /// c_t = f ⊙ c_{t-1} + i ⊙ tanh(g_c), o = σ(g_o + P_o ⊙ c_t), h = o ⊙ tanh(c_t).
    /// </summary>
    /// <param name="gates">4H pre-activations W x + R h + Wb + Rb in ONNX order i, o, f, c.</param>
    /// <param name="peephole">Empty, or 3H peephole weights P_i, P_o, P_f.</param>
    /// <param name="clip">The clip threshold, or +Infinity.</param>
    /// <param name="c">In: c_{t-1}; out: c_t.</param>
    /// <param name="h">Out: h_t (length H).</param>
    public static void LstmUpdate(ReadOnlySpan<float> gates, ReadOnlySpan<float> peephole, float clip, Span<float> c, Span<float> h)
    {
        ValidateLstm(gates, peephole, clip, c, h);
        int hidden = h.Length;
        if (Vector512.IsHardwareAccelerated && hidden >= Vector512<float>.Count)
        {
            LstmVector512Core(gates, peephole, clip, c, h);
        }
        else if (Vector256.IsHardwareAccelerated && hidden >= Vector256<float>.Count)
        {
            LstmVector256Core(gates, peephole, clip, c, h);
        }
        else if (Vector128.IsHardwareAccelerated && hidden >= Vector128<float>.Count)
        {
            LstmVector128Core(gates, peephole, clip, c, h);
        }
        else
        {
            LstmScalarCore(gates, peephole, clip, c, h, 0);
        }
    }

    /// <summary>
    /// One GRU step with linear_before_reset = 1: z = σ(gx_z + gh_z), r = σ(gx_r + gh_r), n = tanh(gx_h + r ⊙ gh_h),
    /// h_t = (1 - z) ⊙ n + z ⊙ h_{t-1} (computed as n + z ⊙ (h_{t-1} - n)).
    /// </summary>
    /// <param name="gx">3H: W x + Wb, order z, r, h.</param>
    /// <param name="gh">3H: R h_{t-1} + Rb, order z, r, h.</param>
    /// <param name="clip">The clip threshold, or +Infinity.</param>
    /// <param name="h">In: h_{t-1}; out: h_t.</param>
    public static void GruUpdateLinearBeforeReset(ReadOnlySpan<float> gx, ReadOnlySpan<float> gh, float clip, Span<float> h)
    {
        ValidateGruLinearBeforeReset(gx, gh, clip, h);
        int hidden = h.Length;
        if (Vector512.IsHardwareAccelerated && hidden >= Vector512<float>.Count)
        {
            GruLinearBeforeResetVector512Core(gx, gh, clip, h);
        }
        else if (Vector256.IsHardwareAccelerated && hidden >= Vector256<float>.Count)
        {
            GruLinearBeforeResetVector256Core(gx, gh, clip, h);
        }
        else if (Vector128.IsHardwareAccelerated && hidden >= Vector128<float>.Count)
        {
            GruLinearBeforeResetVector128Core(gx, gh, clip, h);
        }
        else
        {
            GruLinearBeforeResetScalarCore(gx, gh, clip, h, 0);
        }
    }

    /// <summary>
    /// First half of a GRU step with linear_before_reset = 0: z = σ(gx_z + gh_z), r = σ(gx_r + gh_r),
    /// resetHidden = r ⊙ h_{t-1} (the operand of the R_h mat-vec).
    /// </summary>
    /// <param name="gx">At least 2H (normally 3H): W x + Wb, order z, r, h; only z and r are read.</param>
    /// <param name="ghZr">2H: R_zr h_{t-1} + Rb_zr.</param>
    /// <param name="clip">The clip threshold, or +Infinity.</param>
    /// <param name="h">h_{t-1}.</param>
    /// <param name="z">Out: the update gate (H).</param>
    /// <param name="resetHidden">Out: r ⊙ h_{t-1} (H).</param>
    public static void GruResetGates(ReadOnlySpan<float> gx, ReadOnlySpan<float> ghZr, float clip, ReadOnlySpan<float> h, Span<float> z, Span<float> resetHidden)
    {
        ValidateGruResetGates(gx, ghZr, clip, h, z, resetHidden);
        int hidden = h.Length;
        if (Vector512.IsHardwareAccelerated && hidden >= Vector512<float>.Count)
        {
            GruResetGatesVector512Core(gx, ghZr, clip, h, z, resetHidden);
        }
        else if (Vector256.IsHardwareAccelerated && hidden >= Vector256<float>.Count)
        {
            GruResetGatesVector256Core(gx, ghZr, clip, h, z, resetHidden);
        }
        else if (Vector128.IsHardwareAccelerated && hidden >= Vector128<float>.Count)
        {
            GruResetGatesVector128Core(gx, ghZr, clip, h, z, resetHidden);
        }
        else
        {
            GruResetGatesScalarCore(gx, ghZr, clip, h, z, resetHidden, 0);
        }
    }

    /// <summary>
    /// Second half of a GRU step with linear_before_reset = 0: n = tanh(gxH + ghH), h_t = (1 - z) ⊙ n + z ⊙ h_{t-1}.
    /// </summary>
    /// <param name="gxH">H: W_h x + Wb_h.</param>
    /// <param name="ghH">H: R_h (r ⊙ h_{t-1}) + Rb_h.</param>
    /// <param name="z">H: the update gate from <see cref="GruResetGates"/>.</param>
    /// <param name="clip">The clip threshold, or +Infinity.</param>
    /// <param name="h">In: h_{t-1}; out: h_t.</param>
    public static void GruFinish(ReadOnlySpan<float> gxH, ReadOnlySpan<float> ghH, ReadOnlySpan<float> z, float clip, Span<float> h)
    {
        ValidateGruFinish(gxH, ghH, z, clip, h);
        int hidden = h.Length;
        if (Vector512.IsHardwareAccelerated && hidden >= Vector512<float>.Count)
        {
            GruFinishVector512Core(gxH, ghH, z, clip, h);
        }
        else if (Vector256.IsHardwareAccelerated && hidden >= Vector256<float>.Count)
        {
            GruFinishVector256Core(gxH, ghH, z, clip, h);
        }
        else if (Vector128.IsHardwareAccelerated && hidden >= Vector128<float>.Count)
        {
            GruFinishVector128Core(gxH, ghH, z, clip, h);
        }
        else
        {
            GruFinishScalarCore(gxH, ghH, z, clip, h, 0);
        }
    }

    /// <summary>One simple-RNN step after the mat-vecs: h = tanh(clamp(gates, -clip, clip)).</summary>
    /// <param name="gates">H: W x + R h + Wb + Rb.</param>
    /// <param name="clip">The clip threshold, or +Infinity.</param>
    /// <param name="h">Out: h_t. May be the same span as gates.</param>
    public static void RnnUpdate(ReadOnlySpan<float> gates, float clip, Span<float> h)
    {
        ValidateRnn(gates, clip, h);
        int hidden = h.Length;
        if (Vector512.IsHardwareAccelerated && hidden >= Vector512<float>.Count)
        {
            RnnVector512Core(gates, clip, h);
        }
        else if (Vector256.IsHardwareAccelerated && hidden >= Vector256<float>.Count)
        {
            RnnVector256Core(gates, clip, h);
        }
        else if (Vector128.IsHardwareAccelerated && hidden >= Vector128<float>.Count)
        {
            RnnVector128Core(gates, clip, h);
        }
        else
        {
            RnnScalarCore(gates, clip, h, 0);
        }
    }

    // ---------------------------------------------------------------- scalar reference paths

    internal static void LstmUpdateScalar(ReadOnlySpan<float> gates, ReadOnlySpan<float> peephole, float clip, Span<float> c, Span<float> h)
    {
        ValidateLstm(gates, peephole, clip, c, h);
        LstmScalarCore(gates, peephole, clip, c, h, 0);
    }

    internal static void GruUpdateLinearBeforeResetScalar(ReadOnlySpan<float> gx, ReadOnlySpan<float> gh, float clip, Span<float> h)
    {
        ValidateGruLinearBeforeReset(gx, gh, clip, h);
        GruLinearBeforeResetScalarCore(gx, gh, clip, h, 0);
    }

    internal static void GruResetGatesScalar(ReadOnlySpan<float> gx, ReadOnlySpan<float> ghZr, float clip, ReadOnlySpan<float> h, Span<float> z, Span<float> resetHidden)
    {
        ValidateGruResetGates(gx, ghZr, clip, h, z, resetHidden);
        GruResetGatesScalarCore(gx, ghZr, clip, h, z, resetHidden, 0);
    }

    internal static void GruFinishScalar(ReadOnlySpan<float> gxH, ReadOnlySpan<float> ghH, ReadOnlySpan<float> z, float clip, Span<float> h)
    {
        ValidateGruFinish(gxH, ghH, z, clip, h);
        GruFinishScalarCore(gxH, ghH, z, clip, h, 0);
    }

    internal static void RnnUpdateScalar(ReadOnlySpan<float> gates, float clip, Span<float> h)
    {
        ValidateRnn(gates, clip, h);
        RnnScalarCore(gates, clip, h, 0);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Clip(float x, float clip) => Math.Clamp(x, -clip, clip);

    private static void LstmScalarCore(ReadOnlySpan<float> gates, ReadOnlySpan<float> peephole, float clip, Span<float> c, Span<float> h, int start)
    {
        int hidden = h.Length;
        bool hasPeephole = !peephole.IsEmpty;
        for (int j = start; j < hidden; j++)
        {
            float cPrev = c[j];
            float gi = gates[j];
            float go = gates[hidden + j];
            float gf = gates[(2 * hidden) + j];
            float gc = gates[(3 * hidden) + j];
            if (hasPeephole)
            {
                gi = MathF.FusedMultiplyAdd(peephole[j], cPrev, gi);
                gf = MathF.FusedMultiplyAdd(peephole[(2 * hidden) + j], cPrev, gf);
            }

            float i = SigmoidOperator.Invoke(Clip(gi, clip));
            float f = SigmoidOperator.Invoke(Clip(gf, clip));
            float ct = MathF.FusedMultiplyAdd(f, cPrev, i * TanhOperator.Invoke(Clip(gc, clip)));
            if (hasPeephole)
            {
                go = MathF.FusedMultiplyAdd(peephole[hidden + j], ct, go);
            }

            float o = SigmoidOperator.Invoke(Clip(go, clip));
            c[j] = ct;
            h[j] = o * TanhOperator.Invoke(ct);
        }
    }

    private static void GruLinearBeforeResetScalarCore(ReadOnlySpan<float> gx, ReadOnlySpan<float> gh, float clip, Span<float> h, int start)
    {
        int hidden = h.Length;
        for (int j = start; j < hidden; j++)
        {
            float z = SigmoidOperator.Invoke(Clip(gx[j] + gh[j], clip));
            float r = SigmoidOperator.Invoke(Clip(gx[hidden + j] + gh[hidden + j], clip));
            float n = TanhOperator.Invoke(Clip(MathF.FusedMultiplyAdd(r, gh[(2 * hidden) + j], gx[(2 * hidden) + j]), clip));
            h[j] = MathF.FusedMultiplyAdd(z, h[j] - n, n);
        }
    }

    private static void GruResetGatesScalarCore(ReadOnlySpan<float> gx, ReadOnlySpan<float> ghZr, float clip, ReadOnlySpan<float> h, Span<float> z, Span<float> resetHidden, int start)
    {
        int hidden = h.Length;
        for (int j = start; j < hidden; j++)
        {
            float hPrev = h[j];
            z[j] = SigmoidOperator.Invoke(Clip(gx[j] + ghZr[j], clip));
            float r = SigmoidOperator.Invoke(Clip(gx[hidden + j] + ghZr[hidden + j], clip));
            resetHidden[j] = r * hPrev;
        }
    }

    private static void GruFinishScalarCore(ReadOnlySpan<float> gxH, ReadOnlySpan<float> ghH, ReadOnlySpan<float> z, float clip, Span<float> h, int start)
    {
        for (int j = start; j < h.Length; j++)
        {
            float n = TanhOperator.Invoke(Clip(gxH[j] + ghH[j], clip));
            h[j] = MathF.FusedMultiplyAdd(z[j], h[j] - n, n);
        }
    }

    private static void RnnScalarCore(ReadOnlySpan<float> gates, float clip, Span<float> h, int start)
    {
        for (int j = start; j < h.Length; j++)
        {
            h[j] = TanhOperator.Invoke(Clip(gates[j], clip));
        }
    }

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
