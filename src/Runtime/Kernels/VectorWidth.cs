using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace EdgeRnn.Runtime.Kernels;

/// <summary>The widest SIMD width a kernel may use; it then finishes with narrower widths and a scalar tail.</summary>
/// <remarks>
/// The one test hook for widths: every kernel entry point has an internal form taking <c>SimdWidth maxWidth</c>.
/// Public entry points pass <see cref="Vector512"/> (every width the machine accelerates); tests pass each width, and
/// <see cref="Scalar"/>, to check the SIMD paths against the scalar one.
/// </remarks>
internal enum SimdWidth
{
    Scalar = 0,
    Vector128 = 128,
    Vector256 = 256,
    Vector512 = 512,
}

/// <summary>One SIMD width (or the scalar "width" of one float): whether it may run, and its lane count.</summary>
internal interface IVectorWidth
{
    static abstract SimdWidth Width { get; }

    static abstract bool IsHardwareAccelerated { get; }

    static abstract int Count { get; }
}

/// <summary>
/// Loads, stores, broadcasts and the lane-wise arithmetic of one width, so that each operator body and each loop is
/// written once, generic over the width, and the JIT specializes it per width (static abstract members: no virtual
/// calls). A stand-in for <c>ISimdVector&lt;TSelf, T&gt;</c>, which is internal in .NET 10.
/// </summary>
/// <remarks>
/// Every member computes lane by lane what its scalar form (<see cref="ScalarWidth"/>) computes for one float, with the
/// same IEEE 754 rounding, so an operator gives bit-identical results at every width.
/// </remarks>
/// <typeparam name="TVector">float, Vector128&lt;float&gt;, Vector256&lt;float&gt; or Vector512&lt;float&gt;.</typeparam>
internal interface IVectorWidth<TVector> : IVectorWidth
{
    /// <summary>value in every lane.</summary>
    static abstract TVector Create(float value);

    /// <summary>The <see cref="IVectorWidth.Count"/> floats at source[offset...].</summary>
    static abstract TVector Load(ref float source, nuint offset);

    /// <summary>Writes value to destination[offset...].</summary>
    static abstract void Store(TVector value, ref float destination, nuint offset);

    /// <summary>x + y.</summary>
    static abstract TVector Add(TVector x, TVector y);

    /// <summary>x - y.</summary>
    static abstract TVector Subtract(TVector x, TVector y);

    /// <summary>x * y.</summary>
    static abstract TVector Multiply(TVector x, TVector y);

    /// <summary>x / y (IEEE division).</summary>
    static abstract TVector Divide(TVector x, TVector y);

    /// <summary>x * y + addend with a single rounding.</summary>
    static abstract TVector FusedMultiplyAdd(TVector x, TVector y, TVector addend);

    /// <summary>max(x, y) with IEEE 754:2019 maximum semantics (NaN propagates, max(-0, +0) = +0).</summary>
    static abstract TVector Max(TVector x, TVector y);

    /// <summary>
    /// x clamped to [min, max] as <see cref="Math.Clamp(float, float, float)"/> does it: min where x &lt; min, max where
    /// x &gt; max, otherwise x (so NaN stays NaN). min and max must not be NaN and min &lt;= max.
    /// </summary>
    /// <remarks>
    /// The vector forms are max then min with the platform's native semantics (x86 <c>maxps</c>/<c>minps</c>, ARM64
    /// <c>fmax</c>/<c>fmin</c>), the bound as the first operand so that a NaN x is passed through: two instructions
    /// where the IEEE 754:2019 <c>Vector512.Clamp</c> needs six when its bounds are not JIT-time constants. They agree
    /// with <see cref="Math.Clamp(float, float, float)"/> everywhere except, on ARM64, for a zero bound and an x of the
    /// other zero sign (no kernel clamps to a zero bound).
    /// </remarks>
    static abstract TVector Clamp(TVector x, TVector min, TVector max);
}

