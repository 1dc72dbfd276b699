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

    /// <summary>
    /// <see cref="Step"/> for several independent streams at once, each with its x, h and c in its own frame
    /// (<paramref name="slots"/>): the matrix products of all streams run as one <see cref="Kernels.BatchedMatVec"/>
    /// per weight matrix, so every weight loaded serves every stream; each stream's h and c end bit-identical to
    /// <see cref="Step"/>'s.
    /// </summary>
    /// <param name="weights">The direction's float weights.</param>
    /// <param name="frames">One frame per stream.</param>
    /// <param name="slots">Where x, h and c are in each frame.</param>
    /// <param name="workspace">At least <see cref="StreamWorkspaceLength"/>(frames.Length) floats.</param>
    void StepStreams(RecurrentWeights weights, ReadOnlySpan<Frame> frames, in RecurrentStreamSlots slots, Span<float> workspace);

    /// <summary>The workspace floats <see cref="StepStreams"/> needs for <paramref name="streams"/> streams.</summary>
    long StreamWorkspaceLength(int streams);

    /// <summary>
    /// <see cref="StepInt8"/> for several streams at once: each stream's activations are quantized with its own scale as
    /// <see cref="StepInt8"/> quantizes them, the integer products of all streams run as one
    /// <see cref="Kernels.BatchedInt8MatVec"/> per matrix and each stream's float finish is the single-stream one, so each
    /// stream's h and c end bit-identical to <see cref="StepInt8"/>'s.
    /// </summary>
    void StepStreamsInt8(Int8RecurrentWeights weights, ReadOnlySpan<Frame> frames, in RecurrentStreamSlots slots, Span<float> workspace);

    /// <summary>The workspace floats <see cref="StepStreamsInt8"/> needs for <paramref name="streams"/> streams.</summary>
    long StreamWorkspaceLengthInt8(int streams);
}

/// <summary>Where one recurrent node's step input x, hidden state h and cell state c (if any) are in each stream's frame.</summary>
internal readonly struct RecurrentStreamSlots(PlanValue x, int inputSize, int hSlot, int cSlot, int hidden)
{
    /// <summary>x of the step (input size floats).</summary>
    public ReadOnlySpan<float> X(Frame frame) => x.Floats(frame).AsSpan(0, inputSize);

    /// <summary>h (hidden floats).</summary>
    public Span<float> H(Frame frame) => frame.Floats(hSlot).AsSpan(0, hidden);

    /// <summary>c (hidden floats), or empty for a cell without a cell state.</summary>
    public Span<float> C(Frame frame) => cSlot >= 0 ? frame.Floats(cSlot).AsSpan(0, hidden) : default;

    /// <summary>Writes [x_s; h_s] of every stream s as row s of <paramref name="xh"/> (rows of input size + hidden floats).</summary>
    public void GatherInputAndHidden(ReadOnlySpan<Frame> frames, Span<float> xh)
    {
        int columns = inputSize + hidden;
        for (int s = 0; s < frames.Length; s++)
        {
            X(frames[s]).CopyTo(xh.Slice(s * columns, inputSize));
            H(frames[s]).CopyTo(xh.Slice((s * columns) + inputSize, hidden));
        }
    }
}
