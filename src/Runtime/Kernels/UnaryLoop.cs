using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace EdgeRnn.Runtime.Kernels;

/// <summary>
/// The unary elementwise kernel: destination[i] = TOp(x[i]) for i in [0, x.Length), run by <see cref="VectorLoop"/>.
/// </summary>
/// <remarks>
/// x and destination may be the very same span; they must not otherwise overlap. destination may be longer than x (the
/// rest is left untouched).
/// </remarks>
internal static class UnaryLoop
{
    /// <summary>destination[i] = TOp(x[i]), using SIMD widths up to <paramref name="maxWidth"/>.</summary>
    public static void Invoke<TOp>(ReadOnlySpan<float> x, Span<float> destination, SimdWidth maxWidth)
        where TOp : IUnaryOperator
    {
        Validate(x, destination);
        VectorLoop.Run(new Loop<TOp>(x, destination), x.Length, maxWidth);
    }

    /// <summary>Throws when destination is shorter than x, or overlaps it without starting at the same element.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Validate(ReadOnlySpan<float> x, Span<float> destination)
    {
        if (destination.Length < x.Length)
        {
            ThrowHelper.ThrowArgument_DestinationTooShort();
        }

        if (x.Overlaps(destination, out int offset) && offset != 0)
        {
            ThrowHelper.ThrowArgument_InputAndDestinationOverlap();
        }
    }

    private readonly ref struct Loop<TOp>(ReadOnlySpan<float> x, Span<float> destination) : IVectorLoop
        where TOp : IUnaryOperator
    {
        private readonly ref float _x = ref MemoryMarshal.GetReference(x);
        private readonly ref float _destination = ref MemoryMarshal.GetReference(destination);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Run<TVector, TWidth>(nuint start, nuint end)
            where TVector : struct
            where TWidth : IVectorWidth<TVector>
        {
            for (nuint i = start; i < end; i += (nuint)TWidth.Count)
            {
                TWidth.Store(TOp.Invoke<TVector, TWidth>(TWidth.Load(ref _x, i)), ref _destination, i);
            }
        }
    }
}
