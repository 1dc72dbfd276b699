namespace EdgeRnn.Runtime.Graph;

/// <summary>
/// One direction's weights of a recurrent node as the file holds them, in ONNX gate order: W [gates*H, I] and
/// R [gates*H, H] row-major (float, or int8 with one scale per row), the bias halves Wb and Rb (zeros when the node has
/// no B) and the peepholes (empty when it has none).
/// </summary>
internal readonly ref struct RecurrentDirectionWeights<T>
{
    public ReadOnlySpan<T> W { get; init; }

    public ReadOnlySpan<T> R { get; init; }

    /// <summary>Int8: the scale of each row of <see cref="W"/>.</summary>
    public ReadOnlySpan<float> WScales { get; init; }

    /// <summary>Int8: the scale of each row of <see cref="R"/>.</summary>
    public ReadOnlySpan<float> RScales { get; init; }

    public ReadOnlySpan<float> InputBias { get; init; }

    public ReadOnlySpan<float> RecurrentBias { get; init; }

    public ReadOnlySpan<float> Peepholes { get; init; }
}
