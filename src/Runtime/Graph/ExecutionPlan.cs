namespace EdgeRnn.Runtime.Graph;

/// <summary>
/// An immutable, shareable plan for one set of input shapes: slot sizes, kernels in order, where the graph inputs
/// go and where the outputs come from. Executions happen in a <see cref="Frame"/>.
/// </summary>
internal sealed class ExecutionPlan
{
    private readonly Kernel[] _kernels;

    public ExecutionPlan(SlotInfo[] slots, Kernel[] kernels, PlanValue[] inputs, PlanValue[] outputs, StateSlot[] stateSlots)
    {
        Slots = slots;
        _kernels = kernels;
        Inputs = inputs;
        Outputs = outputs;
        StateSlots = stateSlots;
    }

    public IReadOnlyList<SlotInfo> Slots { get; }

    public IReadOnlyList<PlanValue> Inputs { get; }

    public IReadOnlyList<PlanValue> Outputs { get; }

    public IReadOnlyList<StateSlot> StateSlots { get; }

    public int KernelCount => _kernels.Length;

    /// <summary>The bytes planning charged to the load budget (folded constants, slots, packed weights): what keeping this plan holds.</summary>
    public long PlannedBytes { get; init; }

    /// <summary>Multiply-adds of one execution's matrix products.</summary>
    public long MultiplyAdds => _kernels.Sum(k => k.MultiplyAdds);

    public Frame CreateFrame() => new(Slots, allocateAll: true);

    public void Execute(Frame frame)
    {
        foreach (Kernel k in _kernels)
        {
            k.Execute(frame);
        }
    }

    /// <summary>
    /// Executes the plan once in each of <paramref name="frames"/> (independent streams), kernel by kernel across all the
    /// frames, so a kernel can share its weights between the streams (<see cref="Kernel.ExecuteStreams"/>). Each frame
    /// ends as <see cref="Execute"/> would leave it.
    /// </summary>
    /// <param name="frames">One frame per stream, each from <see cref="CreateFrame"/>.</param>
    /// <param name="workspace">At least <see cref="StreamWorkspaceLength"/>(frames.Length) floats.</param>
    public void ExecuteStreams(ReadOnlySpan<Frame> frames, Span<float> workspace)
    {
        foreach (Kernel k in _kernels)
        {
            k.ExecuteStreams(frames, workspace);
        }
    }

    /// <summary>The workspace floats <see cref="ExecuteStreams"/> needs for <paramref name="streams"/> streams: the most any kernel needs.</summary>
    public long StreamWorkspaceLength(int streams)
    {
        long length = 0;
        foreach (Kernel k in _kernels)
        {
            length = Math.Max(length, k.StreamWorkspaceLength(streams));
        }

        return length;
    }

    /// <summary>Puts every carried state slot back to its initial value.</summary>
    public void ResetState(Frame frame)
    {
        foreach (StateSlot s in StateSlots)
        {
            float[] buffer = frame.Floats(s.Slot);
            if (s.Initial is null)
            {
                Array.Clear(buffer);
            }
            else
            {
                s.Initial.CopyTo(buffer, 0);
            }
        }
    }
}
