using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

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

    /// <summary>As <see cref="GruUpdateLinearBeforeReset(ReadOnlySpan{float}, ReadOnlySpan{float}, float, Span{float})"/>, using SIMD widths up to <paramref name="limit"/> only.</summary>
    internal static void GruUpdateLinearBeforeReset(ReadOnlySpan<float> gx, ReadOnlySpan<float> gh, float clip, Span<float> h, SimdWidth limit)
    {
        ValidateGruLinearBeforeReset(gx, gh, clip, h);
        if (float.IsPositiveInfinity(clip))
        {
            GruLinearBeforeReset<GruLinearBeforeResetOperator<Unclipped>>(gx, gh, clip, h, limit);
        }
        else
        {
            GruLinearBeforeReset<GruLinearBeforeResetOperator<Clipped>>(gx, gh, clip, h, limit);
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

    /// <summary>As <see cref="GruResetGates(ReadOnlySpan{float}, ReadOnlySpan{float}, float, ReadOnlySpan{float}, Span{float}, Span{float})"/>, using SIMD widths up to <paramref name="limit"/> only.</summary>
    internal static void GruResetGates(ReadOnlySpan<float> gx, ReadOnlySpan<float> ghZr, float clip, ReadOnlySpan<float> h, Span<float> z, Span<float> resetHidden, SimdWidth limit)
    {
        ValidateGruResetGates(gx, ghZr, clip, h, z, resetHidden);
        if (float.IsPositiveInfinity(clip))
        {
            GruResetGates<GruResetGatesOperator<Unclipped>>(gx, ghZr, clip, h, z, resetHidden, limit);
        }
        else
        {
            GruResetGates<GruResetGatesOperator<Clipped>>(gx, ghZr, clip, h, z, resetHidden, limit);
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

    /// <summary>As <see cref="GruFinish(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, float, Span{float})"/>, using SIMD widths up to <paramref name="limit"/> only.</summary>
    internal static void GruFinish(ReadOnlySpan<float> gxH, ReadOnlySpan<float> ghH, ReadOnlySpan<float> z, float clip, Span<float> h, SimdWidth limit)
    {
        ValidateGruFinish(gxH, ghH, z, clip, h);
        if (float.IsPositiveInfinity(clip))
        {
            GruFinish<GruFinishOperator<Unclipped>>(gxH, ghH, z, clip, h, limit);
        }
        else
        {
            GruFinish<GruFinishOperator<Clipped>>(gxH, ghH, z, clip, h, limit);
        }
    }

    // ---------------------------------------------------------------- drivers: widest width, narrower ones, scalar tail

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void GruLinearBeforeReset<TOp>(ReadOnlySpan<float> gx, ReadOnlySpan<float> gh, float clip, Span<float> h, SimdWidth limit)
        where TOp : IGruLinearBeforeResetOperator
    {
        nuint n = (nuint)h.Length, j = 0;
        if (Use<Vector512Width>(limit, n - j))
        {
            j = GruLinearBeforeResetLoop<Vector512<float>, Vector512Width, TOp>(gx, gh, clip, h, j);
        }

        if (Use<Vector256Width>(limit, n - j))
        {
            j = GruLinearBeforeResetLoop<Vector256<float>, Vector256Width, TOp>(gx, gh, clip, h, j);
        }

        if (Use<Vector128Width>(limit, n - j))
        {
            j = GruLinearBeforeResetLoop<Vector128<float>, Vector128Width, TOp>(gx, gh, clip, h, j);
        }

        if (j < n)
        {
            GruLinearBeforeResetLoop<float, ScalarWidth, TOp>(gx, gh, clip, h, j);
        }
    }

    private static nuint GruLinearBeforeResetLoop<TVector, TWidth, TOp>(ReadOnlySpan<float> gx, ReadOnlySpan<float> gh, float clip, Span<float> h, nuint start)
        where TVector : struct
        where TWidth : IVectorWidth<TVector>
        where TOp : IGruLinearBeforeResetOperator<TVector>
    {
        ref float x = ref MemoryMarshal.GetReference(gx);
        ref float r = ref MemoryMarshal.GetReference(gh);
        ref float hr = ref MemoryMarshal.GetReference(h);
        TVector lo = TWidth.Create(-clip), hi = TWidth.Create(clip);
        nuint n1 = (nuint)h.Length, n2 = 2 * n1, j = start;
        for (; n1 - j >= (nuint)TWidth.Count; j += (nuint)TWidth.Count)
        {
            TVector ht = TOp.Invoke(
                TWidth.Load(ref x, j), TWidth.Load(ref x, n1 + j), TWidth.Load(ref x, n2 + j),
                TWidth.Load(ref r, j), TWidth.Load(ref r, n1 + j), TWidth.Load(ref r, n2 + j),
                TWidth.Load(ref hr, j), lo, hi);
            TWidth.Store(ht, ref hr, j);
        }

        return j;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void GruResetGates<TOp>(ReadOnlySpan<float> gx, ReadOnlySpan<float> ghZr, float clip, ReadOnlySpan<float> h, Span<float> z, Span<float> resetHidden, SimdWidth limit)
        where TOp : IGruResetGatesOperator
    {
        nuint n = (nuint)h.Length, j = 0;
        if (Use<Vector512Width>(limit, n - j))
        {
            j = GruResetGatesLoop<Vector512<float>, Vector512Width, TOp>(gx, ghZr, clip, h, z, resetHidden, j);
        }

        if (Use<Vector256Width>(limit, n - j))
        {
            j = GruResetGatesLoop<Vector256<float>, Vector256Width, TOp>(gx, ghZr, clip, h, z, resetHidden, j);
        }

        if (Use<Vector128Width>(limit, n - j))
        {
            j = GruResetGatesLoop<Vector128<float>, Vector128Width, TOp>(gx, ghZr, clip, h, z, resetHidden, j);
        }

        if (j < n)
        {
            GruResetGatesLoop<float, ScalarWidth, TOp>(gx, ghZr, clip, h, z, resetHidden, j);
        }
    }

    private static nuint GruResetGatesLoop<TVector, TWidth, TOp>(ReadOnlySpan<float> gx, ReadOnlySpan<float> ghZr, float clip, ReadOnlySpan<float> h, Span<float> z, Span<float> resetHidden, nuint start)
        where TVector : struct
        where TWidth : IVectorWidth<TVector>
        where TOp : IGruResetGatesOperator<TVector>
    {
        ref float x = ref MemoryMarshal.GetReference(gx);
        ref float r = ref MemoryMarshal.GetReference(ghZr);
        ref float hr = ref MemoryMarshal.GetReference(h);
        ref float zr = ref MemoryMarshal.GetReference(z);
        ref float rh = ref MemoryMarshal.GetReference(resetHidden);
        TVector lo = TWidth.Create(-clip), hi = TWidth.Create(clip);
        nuint n1 = (nuint)h.Length, j = start;
        for (; n1 - j >= (nuint)TWidth.Count; j += (nuint)TWidth.Count)
        {
            (TVector zt, TVector resetHiddenT) = TOp.Invoke(
                TWidth.Load(ref x, j), TWidth.Load(ref x, n1 + j), TWidth.Load(ref r, j), TWidth.Load(ref r, n1 + j),
                TWidth.Load(ref hr, j), lo, hi);
            TWidth.Store(zt, ref zr, j);
            TWidth.Store(resetHiddenT, ref rh, j);
        }

        return j;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void GruFinish<TOp>(ReadOnlySpan<float> gxH, ReadOnlySpan<float> ghH, ReadOnlySpan<float> z, float clip, Span<float> h, SimdWidth limit)
        where TOp : IGruFinishOperator
    {
        nuint n = (nuint)h.Length, j = 0;
        if (Use<Vector512Width>(limit, n - j))
        {
            j = GruFinishLoop<Vector512<float>, Vector512Width, TOp>(gxH, ghH, z, clip, h, j);
        }

        if (Use<Vector256Width>(limit, n - j))
        {
            j = GruFinishLoop<Vector256<float>, Vector256Width, TOp>(gxH, ghH, z, clip, h, j);
        }

        if (Use<Vector128Width>(limit, n - j))
        {
            j = GruFinishLoop<Vector128<float>, Vector128Width, TOp>(gxH, ghH, z, clip, h, j);
        }

        if (j < n)
        {
            GruFinishLoop<float, ScalarWidth, TOp>(gxH, ghH, z, clip, h, j);
        }
    }

    private static nuint GruFinishLoop<TVector, TWidth, TOp>(ReadOnlySpan<float> gxH, ReadOnlySpan<float> ghH, ReadOnlySpan<float> z, float clip, Span<float> h, nuint start)
        where TVector : struct
        where TWidth : IVectorWidth<TVector>
        where TOp : IGruFinishOperator<TVector>
    {
        ref float x = ref MemoryMarshal.GetReference(gxH);
        ref float r = ref MemoryMarshal.GetReference(ghH);
        ref float zr = ref MemoryMarshal.GetReference(z);
        ref float hr = ref MemoryMarshal.GetReference(h);
        TVector lo = TWidth.Create(-clip), hi = TWidth.Create(clip);
        nuint n = (nuint)h.Length, j = start;
        for (; n - j >= (nuint)TWidth.Count; j += (nuint)TWidth.Count)
        {
            TVector ht = TOp.Invoke(TWidth.Load(ref x, j), TWidth.Load(ref r, j), TWidth.Load(ref zr, j), TWidth.Load(ref hr, j), lo, hi);
            TWidth.Store(ht, ref hr, j);
        }

        return j;
    }
}

/// <summary>The GRU (linear_before_reset = 1) cell math at one width: h_t from gx_z, gx_r, gx_h, gh_z, gh_r, gh_h and h_{t-1}.</summary>
internal interface IGruLinearBeforeResetOperator<TVector>
{
    static abstract TVector Invoke(TVector xz, TVector xr, TVector xh, TVector hz, TVector hr, TVector hh, TVector hPrev, TVector lo, TVector hi);
}

/// <summary>The GRU (linear_before_reset = 1) cell math at every width.</summary>
internal interface IGruLinearBeforeResetOperator :
    IGruLinearBeforeResetOperator<float>, IGruLinearBeforeResetOperator<Vector128<float>>, IGruLinearBeforeResetOperator<Vector256<float>>, IGruLinearBeforeResetOperator<Vector512<float>>;

/// <summary>The first half of a GRU (linear_before_reset = 0) step at one width: (z, r ⊙ h_{t-1}) from gx_z, gx_r, gh_z, gh_r, h_{t-1}.</summary>
internal interface IGruResetGatesOperator<TVector>
{
    static abstract (TVector Z, TVector ResetHidden) Invoke(TVector xz, TVector xr, TVector hz, TVector hr, TVector hPrev, TVector lo, TVector hi);
}

/// <summary>The first half of a GRU (linear_before_reset = 0) step at every width.</summary>
internal interface IGruResetGatesOperator :
    IGruResetGatesOperator<float>, IGruResetGatesOperator<Vector128<float>>, IGruResetGatesOperator<Vector256<float>>, IGruResetGatesOperator<Vector512<float>>;

/// <summary>The second half of a GRU (linear_before_reset = 0) step at one width: h_t from gx_h, gh_h, z and h_{t-1}.</summary>
internal interface IGruFinishOperator<TVector>
{
    static abstract TVector Invoke(TVector xh, TVector hh, TVector z, TVector hPrev, TVector lo, TVector hi);
}

/// <summary>The second half of a GRU (linear_before_reset = 0) step at every width.</summary>
internal interface IGruFinishOperator :
    IGruFinishOperator<float>, IGruFinishOperator<Vector128<float>>, IGruFinishOperator<Vector256<float>>, IGruFinishOperator<Vector512<float>>;

/// <summary>
/// z = σ(clip(xz + hz)), r = σ(clip(xr + hr)), n = tanh(clip(xh + r hh)), h_t = n + z (h_{t-1} - n); see
/// <see cref="RecurrentCells.GruUpdateLinearBeforeReset(ReadOnlySpan{float}, ReadOnlySpan{float}, float, Span{float})"/>.
/// </summary>
internal readonly struct GruLinearBeforeResetOperator<TClip> : IGruLinearBeforeResetOperator
    where TClip : IClipMode
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Invoke(float xz, float xr, float xh, float hz, float hr, float hh, float hPrev, float lo, float hi)
    {
        float z = SigmoidOperator.Invoke(TClip.Apply(xz + hz, lo, hi));
        float r = SigmoidOperator.Invoke(TClip.Apply(xr + hr, lo, hi));
        float n = TanhOperator.Invoke(TClip.Apply(MathF.FusedMultiplyAdd(r, hh, xh), lo, hi));
        return MathF.FusedMultiplyAdd(z, hPrev - n, n);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Invoke(Vector128<float> xz, Vector128<float> xr, Vector128<float> xh, Vector128<float> hz, Vector128<float> hr, Vector128<float> hh, Vector128<float> hPrev, Vector128<float> lo, Vector128<float> hi)
    {
        Vector128<float> z = SigmoidOperator.Invoke(TClip.Apply(xz + hz, lo, hi));
        Vector128<float> r = SigmoidOperator.Invoke(TClip.Apply(xr + hr, lo, hi));
        Vector128<float> n = TanhOperator.Invoke(TClip.Apply(Vector128.FusedMultiplyAdd(r, hh, xh), lo, hi));
        return Vector128.FusedMultiplyAdd(z, hPrev - n, n);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Invoke(Vector256<float> xz, Vector256<float> xr, Vector256<float> xh, Vector256<float> hz, Vector256<float> hr, Vector256<float> hh, Vector256<float> hPrev, Vector256<float> lo, Vector256<float> hi)
    {
        Vector256<float> z = SigmoidOperator.Invoke(TClip.Apply(xz + hz, lo, hi));
        Vector256<float> r = SigmoidOperator.Invoke(TClip.Apply(xr + hr, lo, hi));
        Vector256<float> n = TanhOperator.Invoke(TClip.Apply(Vector256.FusedMultiplyAdd(r, hh, xh), lo, hi));
        return Vector256.FusedMultiplyAdd(z, hPrev - n, n);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Invoke(Vector512<float> xz, Vector512<float> xr, Vector512<float> xh, Vector512<float> hz, Vector512<float> hr, Vector512<float> hh, Vector512<float> hPrev, Vector512<float> lo, Vector512<float> hi)
    {
        Vector512<float> z = SigmoidOperator.Invoke(TClip.Apply(xz + hz, lo, hi));
        Vector512<float> r = SigmoidOperator.Invoke(TClip.Apply(xr + hr, lo, hi));
        Vector512<float> n = TanhOperator.Invoke(TClip.Apply(Vector512.FusedMultiplyAdd(r, hh, xh), lo, hi));
        return Vector512.FusedMultiplyAdd(z, hPrev - n, n);
    }
}

/// <summary>
/// z = σ(clip(xz + hz)), r ⊙ h_{t-1} with r = σ(clip(xr + hr)); see
/// <see cref="RecurrentCells.GruResetGates(ReadOnlySpan{float}, ReadOnlySpan{float}, float, ReadOnlySpan{float}, Span{float}, Span{float})"/>.
/// </summary>
internal readonly struct GruResetGatesOperator<TClip> : IGruResetGatesOperator
    where TClip : IClipMode
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (float Z, float ResetHidden) Invoke(float xz, float xr, float hz, float hr, float hPrev, float lo, float hi) =>
        (SigmoidOperator.Invoke(TClip.Apply(xz + hz, lo, hi)), SigmoidOperator.Invoke(TClip.Apply(xr + hr, lo, hi)) * hPrev);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (Vector128<float> Z, Vector128<float> ResetHidden) Invoke(Vector128<float> xz, Vector128<float> xr, Vector128<float> hz, Vector128<float> hr, Vector128<float> hPrev, Vector128<float> lo, Vector128<float> hi) =>
        (SigmoidOperator.Invoke(TClip.Apply(xz + hz, lo, hi)), SigmoidOperator.Invoke(TClip.Apply(xr + hr, lo, hi)) * hPrev);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (Vector256<float> Z, Vector256<float> ResetHidden) Invoke(Vector256<float> xz, Vector256<float> xr, Vector256<float> hz, Vector256<float> hr, Vector256<float> hPrev, Vector256<float> lo, Vector256<float> hi) =>
        (SigmoidOperator.Invoke(TClip.Apply(xz + hz, lo, hi)), SigmoidOperator.Invoke(TClip.Apply(xr + hr, lo, hi)) * hPrev);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (Vector512<float> Z, Vector512<float> ResetHidden) Invoke(Vector512<float> xz, Vector512<float> xr, Vector512<float> hz, Vector512<float> hr, Vector512<float> hPrev, Vector512<float> lo, Vector512<float> hi) =>
        (SigmoidOperator.Invoke(TClip.Apply(xz + hz, lo, hi)), SigmoidOperator.Invoke(TClip.Apply(xr + hr, lo, hi)) * hPrev);
}

/// <summary>
/// n = tanh(clip(xh + hh)), h_t = n + z (h_{t-1} - n); see
/// <see cref="RecurrentCells.GruFinish(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, float, Span{float})"/>.
/// </summary>
internal readonly struct GruFinishOperator<TClip> : IGruFinishOperator
    where TClip : IClipMode
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Invoke(float xh, float hh, float z, float hPrev, float lo, float hi)
    {
        float n = TanhOperator.Invoke(TClip.Apply(xh + hh, lo, hi));
        return MathF.FusedMultiplyAdd(z, hPrev - n, n);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Invoke(Vector128<float> xh, Vector128<float> hh, Vector128<float> z, Vector128<float> hPrev, Vector128<float> lo, Vector128<float> hi)
    {
        Vector128<float> n = TanhOperator.Invoke(TClip.Apply(xh + hh, lo, hi));
        return Vector128.FusedMultiplyAdd(z, hPrev - n, n);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Invoke(Vector256<float> xh, Vector256<float> hh, Vector256<float> z, Vector256<float> hPrev, Vector256<float> lo, Vector256<float> hi)
    {
        Vector256<float> n = TanhOperator.Invoke(TClip.Apply(xh + hh, lo, hi));
        return Vector256.FusedMultiplyAdd(z, hPrev - n, n);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Invoke(Vector512<float> xh, Vector512<float> hh, Vector512<float> z, Vector512<float> hPrev, Vector512<float> lo, Vector512<float> hi)
    {
        Vector512<float> n = TanhOperator.Invoke(TClip.Apply(xh + hh, lo, hi));
        return Vector512.FusedMultiplyAdd(z, hPrev - n, n);
    }
}
