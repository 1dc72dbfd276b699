using System.Runtime.InteropServices;

namespace EdgeRnn.Runtime.Kernels;

internal static partial class RecurrentCells
{
    /// <summary>One simple-RNN step after the mat-vecs: h = tanh(clamp(gates, -clip, clip)).</summary>
    /// <param name="gates">H: W x + R h + Wb + Rb.</param>
    /// <param name="clip">The clip threshold, or +Infinity.</param>
    /// <param name="h">Out: h_t. May be the same span as gates.</param>
    public static void RnnUpdate(ReadOnlySpan<float> gates, float clip, Span<float> h) => RnnUpdate(gates, clip, h, SimdWidth.Vector512);

    /// <summary>As <see cref="RnnUpdate(ReadOnlySpan{float}, float, Span{float})"/>, using SIMD widths up to <paramref name="maxWidth"/> only.</summary>
    internal static void RnnUpdate(ReadOnlySpan<float> gates, float clip, Span<float> h, SimdWidth maxWidth)
    {
        ValidateRnn(gates, clip, h);
        if (float.IsPositiveInfinity(clip))
        {
            VectorLoop.Run(new RnnLoop<Unclipped>(gates, clip, h), h.Length, maxWidth);
        }
        else
        {
            VectorLoop.Run(new RnnLoop<Clipped>(gates, clip, h), h.Length, maxWidth);
        }
    }

    /// <summary>h_t = tanh(clip(gate)); see <see cref="RnnUpdate(ReadOnlySpan{float}, float, Span{float})"/>.</summary>
    private readonly ref struct RnnLoop<TClip>(ReadOnlySpan<float> gates, float clip, Span<float> h) : IVectorLoop
        where TClip : IClipMode
    {
        private readonly ref float _gates = ref MemoryMarshal.GetReference(gates);
        private readonly float _clip = clip;
        private readonly ref float _h = ref MemoryMarshal.GetReference(h);

        public void Run<TVector, TWidth>(nuint start, nuint end)
            where TVector : struct
            where TWidth : IVectorWidth<TVector>
        {
            TVector lo = TWidth.Create(-_clip), hi = TWidth.Create(_clip);
            for (nuint j = start; j < end; j += (nuint)TWidth.Count)
            {
                TWidth.Store(TanhOperator.Invoke<TVector, TWidth>(TClip.Apply<TVector, TWidth>(TWidth.Load(ref _gates, j), lo, hi)), ref _h, j);
            }
        }
    }
}
