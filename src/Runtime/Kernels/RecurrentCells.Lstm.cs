using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace EdgeRnn.Runtime.Kernels;

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
    public static void LstmUpdate(ReadOnlySpan<float> gates, ReadOnlySpan<float> peephole, float clip, Span<float> c, Span<float> h) =>
        LstmUpdate(gates, peephole, clip, c, h, SimdWidth.Vector512);

    /// <summary>As <see cref="LstmUpdate(ReadOnlySpan{float}, ReadOnlySpan{float}, float, Span{float}, Span{float})"/>, using SIMD widths up to <paramref name="limit"/> only.</summary>
    internal static void LstmUpdate(ReadOnlySpan<float> gates, ReadOnlySpan<float> peephole, float clip, Span<float> c, Span<float> h, SimdWidth limit)
    {
        ValidateLstm(gates, peephole, clip, c, h);
        if (peephole.IsEmpty)
        {
            LstmUpdate<NoPeephole>(gates, peephole, clip, c, h, limit);
        }
        else
        {
            LstmUpdate<WithPeephole>(gates, peephole, clip, c, h, limit);
        }
    }

    private static void LstmUpdate<TPeephole>(ReadOnlySpan<float> gates, ReadOnlySpan<float> peephole, float clip, Span<float> c, Span<float> h, SimdWidth limit)
        where TPeephole : IPeepholeMode
    {
        if (float.IsPositiveInfinity(clip))
        {
            Lstm<LstmOperator<TPeephole, Unclipped>>(gates, peephole, clip, c, h, limit);
        }
        else
        {
            Lstm<LstmOperator<TPeephole, Clipped>>(gates, peephole, clip, c, h, limit);
        }
    }

    /// <summary>The LSTM driver: the widest allowed width first, then narrower ones, then the scalar tail.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Lstm<TOp>(ReadOnlySpan<float> gates, ReadOnlySpan<float> peephole, float clip, Span<float> c, Span<float> h, SimdWidth limit)
        where TOp : ILstmOperator
    {
        nuint n = (nuint)h.Length, j = 0;
        if (Use<Vector512Width>(limit, n - j))
        {
            j = LstmLoop<Vector512<float>, Vector512Width, TOp>(gates, peephole, clip, c, h, j);
        }

        if (Use<Vector256Width>(limit, n - j))
        {
            j = LstmLoop<Vector256<float>, Vector256Width, TOp>(gates, peephole, clip, c, h, j);
        }

        if (Use<Vector128Width>(limit, n - j))
        {
            j = LstmLoop<Vector128<float>, Vector128Width, TOp>(gates, peephole, clip, c, h, j);
        }

        if (j < n)
        {
            LstmLoop<float, ScalarWidth, TOp>(gates, peephole, clip, c, h, j);
        }
    }

    /// <summary>Runs whole <typeparamref name="TVector"/>s from <paramref name="start"/>; returns where it stopped.</summary>
    private static nuint LstmLoop<TVector, TWidth, TOp>(ReadOnlySpan<float> gates, ReadOnlySpan<float> peephole, float clip, Span<float> c, Span<float> h, nuint start)
        where TVector : struct
        where TWidth : IVectorWidth<TVector>
        where TOp : ILstmOperator, ILstmOperator<TVector>
    {
        ref float g = ref MemoryMarshal.GetReference(gates);
        ref float p = ref MemoryMarshal.GetReference(peephole);
        ref float cr = ref MemoryMarshal.GetReference(c);
        ref float hr = ref MemoryMarshal.GetReference(h);
        TVector lo = TWidth.Create(-clip), hi = TWidth.Create(clip);
        TVector pi = default, po = default, pf = default;
        nuint n1 = (nuint)h.Length, n2 = 2 * n1, n3 = 3 * n1, j = start;
        for (; n1 - j >= (nuint)TWidth.Count; j += (nuint)TWidth.Count)
        {
            if (TOp.HasPeephole)
            {
                pi = TWidth.Load(ref p, j);
                po = TWidth.Load(ref p, n1 + j);
                pf = TWidth.Load(ref p, n2 + j);
            }

            (TVector ct, TVector ht) = TOp.Invoke(
                TWidth.Load(ref g, j), TWidth.Load(ref g, n1 + j), TWidth.Load(ref g, n2 + j), TWidth.Load(ref g, n3 + j),
                pi, po, pf, TWidth.Load(ref cr, j), lo, hi);
            TWidth.Store(ct, ref cr, j);
            TWidth.Store(ht, ref hr, j);
        }

        return j;
    }
}

/// <summary>Whether an LSTM has peephole weights; a type parameter, so the JIT removes the test.</summary>
internal interface IPeepholeMode
{
    static abstract bool Enabled { get; }
}

internal readonly struct WithPeephole : IPeepholeMode
{
    public static bool Enabled => true;
}

internal readonly struct NoPeephole : IPeepholeMode
{
    public static bool Enabled => false;
}

/// <summary>The LSTM cell math at one width: (c_t, h_t) from the four gates, three peepholes and c_{t-1}.</summary>
internal interface ILstmOperator<TVector>
{
    static abstract (TVector C, TVector H) Invoke(TVector gi, TVector go, TVector gf, TVector gc, TVector pi, TVector po, TVector pf, TVector cPrev, TVector lo, TVector hi);
}

