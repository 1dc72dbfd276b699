using System.Runtime.CompilerServices;

namespace EdgeRnn.Runtime.Kernels;

/// <summary>
/// Elementwise arithmetic on spans. The destination may be the very same span as an input; x and y must have the same
/// length and the destination must be at least as long.
/// </summary>
internal static class Elementwise
{
    /// <summary>destination[i] = x[i] + y[i].</summary>
    public static void Add(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> destination) => BinaryLoop.Invoke<AddOperator>(x, y, destination, SimdWidth.Vector512);

    /// <summary>destination[i] = x[i] + y.</summary>
    public static void Add(ReadOnlySpan<float> x, float y, Span<float> destination) => BinaryLoop.Invoke<AddOperator>(x, y, destination, SimdWidth.Vector512);

    /// <summary>destination[i] = x[i] - y[i].</summary>
    public static void Subtract(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> destination) => BinaryLoop.Invoke<SubtractOperator>(x, y, destination, SimdWidth.Vector512);

    /// <summary>destination[i] = x[i] - y.</summary>
    public static void Subtract(ReadOnlySpan<float> x, float y, Span<float> destination) => BinaryLoop.Invoke<SubtractOperator>(x, y, destination, SimdWidth.Vector512);

    /// <summary>destination[i] = x[i] * y[i].</summary>
    public static void Multiply(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> destination) => BinaryLoop.Invoke<MultiplyOperator>(x, y, destination, SimdWidth.Vector512);

    /// <summary>destination[i] = x[i] * y.</summary>
    public static void Multiply(ReadOnlySpan<float> x, float y, Span<float> destination) => BinaryLoop.Invoke<MultiplyOperator>(x, y, destination, SimdWidth.Vector512);

    /// <summary>destination[i] = x[i] / y[i] (IEEE division).</summary>
    public static void Divide(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> destination) => BinaryLoop.Invoke<DivideOperator>(x, y, destination, SimdWidth.Vector512);

    /// <summary>destination[i] = x[i] / y (IEEE division).</summary>
    public static void Divide(ReadOnlySpan<float> x, float y, Span<float> destination) => BinaryLoop.Invoke<DivideOperator>(x, y, destination, SimdWidth.Vector512);
}

/// <summary>The int64 form of an elementwise arithmetic operator (graph shape arithmetic; never vectorized).</summary>
internal interface IInt64BinaryOperator
{
    static abstract long Invoke(long x, long y);
}

/// <summary>x + y (int64: wraps on overflow).</summary>
internal readonly struct AddOperator : IBinaryOperator, IInt64BinaryOperator
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector Invoke<TVector, TWidth>(TVector x, TVector y)
        where TWidth : IVectorWidth<TVector> => TWidth.Add(x, y);

    public static long Invoke(long x, long y) => x + y;
}

/// <summary>x - y (int64: wraps on overflow).</summary>
internal readonly struct SubtractOperator : IBinaryOperator, IInt64BinaryOperator
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector Invoke<TVector, TWidth>(TVector x, TVector y)
        where TWidth : IVectorWidth<TVector> => TWidth.Subtract(x, y);

    public static long Invoke(long x, long y) => x - y;
}

/// <summary>x * y (int64: wraps on overflow).</summary>
internal readonly struct MultiplyOperator : IBinaryOperator, IInt64BinaryOperator
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector Invoke<TVector, TWidth>(TVector x, TVector y)
        where TWidth : IVectorWidth<TVector> => TWidth.Multiply(x, y);

    public static long Invoke(long x, long y) => x * y;
}

/// <summary>x / y: IEEE division for floats; for int64, truncated toward zero, and 0 when y = 0 (rather than throwing).</summary>
internal readonly struct DivideOperator : IBinaryOperator, IInt64BinaryOperator
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector Invoke<TVector, TWidth>(TVector x, TVector y)
        where TWidth : IVectorWidth<TVector> => TWidth.Divide(x, y);

    public static long Invoke(long x, long y) => y == 0 ? 0 : x / y;
}
