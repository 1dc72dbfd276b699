using System.Runtime.CompilerServices;

namespace EdgeRnn.Runtime.Kernels;

/// <summary>Fast activation functions for recurrent cells: tanh, the logistic sigmoid and ReLU.</summary>
internal static partial class Activations
{
    /// <summary>destination[i] = tanh(x[i]) (see <see cref="Tanh(float)"/>); x and destination may be the same span.</summary>
    public static void Tanh(ReadOnlySpan<float> x, Span<float> destination) => UnaryLoop.Invoke<TanhOperator>(x, destination, SimdWidth.Vector512);

    /// <summary>
    /// tanh(x) by a rational approximation: x clamped to ±7.99881172, then x·P(x²)/Q(x²) with an odd numerator of
    /// degree 13 and an even denominator of degree 6.
    /// </summary>
    /// <remarks>
    /// The coefficients and the clamp are those of Eigen's <c>generic_fast_tanh_float</c>
    /// (Eigen/src/Core/MathFunctionsImpl.h, Mozilla Public License 2.0), also used by ONNX Runtime's MLAS
    /// (onnxruntime/core/mlas/lib/tanh.cpp, MIT licence). Evaluated with fused multiply-adds (Horner) and one IEEE
    /// division; written once over the width (<see cref="TanhOperator"/>), so every width agrees bit for bit with this
    /// scalar form.
    /// Measured maximum absolute error against double-precision <see cref="Math.Tanh(double)"/> on a dense grid over
    /// [-20, 20] with step 1/4096 (ActivationsTests): 2.53e-7, at |x| ≈ 5.11 (about 4 ulp of values near 1); the tests
    /// hold it to 2.6e-7.
    /// NaN gives NaN.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Tanh(float x) => TanhOperator.Invoke<float, ScalarWidth>(x);
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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector Invoke<TVector, TWidth>(TVector x)
        where TWidth : IVectorWidth<TVector>
    {
        x = TWidth.Clamp(x, TWidth.Create(-Clamp), TWidth.Create(Clamp));
        TVector x2 = TWidth.Multiply(x, x);
        TVector p = TWidth.FusedMultiplyAdd(x2, TWidth.Create(Alpha13), TWidth.Create(Alpha11));
        p = TWidth.FusedMultiplyAdd(x2, p, TWidth.Create(Alpha9));
        p = TWidth.FusedMultiplyAdd(x2, p, TWidth.Create(Alpha7));
        p = TWidth.FusedMultiplyAdd(x2, p, TWidth.Create(Alpha5));
        p = TWidth.FusedMultiplyAdd(x2, p, TWidth.Create(Alpha3));
        p = TWidth.FusedMultiplyAdd(x2, p, TWidth.Create(Alpha1));
        p = TWidth.Multiply(p, x);
        TVector q = TWidth.FusedMultiplyAdd(x2, TWidth.Create(Beta6), TWidth.Create(Beta4));
        q = TWidth.FusedMultiplyAdd(x2, q, TWidth.Create(Beta2));
        q = TWidth.FusedMultiplyAdd(x2, q, TWidth.Create(Beta0));
        return TWidth.Divide(p, q);
    }
}