/// <summary>The LSTM cell math at every width.</summary>
internal interface ILstmOperator : ILstmOperator<float>, ILstmOperator<Vector128<float>>, ILstmOperator<Vector256<float>>, ILstmOperator<Vector512<float>>
{
    /// <summary>False when pi, po and pf are not read (the driver leaves them default).</summary>
    static abstract bool HasPeephole { get; }
}

/// <summary>
/// i = σ(clip(g_i + P_i c)), f = σ(clip(g_f + P_f c)), c_t = f c + i tanh(clip(g_c)), o = σ(clip(g_o + P_o c_t)),
/// h = o tanh(c_t); see <see cref="RecurrentCells.LstmUpdate(ReadOnlySpan{float}, ReadOnlySpan{float}, float, Span{float}, Span{float})"/>.
/// </summary>
internal readonly struct LstmOperator<TPeephole, TClip> : ILstmOperator
    where TPeephole : IPeepholeMode
    where TClip : IClipMode
{
    public static bool HasPeephole => TPeephole.Enabled;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (float C, float H) Invoke(float gi, float go, float gf, float gc, float pi, float po, float pf, float cPrev, float lo, float hi)
    {
        if (TPeephole.Enabled)
        {
            gi = MathF.FusedMultiplyAdd(pi, cPrev, gi);
            gf = MathF.FusedMultiplyAdd(pf, cPrev, gf);
        }

        float i = SigmoidOperator.Invoke(TClip.Apply(gi, lo, hi));
        float f = SigmoidOperator.Invoke(TClip.Apply(gf, lo, hi));
        float c = MathF.FusedMultiplyAdd(f, cPrev, i * TanhOperator.Invoke(TClip.Apply(gc, lo, hi)));
        if (TPeephole.Enabled)
        {
            go = MathF.FusedMultiplyAdd(po, c, go);
        }

        return (c, SigmoidOperator.Invoke(TClip.Apply(go, lo, hi)) * TanhOperator.Invoke(c));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (Vector128<float> C, Vector128<float> H) Invoke(Vector128<float> gi, Vector128<float> go, Vector128<float> gf, Vector128<float> gc, Vector128<float> pi, Vector128<float> po, Vector128<float> pf, Vector128<float> cPrev, Vector128<float> lo, Vector128<float> hi)
    {
        if (TPeephole.Enabled)
        {
            gi = Vector128.FusedMultiplyAdd(pi, cPrev, gi);
            gf = Vector128.FusedMultiplyAdd(pf, cPrev, gf);
        }

        Vector128<float> i = SigmoidOperator.Invoke(TClip.Apply(gi, lo, hi));
        Vector128<float> f = SigmoidOperator.Invoke(TClip.Apply(gf, lo, hi));
        Vector128<float> c = Vector128.FusedMultiplyAdd(f, cPrev, i * TanhOperator.Invoke(TClip.Apply(gc, lo, hi)));
        if (TPeephole.Enabled)
        {
            go = Vector128.FusedMultiplyAdd(po, c, go);
        }

        return (c, SigmoidOperator.Invoke(TClip.Apply(go, lo, hi)) * TanhOperator.Invoke(c));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (Vector256<float> C, Vector256<float> H) Invoke(Vector256<float> gi, Vector256<float> go, Vector256<float> gf, Vector256<float> gc, Vector256<float> pi, Vector256<float> po, Vector256<float> pf, Vector256<float> cPrev, Vector256<float> lo, Vector256<float> hi)
    {
        if (TPeephole.Enabled)
        {
            gi = Vector256.FusedMultiplyAdd(pi, cPrev, gi);
            gf = Vector256.FusedMultiplyAdd(pf, cPrev, gf);
        }

        Vector256<float> i = SigmoidOperator.Invoke(TClip.Apply(gi, lo, hi));
        Vector256<float> f = SigmoidOperator.Invoke(TClip.Apply(gf, lo, hi));
        Vector256<float> c = Vector256.FusedMultiplyAdd(f, cPrev, i * TanhOperator.Invoke(TClip.Apply(gc, lo, hi)));
        if (TPeephole.Enabled)
        {
            go = Vector256.FusedMultiplyAdd(po, c, go);
        }

        return (c, SigmoidOperator.Invoke(TClip.Apply(go, lo, hi)) * TanhOperator.Invoke(c));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (Vector512<float> C, Vector512<float> H) Invoke(Vector512<float> gi, Vector512<float> go, Vector512<float> gf, Vector512<float> gc, Vector512<float> pi, Vector512<float> po, Vector512<float> pf, Vector512<float> cPrev, Vector512<float> lo, Vector512<float> hi)
    {
        if (TPeephole.Enabled)
        {
            gi = Vector512.FusedMultiplyAdd(pi, cPrev, gi);
            gf = Vector512.FusedMultiplyAdd(pf, cPrev, gf);
        }

        Vector512<float> i = SigmoidOperator.Invoke(TClip.Apply(gi, lo, hi));
        Vector512<float> f = SigmoidOperator.Invoke(TClip.Apply(gf, lo, hi));
        Vector512<float> c = Vector512.FusedMultiplyAdd(f, cPrev, i * TanhOperator.Invoke(TClip.Apply(gc, lo, hi)));
        if (TPeephole.Enabled)
        {
            go = Vector512.FusedMultiplyAdd(po, c, go);
        }

        return (c, SigmoidOperator.Invoke(TClip.Apply(go, lo, hi)) * TanhOperator.Invoke(c));
    }
}
