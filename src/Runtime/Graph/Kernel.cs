namespace EdgeRnn.Runtime.Graph;

/// <summary>One step of an execution plan: a node's computation over frame slots and folded constants.</summary>
internal abstract class Kernel
{
    protected Kernel(string nodeName) => NodeName = nodeName;

    /// <summary>The graph node this kernel runs, for error messages.</summary>
    public string NodeName { get; }

    /// <summary>Multiply-adds one execution performs in its matrix products (for throughput reports), 0 for data movement.</summary>
    public virtual long MultiplyAdds => 0;

    /// <summary>Runs the kernel. Must not allocate on the managed heap.</summary>
    public abstract void Execute(Frame frame);

    /// <summary>
    /// Runs the kernel once in each frame of <paramref name="frames"/>: independent streams of the same plan (see
    /// <see cref="ExecutionPlan.ExecuteStreams"/>). By default one <see cref="Execute"/> per frame; a kernel whose work
    /// can share its weights across the streams (a recurrent step) overrides it, with the same result in every frame.
    /// Must not allocate on the managed heap.
    /// </summary>
    /// <param name="frames">One frame per stream.</param>
    /// <param name="workspace">At least <see cref="StreamWorkspaceLength"/>(frames.Length) floats, shared by every kernel of the plan.</param>
    public virtual void ExecuteStreams(ReadOnlySpan<Frame> frames, Span<float> workspace)
    {
        foreach (Frame frame in frames)
        {
            Execute(frame);
        }
    }

    /// <summary>The workspace floats <see cref="ExecuteStreams"/> needs for <paramref name="streams"/> streams.</summary>
    public virtual long StreamWorkspaceLength(int streams) => 0;
}
