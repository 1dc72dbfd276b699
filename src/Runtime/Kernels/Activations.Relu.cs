using System.Runtime.CompilerServices;

namespace EdgeRnn.Runtime.Kernels;

internal static partial class Activations
{
    /// <summary>destination[i] = max(x[i], 0) (NaN stays NaN); x and destination may be the same span.</summary>
    public static void Relu(ReadOnlySpan<float> x, Span<float> destination) => UnaryLoop.Invoke<ReluOperator>(x, destination, SimdWidth.Vector512);
}

/// <summary>max(x, 0) with IEEE 754:2019 maximum semantics (NaN propagates, max(-0, +0) = +0).</summary>
internal readonly struct ReluOperator : IUnaryOperator
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector Invoke<TVector, TWidth>(TVector x)
        where TWidth : IVectorWidth<TVector> => TWidth.Max(x, TWidth.Create(0f));
}
