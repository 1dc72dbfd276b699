using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace EdgeRnn.Runtime.Kernels;

/// <summary>
/// Elementwise arithmetic on spans. The destination may be the very same span as an input; x and y must have the same
/// length and the destination must be at least as long.
/// </summary>
internal static class Elementwise
{
    /// <summary>destination[i] = x[i] + y[i].</summary>
    public static void Add(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> destination) => BinaryLoop.Invoke<AddOperator>(x, y, destination);

    /// <summary>destination[i] = x[i] + y.</summary>
    public static void Add(ReadOnlySpan<float> x, float y, Span<float> destination) => BinaryLoop.Invoke<AddOperator>(x, y, destination);

    /// <summary>destination[i] = x[i] - y[i].</summary>
    public static void Subtract(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> destination) => BinaryLoop.Invoke<SubtractOperator>(x, y, destination);

    /// <summary>destination[i] = x[i] - y.</summary>
    public static void Subtract(ReadOnlySpan<float> x, float y, Span<float> destination) => BinaryLoop.Invoke<SubtractOperator>(x, y, destination);

    /// <summary>destination[i] = x[i] * y[i].</summary>
    public static void Multiply(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> destination) => BinaryLoop.Invoke<MultiplyOperator>(x, y, destination);

    /// <summary>destination[i] = x[i] * y.</summary>
    public static void Multiply(ReadOnlySpan<float> x, float y, Span<float> destination) => BinaryLoop.Invoke<MultiplyOperator>(x, y, destination);

    /// <summary>destination[i] = x[i] / y[i] (IEEE division).</summary>
    public static void Divide(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> destination) => BinaryLoop.Invoke<DivideOperator>(x, y, destination);

    /// <summary>destination[i] = x[i] / y (IEEE division).</summary>
    public static void Divide(ReadOnlySpan<float> x, float y, Span<float> destination) => BinaryLoop.Invoke<DivideOperator>(x, y, destination);
}

/// <summary>x + y.</summary>
internal readonly struct AddOperator : IBinaryOperator
{
    public static bool Vectorizable => true;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Invoke(float x, float y) => x + y;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Invoke(Vector128<float> x, Vector128<float> y) => x + y;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Invoke(Vector256<float> x, Vector256<float> y) => x + y;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Invoke(Vector512<float> x, Vector512<float> y) => x + y;
}

/// <summary>x - y.</summary>
internal readonly struct SubtractOperator : IBinaryOperator
{
    public static bool Vectorizable => true;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Invoke(float x, float y) => x - y;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Invoke(Vector128<float> x, Vector128<float> y) => x - y;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Invoke(Vector256<float> x, Vector256<float> y) => x - y;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Invoke(Vector512<float> x, Vector512<float> y) => x - y;
}

/// <summary>x * y.</summary>
internal readonly struct MultiplyOperator : IBinaryOperator
{
    public static bool Vectorizable => true;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Invoke(float x, float y) => x * y;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Invoke(Vector128<float> x, Vector128<float> y) => x * y;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Invoke(Vector256<float> x, Vector256<float> y) => x * y;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Invoke(Vector512<float> x, Vector512<float> y) => x * y;
}

/// <summary>x / y.</summary>
internal readonly struct DivideOperator : IBinaryOperator
{
    public static bool Vectorizable => true;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Invoke(float x, float y) => x / y;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Invoke(Vector128<float> x, Vector128<float> y) => x / y;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Invoke(Vector256<float> x, Vector256<float> y) => x / y;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Invoke(Vector512<float> x, Vector512<float> y) => x / y;
}
