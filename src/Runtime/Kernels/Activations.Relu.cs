using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace EdgeRnn.Runtime.Kernels;

internal static partial class Activations
{
    /// <summary>destination[i] = max(x[i], 0) (NaN stays NaN); x and destination may be the same span.</summary>
    public static void Relu(ReadOnlySpan<float> x, Span<float> destination) => UnaryLoop.Invoke<ReluOperator>(x, destination);
}

/// <summary>max(x, 0) with IEEE 754:2019 maximum semantics (NaN propagates, max(-0, +0) = +0).</summary>
internal readonly struct ReluOperator : IUnaryOperator
{
    public static bool Vectorizable => true;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Invoke(float x) => MathF.Max(x, 0f);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Invoke(Vector128<float> x) => Vector128.Max(x, Vector128<float>.Zero);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Invoke(Vector256<float> x) => Vector256.Max(x, Vector256<float>.Zero);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Invoke(Vector512<float> x) => Vector512.Max(x, Vector512<float>.Zero);
}
