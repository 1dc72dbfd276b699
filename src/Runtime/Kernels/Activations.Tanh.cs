using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace EdgeRnn.Runtime.Kernels;

/// <summary>Fast activation functions for recurrent cells: tanh, the logistic sigmoid and ReLU.</summary>
internal static partial class Activations
{
    /// <summary>destination[i] = tanh(x[i]) (see <see cref="Tanh(float)"/>); x and destination may be the same span.</summary>
    public static void Tanh(ReadOnlySpan<float> x, Span<float> destination) => UnaryLoop.Invoke<TanhOperator>(x, destination);

    /// <summary>
    /// tanh(x) by a rational approximation: x clamped to ±7.99881172, then x·P(x²)/Q(x²) with an odd numerator of
    /// degree 13 and an even denominator of degree 6.
    /// </summary>
    /// <remarks>
    /// The coefficients and the clamp are those of Eigen's <c>generic_fast_tanh_float</c>
    /// (Eigen/src/Core/MathFunctionsImpl.h, Mozilla Public License 2.0), also used by ONNX Runtime's MLAS
    /// (onnxruntime/core/mlas/lib/tanh.cpp, MIT licence). Evaluated with fused multiply-adds (Horner) and one IEEE
    /// division; the scalar and vector forms use the same operations and agree bit for bit.
    /// Measured maximum absolute error against double-precision <see cref="Math.Tanh(double)"/> on a dense grid over
    /// [-20, 20] with step 1/4096 (ActivationsTests): 2.53e-7, at |x| ≈ 5.11 (about 4 ulp of values near 1); the tests
    /// hold it to 2.6e-7.
    /// NaN gives NaN.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Tanh(float x) => TanhOperator.Invoke(x);

    /// <inheritdoc cref="Tanh(float)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Tanh(Vector128<float> x) => TanhOperator.Invoke(x);

    /// <inheritdoc cref="Tanh(float)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Tanh(Vector256<float> x) => TanhOperator.Invoke(x);

    /// <inheritdoc cref="Tanh(float)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Tanh(Vector512<float> x) => TanhOperator.Invoke(x);
}

/// <summary>tanh(x) = x·P(x²)/Q(x²), Eigen / MLAS coefficients; see <see cref="Activations.Tanh(float)"/>.</summary>
internal readonly struct TanhOperator : IUnaryOperator
{
    internal const float Clamp = 7.99881172180175781f;
    private const float Alpha1 = 4.89352455891786e-03f;
    private const float Alpha3 = 6.37261928875436e-04f;
    private const float Alpha5 = 1.48572235717979e-05f;
    private const float Alpha7 = 5.12229709037114e-08f;
    private const float Alpha9 = -8.60467152213735e-11f;
    private const float Alpha11 = 2.00018790482477e-13f;
    private const float Alpha13 = -2.76076847742355e-16f;
    private const float Beta0 = 4.89352518554385e-03f;
    private const float Beta2 = 2.26843463243900e-03f;
    private const float Beta4 = 1.18534705686654e-04f;
    private const float Beta6 = 1.19825839466702e-06f;

    public static bool Vectorizable => true;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Invoke(float x)
    {
        x = Math.Clamp(x, -Clamp, Clamp);
        float x2 = x * x;
        float p = MathF.FusedMultiplyAdd(x2, Alpha13, Alpha11);
        p = MathF.FusedMultiplyAdd(x2, p, Alpha9);
        p = MathF.FusedMultiplyAdd(x2, p, Alpha7);
        p = MathF.FusedMultiplyAdd(x2, p, Alpha5);
        p = MathF.FusedMultiplyAdd(x2, p, Alpha3);
        p = MathF.FusedMultiplyAdd(x2, p, Alpha1);
        p *= x;
        float q = MathF.FusedMultiplyAdd(x2, Beta6, Beta4);
        q = MathF.FusedMultiplyAdd(x2, q, Beta2);
        q = MathF.FusedMultiplyAdd(x2, q, Beta0);
        return p / q;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Invoke(Vector128<float> x)
    {
        x = Vector128.Clamp(x, Vector128.Create(-Clamp), Vector128.Create(Clamp));
        Vector128<float> x2 = x * x;
        Vector128<float> p = Vector128.FusedMultiplyAdd(x2, Vector128.Create(Alpha13), Vector128.Create(Alpha11));
        p = Vector128.FusedMultiplyAdd(x2, p, Vector128.Create(Alpha9));
        p = Vector128.FusedMultiplyAdd(x2, p, Vector128.Create(Alpha7));
        p = Vector128.FusedMultiplyAdd(x2, p, Vector128.Create(Alpha5));
        p = Vector128.FusedMultiplyAdd(x2, p, Vector128.Create(Alpha3));
        p = Vector128.FusedMultiplyAdd(x2, p, Vector128.Create(Alpha1));
        p *= x;
        Vector128<float> q = Vector128.FusedMultiplyAdd(x2, Vector128.Create(Beta6), Vector128.Create(Beta4));
        q = Vector128.FusedMultiplyAdd(x2, q, Vector128.Create(Beta2));
        q = Vector128.FusedMultiplyAdd(x2, q, Vector128.Create(Beta0));
        return p / q;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Invoke(Vector256<float> x)
    {
        x = Vector256.Clamp(x, Vector256.Create(-Clamp), Vector256.Create(Clamp));
        Vector256<float> x2 = x * x;
        Vector256<float> p = Vector256.FusedMultiplyAdd(x2, Vector256.Create(Alpha13), Vector256.Create(Alpha11));
        p = Vector256.FusedMultiplyAdd(x2, p, Vector256.Create(Alpha9));
        p = Vector256.FusedMultiplyAdd(x2, p, Vector256.Create(Alpha7));
        p = Vector256.FusedMultiplyAdd(x2, p, Vector256.Create(Alpha5));
        p = Vector256.FusedMultiplyAdd(x2, p, Vector256.Create(Alpha3));
        p = Vector256.FusedMultiplyAdd(x2, p, Vector256.Create(Alpha1));
        p *= x;
        Vector256<float> q = Vector256.FusedMultiplyAdd(x2, Vector256.Create(Beta6), Vector256.Create(Beta4));
        q = Vector256.FusedMultiplyAdd(x2, q, Vector256.Create(Beta2));
        q = Vector256.FusedMultiplyAdd(x2, q, Vector256.Create(Beta0));
        return p / q;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Invoke(Vector512<float> x)
    {
        x = Vector512.Clamp(x, Vector512.Create(-Clamp), Vector512.Create(Clamp));
        Vector512<float> x2 = x * x;
        Vector512<float> p = Vector512.FusedMultiplyAdd(x2, Vector512.Create(Alpha13), Vector512.Create(Alpha11));
        p = Vector512.FusedMultiplyAdd(x2, p, Vector512.Create(Alpha9));
        p = Vector512.FusedMultiplyAdd(x2, p, Vector512.Create(Alpha7));
        p = Vector512.FusedMultiplyAdd(x2, p, Vector512.Create(Alpha5));
        p = Vector512.FusedMultiplyAdd(x2, p, Vector512.Create(Alpha3));
        p = Vector512.FusedMultiplyAdd(x2, p, Vector512.Create(Alpha1));
        p *= x;
        Vector512<float> q = Vector512.FusedMultiplyAdd(x2, Vector512.Create(Beta6), Vector512.Create(Beta4));
        q = Vector512.FusedMultiplyAdd(x2, q, Vector512.Create(Beta2));
        q = Vector512.FusedMultiplyAdd(x2, q, Vector512.Create(Beta0));
        return p / q;
    }
}
