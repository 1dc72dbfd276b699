using System.Runtime.CompilerServices;

namespace EdgeRnn.Runtime.Kernels;

// Elementwise arithmetic operators, run over spans by BinaryLoop (destination[i] = x[i] op y[i], or x[i] op y) and
// chosen per graph node at plan time (Graph/BinaryKernel<TOp>).

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
