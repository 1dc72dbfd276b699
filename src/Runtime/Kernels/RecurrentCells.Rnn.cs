using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace EdgeRnn.Runtime.Kernels;

internal static partial class RecurrentCells
{
    /// <summary>One simple-RNN step after the mat-vecs: h = tanh(clamp(gates, -clip, clip)).</summary>
    /// <param name="gates">H: W x + R h + Wb + Rb.</param>
    /// <param name="clip">The clip threshold, or +Infinity.</param>
    /// <param name="h">Out: h_t. May be the same span as gates.</param>
    public static void RnnUpdate(ReadOnlySpan<float> gates, float clip, Span<float> h) => RnnUpdate(gates, clip, h, SimdWidth.Vector512);

    /// <summary>As <see cref="RnnUpdate(ReadOnlySpan{float}, float, Span{float})"/>, using SIMD widths up to <paramref name="limit"/> only.</summary>
    internal static void RnnUpdate(ReadOnlySpan<float> gates, float clip, Span<float> h, SimdWidth limit)
    {
        ValidateRnn(gates, clip, h);
        if (float.IsPositiveInfinity(clip))
        {
            Rnn<RnnOperator<Unclipped>>(gates, clip, h, limit);
        }
        else
        {
            Rnn<RnnOperator<Clipped>>(gates, clip, h, limit);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Rnn<TOp>(ReadOnlySpan<float> gates, float clip, Span<float> h, SimdWidth limit)
        where TOp : IRnnOperator
    {
        nuint n = (nuint)h.Length, j = 0;
        if (Use<Vector512Width>(limit, n - j))
        {
            j = RnnLoop<Vector512<float>, Vector512Width, TOp>(gates, clip, h, j);
        }

        if (Use<Vector256Width>(limit, n - j))
        {
            j = RnnLoop<Vector256<float>, Vector256Width, TOp>(gates, clip, h, j);
        }

        if (Use<Vector128Width>(limit, n - j))
        {
            j = RnnLoop<Vector128<float>, Vector128Width, TOp>(gates, clip, h, j);
        }

        if (j < n)
        {
            RnnLoop<float, ScalarWidth, TOp>(gates, clip, h, j);
        }
    }

    private static nuint RnnLoop<TVector, TWidth, TOp>(ReadOnlySpan<float> gates, float clip, Span<float> h, nuint start)
        where TVector : struct
        where TWidth : IVectorWidth<TVector>
        where TOp : IRnnOperator<TVector>
    {
        ref float g = ref MemoryMarshal.GetReference(gates);
        ref float hr = ref MemoryMarshal.GetReference(h);
        TVector lo = TWidth.Create(-clip), hi = TWidth.Create(clip);
        nuint n = (nuint)h.Length, j = start;
        for (; n - j >= (nuint)TWidth.Count; j += (nuint)TWidth.Count)
        {
            TWidth.Store(TOp.Invoke(TWidth.Load(ref g, j), lo, hi), ref hr, j);
        }

        return j;
    }
}

/// <summary>The simple-RNN cell math at one width: h_t from the gate pre-activation.</summary>
internal interface IRnnOperator<TVector>
{
    static abstract TVector Invoke(TVector gate, TVector lo, TVector hi);
}

/// <summary>The simple-RNN cell math at every width.</summary>
internal interface IRnnOperator : IRnnOperator<float>, IRnnOperator<Vector128<float>>, IRnnOperator<Vector256<float>>, IRnnOperator<Vector512<float>>;

/// <summary>h_t = tanh(clip(gate)); see <see cref="RecurrentCells.RnnUpdate(ReadOnlySpan{float}, float, Span{float})"/>.</summary>
internal readonly struct RnnOperator<TClip> : IRnnOperator
    where TClip : IClipMode
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Invoke(float gate, float lo, float hi) => TanhOperator.Invoke(TClip.Apply(gate, lo, hi));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Invoke(Vector128<float> gate, Vector128<float> lo, Vector128<float> hi) => TanhOperator.Invoke(TClip.Apply(gate, lo, hi));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Invoke(Vector256<float> gate, Vector256<float> lo, Vector256<float> hi) => TanhOperator.Invoke(TClip.Apply(gate, lo, hi));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Invoke(Vector512<float> gate, Vector512<float> lo, Vector512<float> hi) => TanhOperator.Invoke(TClip.Apply(gate, lo, hi));
}
