using System.Runtime.InteropServices;

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

    /// <summary>As <see cref="LstmUpdate(ReadOnlySpan{float}, ReadOnlySpan{float}, float, Span{float}, Span{float})"/>, using SIMD widths up to <paramref name="maxWidth"/> only.</summary>
    internal static void LstmUpdate(ReadOnlySpan<float> gates, ReadOnlySpan<float> peephole, float clip, Span<float> c, Span<float> h, SimdWidth maxWidth)
    {
        ValidateLstm(gates, peephole, clip, c, h);
        if (peephole.IsEmpty)
        {
            LstmUpdate<NoPeephole>(gates, peephole, clip, c, h, maxWidth);
        }
        else
        {
            LstmUpdate<WithPeephole>(gates, peephole, clip, c, h, maxWidth);
        }
    }

    private static void LstmUpdate<TPeephole>(ReadOnlySpan<float> gates, ReadOnlySpan<float> peephole, float clip, Span<float> c, Span<float> h, SimdWidth maxWidth)
        where TPeephole : IPeepholeMode
    {
        if (float.IsPositiveInfinity(clip))
        {
            VectorLoop.Run(new LstmLoop<TPeephole, Unclipped>(gates, peephole, clip, c, h), h.Length, maxWidth);
        }
        else
        {
            VectorLoop.Run(new LstmLoop<TPeephole, Clipped>(gates, peephole, clip, c, h), h.Length, maxWidth);
        }
    }

    /// <summary>
    /// i = σ(clip(g_i + P_i c)), f = σ(clip(g_f + P_f c)), c_t = f c + i tanh(clip(g_c)), o = σ(clip(g_o + P_o c_t)),
    /// h = o tanh(c_t), with fused multiply-adds for the peephole terms and for c_t; see
    /// <see cref="LstmUpdate(ReadOnlySpan{float}, ReadOnlySpan{float}, float, Span{float}, Span{float})"/>.
    /// </summary>
    private readonly ref struct LstmLoop<TPeephole, TClip>(ReadOnlySpan<float> gates, ReadOnlySpan<float> peephole, float clip, Span<float> c, Span<float> h) : IVectorLoop
        where TPeephole : IPeepholeMode
        where TClip : IClipMode
    {
        private readonly ref float _gates = ref MemoryMarshal.GetReference(gates);
        private readonly ref float _peephole = ref MemoryMarshal.GetReference(peephole);
        private readonly float _clip = clip;
        private readonly ref float _c = ref MemoryMarshal.GetReference(c);
        private readonly ref float _h = ref MemoryMarshal.GetReference(h);
        private readonly nuint _hidden = (nuint)h.Length;

        public void Run<TVector, TWidth>(nuint start, nuint end)
            where TVector : struct
            where TWidth : IVectorWidth<TVector>
        {
            TVector lo = TWidth.Create(-_clip), hi = TWidth.Create(_clip);
            nuint n1 = _hidden, n2 = 2 * n1, n3 = 3 * n1;
            for (nuint j = start; j < end; j += (nuint)TWidth.Count)
            {
                TVector cPrev = TWidth.Load(ref _c, j);
                TVector gi = TWidth.Load(ref _gates, j), go = TWidth.Load(ref _gates, n1 + j), gf = TWidth.Load(ref _gates, n2 + j);
                if (TPeephole.Enabled)
                {
                    gi = TWidth.FusedMultiplyAdd(TWidth.Load(ref _peephole, j), cPrev, gi);
                    gf = TWidth.FusedMultiplyAdd(TWidth.Load(ref _peephole, n2 + j), cPrev, gf);
                }

                TVector i = SigmoidOperator.Invoke<TVector, TWidth>(TClip.Apply<TVector, TWidth>(gi, lo, hi));
                TVector f = SigmoidOperator.Invoke<TVector, TWidth>(TClip.Apply<TVector, TWidth>(gf, lo, hi));
                TVector candidate = TanhOperator.Invoke<TVector, TWidth>(TClip.Apply<TVector, TWidth>(TWidth.Load(ref _gates, n3 + j), lo, hi));
                TVector ct = TWidth.FusedMultiplyAdd(f, cPrev, TWidth.Multiply(i, candidate));
                if (TPeephole.Enabled)
                {
                    go = TWidth.FusedMultiplyAdd(TWidth.Load(ref _peephole, n1 + j), ct, go);
                }

                TVector o = SigmoidOperator.Invoke<TVector, TWidth>(TClip.Apply<TVector, TWidth>(go, lo, hi));
                TWidth.Store(ct, ref _c, j);
                TWidth.Store(TWidth.Multiply(o, TanhOperator.Invoke<TVector, TWidth>(ct)), ref _h, j);
            }
        }
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
