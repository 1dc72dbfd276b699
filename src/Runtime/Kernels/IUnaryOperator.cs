namespace EdgeRnn.Runtime.Kernels;

/// <summary>An elementwise operation f(x), written once over the width and specialized by the JIT per struct and width.</summary>
internal interface IUnaryOperator
{
    static abstract TVector Invoke<TVector, TWidth>(TVector x)
        where TWidth : IVectorWidth<TVector>;
}

/// <summary>An elementwise operation f(x, y), written once over the width and specialized by the JIT per struct and width.</summary>
internal interface IBinaryOperator
{
    static abstract TVector Invoke<TVector, TWidth>(TVector x, TVector y)
        where TWidth : IVectorWidth<TVector>;
}
