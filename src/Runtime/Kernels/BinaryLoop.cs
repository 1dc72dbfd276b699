using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace EdgeRnn.Runtime.Kernels;

/// <summary>
/// The binary elementwise kernel: destination[i] = TOp(x[i], y[i]) or TOp(x[i], y) for i in [0, x.Length), run by
/// <see cref="VectorLoop"/>.
/// </summary>
/// <remarks>
/// destination may be the very same span as x or y, but must not otherwise overlap them; x and y must have the same
/// length.
/// </remarks>
internal static class BinaryLoop
{
    /// <summary>destination[i] = TOp(x[i], y[i]), using SIMD widths up to <paramref name="maxWidth"/>.</summary>
    public static void Invoke<TOp>(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> destination, SimdWidth maxWidth)
        where TOp : IBinaryOperator
    {
        if (x.Length != y.Length)
        {
            ThrowHelper.ThrowArgument_SpansMustHaveSameLength();
        }

        if (y.Overlaps(destination, out int offset) && offset != 0)
        {
            ThrowHelper.ThrowArgument_InputAndDestinationOverlap();
        }

        UnaryLoop.Validate(x, destination);
        VectorLoop.Run(new Loop<TOp, SpanOperand>(x, ref MemoryMarshal.GetReference(y), destination), x.Length, maxWidth);
    }

    /// <summary>destination[i] = TOp(x[i], y), using SIMD widths up to <paramref name="maxWidth"/>.</summary>
    public static void Invoke<TOp>(ReadOnlySpan<float> x, float y, Span<float> destination, SimdWidth maxWidth)
        where TOp : IBinaryOperator
    {
        UnaryLoop.Validate(x, destination);
        VectorLoop.Run(new Loop<TOp, BroadcastOperand>(x, ref y, destination), x.Length, maxWidth);
    }

    /// <summary>How the right operand is read at element i: y[i...] (<see cref="SpanOperand"/>) or one value in every lane (<see cref="BroadcastOperand"/>).</summary>
    private interface IOperand
    {
        static abstract TVector Load<TVector, TWidth>(ref float y, nuint i)
            where TWidth : IVectorWidth<TVector>;
    }

    private readonly struct SpanOperand : IOperand
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TVector Load<TVector, TWidth>(ref float y, nuint i)
            where TWidth : IVectorWidth<TVector> => TWidth.Load(ref y, i);
    }

    private readonly struct BroadcastOperand : IOperand
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TVector Load<TVector, TWidth>(ref float y, nuint i)
            where TWidth : IVectorWidth<TVector> => TWidth.Create(y);
    }

    private readonly ref struct Loop<TOp, TOperand>(ReadOnlySpan<float> x, ref float y, Span<float> destination) : IVectorLoop
        where TOp : IBinaryOperator
        where TOperand : IOperand
    {
        private readonly ref float _x = ref MemoryMarshal.GetReference(x);
        private readonly ref float _y = ref y;
        private readonly ref float _destination = ref MemoryMarshal.GetReference(destination);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Run<TVector, TWidth>(nuint start, nuint end)
            where TVector : struct
            where TWidth : IVectorWidth<TVector>
        {
            for (nuint i = start; i < end; i += (nuint)TWidth.Count)
            {
                TWidth.Store(TOp.Invoke<TVector, TWidth>(TWidth.Load(ref _x, i), TOperand.Load<TVector, TWidth>(ref _y, i)), ref _destination, i);
            }
        }
    }
}
