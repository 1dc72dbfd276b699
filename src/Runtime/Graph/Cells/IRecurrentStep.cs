namespace EdgeRnn.Runtime.Graph;

/// <summary>
/// One time step of a cell for one direction and batch row, over either weight format. Implemented by a readonly
/// struct per cell that holds the node's sizes and options: <see cref="RecurrentKernel{TStep}"/> is specialized for it,
/// so the per-step call is direct (no virtual call, no type test) and may be inlined. Must not allocate.
/// </summary>
internal interface IRecurrentStep
{
    /// <summary>Advances h (and c for cells with a cell state) by input <paramref name="x"/> with float weights.</summary>
    void Step(RecurrentWeights weights, ReadOnlySpan<float> x, Span<float> h, Span<float> c, Span<float> scratch);

    /// <summary>The same step with int8 weights: x and h are quantized once per step and multiplied as integers.</summary>
    void StepInt8(Int8RecurrentWeights weights, ReadOnlySpan<float> x, Span<float> h, Span<float> c, Span<float> scratch);
}
