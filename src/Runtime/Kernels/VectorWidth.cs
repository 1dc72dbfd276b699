using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace EdgeRnn.Runtime.Kernels;

/// <summary>The widest SIMD width a kernel may use; it then finishes with narrower widths and a scalar tail.</summary>
/// <remarks>Public entry points pass <see cref="Vector512"/>; tests pass each width to check it against the scalar path.</remarks>
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
/// Loads, stores and broadcasts of one width, so that a loop driver is written once and instantiated per width. The
/// arithmetic is not here: it stays in each operator's per-width <c>Invoke</c> overloads, as in
/// <see cref="IUnaryOperator"/> (<c>ISimdVector&lt;TSelf, T&gt;</c>, which would allow more, is not public).
/// </summary>
/// <typeparam name="TVector">float, Vector128&lt;float&gt;, Vector256&lt;float&gt; or Vector512&lt;float&gt;.</typeparam>
internal interface IVectorWidth<TVector> : IVectorWidth
{
    static abstract TVector Create(float value);

    static abstract TVector Load(ref float source, nuint offset);

    static abstract void Store(TVector value, ref float destination, nuint offset);
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
}
