using System.Runtime.Intrinsics;

namespace EdgeRnn.Runtime.Kernels;

/// <summary>An elementwise operation f(x), specialized by the JIT for each implementing struct.</summary>
internal interface IUnaryOperator
{
    /// <summary>False when only <see cref="Invoke(float)"/> may be used.</summary>
    static abstract bool Vectorizable { get; }

    static abstract float Invoke(float x);

    static abstract Vector128<float> Invoke(Vector128<float> x);

    static abstract Vector256<float> Invoke(Vector256<float> x);

    static abstract Vector512<float> Invoke(Vector512<float> x);
}

/// <summary>An elementwise operation f(x, y), specialized by the JIT for each implementing struct.</summary>
internal interface IBinaryOperator
{
    /// <summary>False when only <see cref="Invoke(float, float)"/> may be used.</summary>
    static abstract bool Vectorizable { get; }

    static abstract float Invoke(float x, float y);

    static abstract Vector128<float> Invoke(Vector128<float> x, Vector128<float> y);

    static abstract Vector256<float> Invoke(Vector256<float> x, Vector256<float> y);

    static abstract Vector512<float> Invoke(Vector512<float> x, Vector512<float> y);
}
