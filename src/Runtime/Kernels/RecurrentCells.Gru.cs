using System.Runtime.InteropServices;

namespace EdgeRnn.Runtime.Kernels;

internal static partial class RecurrentCells
{
    /// <summary>
    /// One GRU step with linear_before_reset = 1: z = σ(gx_z + gh_z), r = σ(gx_r + gh_r), n = tanh(gx_h + r ⊙ gh_h),
    /// h_t = (1 - z) ⊙ n + z ⊙ h_{t-1} (computed as n + z ⊙ (h_{t-1} - n)).
    /// </summary>
    /// <param name="gx">3H: W x + Wb, order z, r, h.</param>
    /// <param name="gh">3H: R h_{t-1} + Rb, order z, r, h.</param>
    /// <param name="clip">The clip threshold, or +Infinity.</param>
    /// <param name="h">In: h_{t-1}; out: h_t.</param>
    public static void GruUpdateLinearBeforeReset(ReadOnlySpan<float> gx, ReadOnlySpan<float> gh, float clip, Span<float> h) =>
        GruUpdateLinearBeforeReset(gx, gh, clip, h, SimdWidth.Vector512);

    /// <summary>As <see cref="GruUpdateLinearBeforeReset(ReadOnlySpan{float}, ReadOnlySpan{float}, float, Span{float})"/>, using SIMD widths up to <paramref name="maxWidth"/> only.</summary>
    internal static void GruUpdateLinearBeforeReset(ReadOnlySpan<float> gx, ReadOnlySpan<float> gh, float clip, Span<float> h, SimdWidth maxWidth)
    {
        ValidateGruLinearBeforeReset(gx, gh, clip, h);
        if (float.IsPositiveInfinity(clip))
        {
            VectorLoop.Run(new GruLinearBeforeResetLoop<Unclipped>(gx, gh, clip, h), h.Length, maxWidth);
        }
        else
        {
            VectorLoop.Run(new GruLinearBeforeResetLoop<Clipped>(gx, gh, clip, h), h.Length, maxWidth);
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
    public static void GruResetGates(ReadOnlySpan<float> gx, ReadOnlySpan<float> ghZr, float clip, ReadOnlySpan<float> h, Span<float> z, Span<float> resetHidden) =>
        GruResetGates(gx, ghZr, clip, h, z, resetHidden, SimdWidth.Vector512);

    /// <summary>As <see cref="GruResetGates(ReadOnlySpan{float}, ReadOnlySpan{float}, float, ReadOnlySpan{float}, Span{float}, Span{float})"/>, using SIMD widths up to <paramref name="maxWidth"/> only.</summary>
    internal static void GruResetGates(ReadOnlySpan<float> gx, ReadOnlySpan<float> ghZr, float clip, ReadOnlySpan<float> h, Span<float> z, Span<float> resetHidden, SimdWidth maxWidth)
    {
        ValidateGruResetGates(gx, ghZr, clip, h, z, resetHidden);
        if (float.IsPositiveInfinity(clip))
        {
            VectorLoop.Run(new GruResetGatesLoop<Unclipped>(gx, ghZr, clip, h, z, resetHidden), h.Length, maxWidth);
        }
        else
        {
            VectorLoop.Run(new GruResetGatesLoop<Clipped>(gx, ghZr, clip, h, z, resetHidden), h.Length, maxWidth);
        }
    }

    /// <summary>
    /// Second half of a GRU step with linear_before_reset = 0: n = tanh(gxH + ghH), h_t = (1 - z) ⊙ n + z ⊙ h_{t-1}.
    /// </summary>
    /// <param name="gxH">H: W_h x + Wb_h.</param>
    /// <param name="ghH">H: R_h (r ⊙ h_{t-1}) + Rb_h.</param>
    /// <param name="z">H: the update gate from <see cref="GruResetGates(ReadOnlySpan{float}, ReadOnlySpan{float}, float, ReadOnlySpan{float}, Span{float}, Span{float})"/>.</param>
    /// <param name="clip">The clip threshold, or +Infinity.</param>
    /// <param name="h">In: h_{t-1}; out: h_t.</param>
    public static void GruFinish(ReadOnlySpan<float> gxH, ReadOnlySpan<float> ghH, ReadOnlySpan<float> z, float clip, Span<float> h) =>
        GruFinish(gxH, ghH, z, clip, h, SimdWidth.Vector512);

    /// <summary>As <see cref="GruFinish(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, float, Span{float})"/>, using SIMD widths up to <paramref name="maxWidth"/> only.</summary>
    internal static void GruFinish(ReadOnlySpan<float> gxH, ReadOnlySpan<float> ghH, ReadOnlySpan<float> z, float clip, Span<float> h, SimdWidth maxWidth)
    {
        ValidateGruFinish(gxH, ghH, z, clip, h);
        if (float.IsPositiveInfinity(clip))
        {
            VectorLoop.Run(new GruFinishLoop<Unclipped>(gxH, ghH, z, clip, h), h.Length, maxWidth);
        }
        else
        {
            VectorLoop.Run(new GruFinishLoop<Clipped>(gxH, ghH, z, clip, h), h.Length, maxWidth);
        }
    }

    /// <summary>
    /// z = σ(clip(xz + hz)), r = σ(clip(xr + hr)), n = tanh(clip(xh + r hh)), h_t = n + z (h_{t-1} - n), with fused
    /// multiply-adds for r hh and for h_t; see <see cref="GruUpdateLinearBeforeReset(ReadOnlySpan{float}, ReadOnlySpan{float}, float, Span{float})"/>.
    /// </summary>
    private readonly ref struct GruLinearBeforeResetLoop<TClip>(ReadOnlySpan<float> gx, ReadOnlySpan<float> gh, float clip, Span<float> h) : IVectorLoop
        where TClip : IClipMode
    {
        private readonly ref float _gx = ref MemoryMarshal.GetReference(gx);
        private readonly ref float _gh = ref MemoryMarshal.GetReference(gh);
        private readonly float _clip = clip;
        private readonly ref float _h = ref MemoryMarshal.GetReference(h);
        private readonly nuint _hidden = (nuint)h.Length;

        public void Run<TVector, TWidth>(nuint start, nuint end)
            where TVector : struct
            where TWidth : IVectorWidth<TVector>
        {
            TVector lo = TWidth.Create(-_clip), hi = TWidth.Create(_clip);
            nuint n1 = _hidden, n2 = 2 * n1;
            for (nuint j = start; j < end; j += (nuint)TWidth.Count)
            {
                TVector z = SigmoidOperator.Invoke<TVector, TWidth>(TClip.Apply<TVector, TWidth>(TWidth.Add(TWidth.Load(ref _gx, j), TWidth.Load(ref _gh, j)), lo, hi));
                TVector reset = SigmoidOperator.Invoke<TVector, TWidth>(TClip.Apply<TVector, TWidth>(TWidth.Add(TWidth.Load(ref _gx, n1 + j), TWidth.Load(ref _gh, n1 + j)), lo, hi));
                TVector n = TanhOperator.Invoke<TVector, TWidth>(TClip.Apply<TVector, TWidth>(TWidth.FusedMultiplyAdd(reset, TWidth.Load(ref _gh, n2 + j), TWidth.Load(ref _gx, n2 + j)), lo, hi));
                TWidth.Store(TWidth.FusedMultiplyAdd(z, TWidth.Subtract(TWidth.Load(ref _h, j), n), n), ref _h, j);
            }
        }
    }

    /// <summary>
    /// z = σ(clip(xz + hz)) and r ⊙ h_{t-1} with r = σ(clip(xr + hr)); see
    /// <see cref="GruResetGates(ReadOnlySpan{float}, ReadOnlySpan{float}, float, ReadOnlySpan{float}, Span{float}, Span{float})"/>.
    /// </summary>
    private readonly ref struct GruResetGatesLoop<TClip>(ReadOnlySpan<float> gx, ReadOnlySpan<float> ghZr, float clip, ReadOnlySpan<float> h, Span<float> z, Span<float> resetHidden) : IVectorLoop
        where TClip : IClipMode
    {
        private readonly ref float _gx = ref MemoryMarshal.GetReference(gx);
        private readonly ref float _ghZr = ref MemoryMarshal.GetReference(ghZr);
        private readonly float _clip = clip;
        private readonly ref float _h = ref MemoryMarshal.GetReference(h);
        private readonly nuint _hidden = (nuint)h.Length;
        private readonly ref float _z = ref MemoryMarshal.GetReference(z);
        private readonly ref float _resetHidden = ref MemoryMarshal.GetReference(resetHidden);

        public void Run<TVector, TWidth>(nuint start, nuint end)
            where TVector : struct
            where TWidth : IVectorWidth<TVector>
        {
            TVector lo = TWidth.Create(-_clip), hi = TWidth.Create(_clip);
            nuint n1 = _hidden;
            for (nuint j = start; j < end; j += (nuint)TWidth.Count)
            {
                TVector z = SigmoidOperator.Invoke<TVector, TWidth>(TClip.Apply<TVector, TWidth>(TWidth.Add(TWidth.Load(ref _gx, j), TWidth.Load(ref _ghZr, j)), lo, hi));
                TVector reset = SigmoidOperator.Invoke<TVector, TWidth>(TClip.Apply<TVector, TWidth>(TWidth.Add(TWidth.Load(ref _gx, n1 + j), TWidth.Load(ref _ghZr, n1 + j)), lo, hi));
                TWidth.Store(z, ref _z, j);
                TWidth.Store(TWidth.Multiply(reset, TWidth.Load(ref _h, j)), ref _resetHidden, j);
            }
        }
    }

    /// <summary>
    /// n = tanh(clip(xh + hh)), h_t = n + z (h_{t-1} - n) (a fused multiply-add); see
    /// <see cref="GruFinish(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, float, Span{float})"/>.
    /// </summary>
    private readonly ref struct GruFinishLoop<TClip>(ReadOnlySpan<float> gxH, ReadOnlySpan<float> ghH, ReadOnlySpan<float> z, float clip, Span<float> h) : IVectorLoop
        where TClip : IClipMode
    {
        private readonly ref float _gxH = ref MemoryMarshal.GetReference(gxH);
        private readonly ref float _ghH = ref MemoryMarshal.GetReference(ghH);
        private readonly ref float _z = ref MemoryMarshal.GetReference(z);
        private readonly float _clip = clip;
        private readonly ref float _h = ref MemoryMarshal.GetReference(h);

        public void Run<TVector, TWidth>(nuint start, nuint end)
            where TVector : struct
            where TWidth : IVectorWidth<TVector>
        {
            TVector lo = TWidth.Create(-_clip), hi = TWidth.Create(_clip);
            for (nuint j = start; j < end; j += (nuint)TWidth.Count)
            {
                TVector n = TanhOperator.Invoke<TVector, TWidth>(TClip.Apply<TVector, TWidth>(TWidth.Add(TWidth.Load(ref _gxH, j), TWidth.Load(ref _ghH, j)), lo, hi));
                TWidth.Store(TWidth.FusedMultiplyAdd(TWidth.Load(ref _z, j), TWidth.Subtract(TWidth.Load(ref _h, j), n), n), ref _h, j);
            }
        }
    }
}