internal readonly struct ScalarWidth : IVectorWidth<float>
{
    public static SimdWidth Width => SimdWidth.Scalar;

    public static bool IsHardwareAccelerated => true;

    public static int Count => 1;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Create(float value) => value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Load(ref float source, nuint offset) => Unsafe.Add(ref source, offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(float value, ref float destination, nuint offset) => Unsafe.Add(ref destination, offset) = value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Add(float x, float y) => x + y;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Subtract(float x, float y) => x - y;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Multiply(float x, float y) => x * y;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Divide(float x, float y) => x / y;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float FusedMultiplyAdd(float x, float y, float addend) => MathF.FusedMultiplyAdd(x, y, addend);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Max(float x, float y) => MathF.Max(x, y);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Clamp(float x, float min, float max) => Math.Clamp(x, min, max);
}

internal readonly struct Vector128Width : IVectorWidth<Vector128<float>>
{
    public static SimdWidth Width => SimdWidth.Vector128;

    public static bool IsHardwareAccelerated => Vector128.IsHardwareAccelerated;

    public static int Count => Vector128<float>.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Create(float value) => Vector128.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Load(ref float source, nuint offset) => Vector128.LoadUnsafe(ref source, offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector128<float> value, ref float destination, nuint offset) => value.StoreUnsafe(ref destination, offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Add(Vector128<float> x, Vector128<float> y) => x + y;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Subtract(Vector128<float> x, Vector128<float> y) => x - y;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Multiply(Vector128<float> x, Vector128<float> y) => x * y;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Divide(Vector128<float> x, Vector128<float> y) => x / y;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> FusedMultiplyAdd(Vector128<float> x, Vector128<float> y, Vector128<float> addend) => Vector128.FusedMultiplyAdd(x, y, addend);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Max(Vector128<float> x, Vector128<float> y) => Vector128.Max(x, y);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Clamp(Vector128<float> x, Vector128<float> min, Vector128<float> max) => Vector128.MinNative(max, Vector128.MaxNative(min, x));
}

internal readonly struct Vector256Width : IVectorWidth<Vector256<float>>
{
    public static SimdWidth Width => SimdWidth.Vector256;

    public static bool IsHardwareAccelerated => Vector256.IsHardwareAccelerated;

    public static int Count => Vector256<float>.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Create(float value) => Vector256.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Load(ref float source, nuint offset) => Vector256.LoadUnsafe(ref source, offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector256<float> value, ref float destination, nuint offset) => value.StoreUnsafe(ref destination, offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Add(Vector256<float> x, Vector256<float> y) => x + y;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Subtract(Vector256<float> x, Vector256<float> y) => x - y;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Multiply(Vector256<float> x, Vector256<float> y) => x * y;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Divide(Vector256<float> x, Vector256<float> y) => x / y;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> FusedMultiplyAdd(Vector256<float> x, Vector256<float> y, Vector256<float> addend) => Vector256.FusedMultiplyAdd(x, y, addend);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Max(Vector256<float> x, Vector256<float> y) => Vector256.Max(x, y);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Clamp(Vector256<float> x, Vector256<float> min, Vector256<float> max) => Vector256.MinNative(max, Vector256.MaxNative(min, x));
}

internal readonly struct Vector512Width : IVectorWidth<Vector512<float>>
{
    public static SimdWidth Width => SimdWidth.Vector512;

    public static bool IsHardwareAccelerated => Vector512.IsHardwareAccelerated;

    public static int Count => Vector512<float>.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Create(float value) => Vector512.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Load(ref float source, nuint offset) => Vector512.LoadUnsafe(ref source, offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector512<float> value, ref float destination, nuint offset) => value.StoreUnsafe(ref destination, offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Add(Vector512<float> x, Vector512<float> y) => x + y;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Subtract(Vector512<float> x, Vector512<float> y) => x - y;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Multiply(Vector512<float> x, Vector512<float> y) => x * y;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Divide(Vector512<float> x, Vector512<float> y) => x / y;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> FusedMultiplyAdd(Vector512<float> x, Vector512<float> y, Vector512<float> addend) => Vector512.FusedMultiplyAdd(x, y, addend);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Max(Vector512<float> x, Vector512<float> y) => Vector512.Max(x, y);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Clamp(Vector512<float> x, Vector512<float> min, Vector512<float> max) => Vector512.MinNative(max, Vector512.MaxNative(min, x));
}
