using EdgeRnn.Runtime.Kernels;

namespace EdgeRnn.Runtime.Graph;

/// <summary>Immutable per-direction weights of a recurrent node, packed for the mat-vec kernels.</summary>
internal sealed class RecurrentWeights
{
    /// <summary>LSTM / RNN: [W | R] as one matrix over [x; h]. GRU: W alone.</summary>
    public required PackedMatrix Input { get; init; }

    /// <summary>GRU: R (linear_before_reset = 1) or R_zr (= 0). Null for LSTM / RNN.</summary>
    public PackedMatrix? Recurrent { get; init; }

    /// <summary>GRU with linear_before_reset = 0: R_h, applied to r ⊙ h.</summary>
    public PackedMatrix? RecurrentHidden { get; init; }

    /// <summary>LSTM / RNN: Wb + Rb. GRU: Wb.</summary>
    public required float[] InputBias { get; init; }

    /// <summary>GRU: Rb (3H).</summary>
    public float[]? RecurrentBias { get; init; }

    /// <summary>LSTM peepholes (P_i, P_o, P_f), or null.</summary>
    public float[]? Peepholes { get; init; }
}

/// <summary>What planning a recurrent node decided: everything its kernel needs.</summary>
internal sealed class RecurrentNodePlan
{
    public required string NodeName { get; init; }

    public required RecurrentCell Cell { get; init; }

    public required RecurrentCellAttributes Attributes { get; init; }

    /// <summary>Float weights per direction (placeholders when <see cref="Int8Weights"/> is set).</summary>
    public required RecurrentWeights[] Weights { get; init; }

    /// <summary>When set, the node runs integer kernels with these weights (one per direction).</summary>
    public Int8RecurrentWeights[]? Int8Weights { get; init; }

    public required bool[] Reverse { get; init; }

    public required int Hidden { get; init; }

    public required int InputSize { get; init; }

    public required int Seq { get; init; }

    public required int Batch { get; init; }

    public required int Layout { get; init; }

    public required float Clip { get; init; }

    /// <summary>A calibrated scale for X (static qdq), or 0: X is quantized from its own range each step.</summary>
    public float InputStaticScale { get; init; }

    public required PlanValue X { get; init; }

    public PlanValue? SequenceLens { get; init; }

    public PlanValue? InitialH { get; init; }

    public PlanValue? InitialC { get; init; }

    public required int HSlot { get; init; }

    /// <summary>The cell state's slot, or -1 for cells without one.</summary>
    public required int CSlot { get; init; }

    public required int ScratchSlot { get; init; }

    /// <summary>Streaming with constant initial state: h and c are carried from step to step.</summary>
    public bool Carry { get; init; }

    public PlanValue? Y { get; init; }

    public PlanValue? Yh { get; init; }

    public PlanValue? Yc { get; init; }
}

/// <summary>
/// Runs an ONNX recurrent node over its whole input sequence (or one step in a streaming plan), for every direction
/// and batch row, honouring layout, sequence_lens, initial states, clip and peepholes; the cell's own step is
/// <see cref="RecurrentKernel{TStep}"/>'s. The working state lives in frame slots laid out [direction, batch, hidden];
/// in a streaming plan with constant initial state those slots are carried from step to step.
/// </summary>
internal abstract partial class RecurrentKernel : Kernel
{
    private readonly RecurrentCell _cell;
    private protected readonly RecurrentWeights[] _weights;
    private protected readonly Int8RecurrentWeights[]? _int8Weights;
    private protected readonly bool[] _reverse;
    private protected readonly int _hidden;
    private protected readonly int _inputSize;
    private protected readonly int _seq;
    private protected readonly int _batch;
    private protected readonly int _layout;
    private protected readonly PlanValue _x;
    private protected readonly PlanValue? _sequenceLens;
    private readonly PlanValue? _initialH;
    private readonly PlanValue? _initialC;
    private protected readonly int _hSlot;
    private protected readonly int _cSlot;
    private protected readonly int _scratchSlot;
    private protected readonly bool _carry;
    private protected readonly PlanValue? _y;
    private protected readonly PlanValue? _yh;
    private protected readonly PlanValue? _yc;

    private protected RecurrentKernel(RecurrentNodePlan plan)
        : base(plan.NodeName)
    {
        _cell = plan.Cell;
        _weights = plan.Weights;
        _int8Weights = plan.Int8Weights;
        _reverse = plan.Reverse;
        _hidden = plan.Hidden;
        _inputSize = plan.InputSize;
        _seq = plan.Seq;
        _batch = plan.Batch;
        _layout = plan.Layout;
        _x = plan.X;
        _sequenceLens = plan.SequenceLens;
        _initialH = plan.InitialH;
        _initialC = plan.InitialC;
        _hSlot = plan.HSlot;
        _cSlot = plan.CSlot;
        _scratchSlot = plan.ScratchSlot;
        _carry = plan.Carry;
        _y = plan.Y;
        _yh = plan.Yh;
        _yc = plan.Yc;
    }

    /// <summary>The cell's multiply-adds per direction, batch row and step, whatever the weights' precision.</summary>
    public override long MultiplyAdds => (long)_weights.Length * _cell.MultiplyAdds(_hidden, _inputSize) * _seq * _batch;

    /// <summary>Loads h (and c) from the initial-state inputs, or zeros, unless the plan carries them.</summary>
    private protected void LoadInitialStates(Frame frame, Span<float> h, Span<float> c)
    {
        if (_carry)
        {
            return;
        }

        LoadInitial(frame, _initialH, h);
        if (_cSlot >= 0)
        {
            LoadInitial(frame, _initialC, c);
        }
    }

    /// <summary>Copies an initial state (layout 0: [dir, batch, H]; layout 1: [batch, dir, H]) into [dir, batch, H].</summary>
    private void LoadInitial(Frame frame, PlanValue? initial, Span<float> state)
    {
        if (initial is null)
        {
            state.Clear();
            return;
        }

        float[] src = initial.Floats(frame);
        if (_layout == 0)
        {
            src.AsSpan(0, state.Length).CopyTo(state);
            return;
        }

        int dirs = _weights.Length;
        for (int d = 0; d < dirs; d++)
        {
            for (int b = 0; b < _batch; b++)
            {
                src.AsSpan(((b * dirs) + d) * _hidden, _hidden).CopyTo(state.Slice(((d * _batch) + b) * _hidden, _hidden));
            }
        }
    }

    private protected void StoreFinal(Span<float> state, float[] destination)
    {
        if (_layout == 0)
        {
            state.CopyTo(destination);
            return;
        }

        int dirs = _weights.Length;
        for (int d = 0; d < dirs; d++)
        {
            for (int b = 0; b < _batch; b++)
            {
                state.Slice(((d * _batch) + b) * _hidden, _hidden).CopyTo(destination.AsSpan(((b * dirs) + d) * _hidden, _hidden));
            }
        }
    }
}

/// <summary>A <see cref="RecurrentKernel"/> specialized for one cell's step (a struct, so the JIT and NativeAOT compile the loop for it).</summary>
internal sealed class RecurrentKernel<TStep> : RecurrentKernel
    where TStep : struct, IRecurrentStep
{
    private readonly TStep _step;

    public RecurrentKernel(RecurrentNodePlan plan, TStep step)
        : base(plan) => _step = step;

    /// <summary>
    /// True when <see cref="ExecuteStreams"/> can step the streams together: one step of one batch row and one
    /// direction (a streaming plan's recurrent node) without sequence_lens, with float weights, or int8 weights where
    /// <see cref="BatchedInt8MatVec.IsBatched"/> (elsewhere the batched integer product would only loop over the streams,
    /// so each stream's frame runs <see cref="Execute"/>, as it does for every other node).
    /// </summary>
    private bool CanStepStreams =>
        _weights.Length == 1 && _batch == 1 && _seq == 1 && _sequenceLens is null && (_int8Weights is null || BatchedInt8MatVec.IsBatched);

    public override long StreamWorkspaceLength(int streams) =>
        !CanStepStreams ? 0 : _int8Weights is null ? _step.StreamWorkspaceLength(streams) : _step.StreamWorkspaceLengthInt8(streams);

    public override void ExecuteStreams(ReadOnlySpan<Frame> frames, Span<float> workspace)
    {
        if (!CanStepStreams || frames.Length < 2)
        {
            base.ExecuteStreams(frames, workspace);
            return;
        }

        // As Execute does for one step of one row: initial states, the step, then Y, Y_h and Y_c (all [1, 1, 1, H]).
        var slots = new RecurrentStreamSlots(_x, _inputSize, _hSlot, _cSlot, _hidden);
        foreach (Frame frame in frames)
        {
            LoadInitialStates(frame, slots.H(frame), slots.C(frame));
        }

        if (_int8Weights is not null)
        {
            _step.StepStreamsInt8(_int8Weights[0], frames, slots, workspace);
        }
        else
        {
            _step.StepStreams(_weights[0], frames, slots, workspace);
        }
        foreach (Frame frame in frames)
        {
            Span<float> h = slots.H(frame);
            if (_y is not null)
            {
                h.CopyTo(frame.Floats(_y.Slot));
            }

            if (_yh is not null)
            {
                h.CopyTo(frame.Floats(_yh.Slot));
            }

            if (_yc is not null)
            {
                slots.C(frame).CopyTo(frame.Floats(_yc.Slot));
            }
        }
    }

    public override void Execute(Frame frame)
    {
        int dirs = _weights.Length;
        int stateLength = dirs * _batch * _hidden;
        Span<float> h = frame.Floats(_hSlot).AsSpan(0, stateLength);
        Span<float> c = _cSlot >= 0 ? frame.Floats(_cSlot).AsSpan(0, stateLength) : default;
        LoadInitialStates(frame, h, c);

        float[] x = _x.Floats(frame);
        float[]? y = _y is null ? null : frame.Floats(_y.Slot);
        long[]? lens = _sequenceLens?.Longs(frame);
        if (y is not null && lens is not null)
        {
            Array.Clear(y);
        }

        Span<float> scratch = frame.Floats(_scratchSlot);
        Int8RecurrentWeights[]? int8 = _int8Weights;
        for (int d = 0; d < dirs; d++)
        {
            RecurrentWeights w = _weights[d];
            for (int b = 0; b < _batch; b++)
            {
                int length = _seq;
                if (lens is not null)
                {
                    long l = lens[b];
                    if ((ulong)l > (ulong)_seq)
                    {
                        ThrowHelpers.ThrowSequenceLength(NodeName, l, _seq);
                    }

                    length = (int)l;
                }

                Span<float> hb = h.Slice(((d * _batch) + b) * _hidden, _hidden);
                Span<float> cb = _cSlot >= 0 ? c.Slice(((d * _batch) + b) * _hidden, _hidden) : default;
                for (int s = 0; s < length; s++)
                {
                    int t = _reverse[d] ? length - 1 - s : s;
                    int xOffset = _layout == 0 ? ((t * _batch) + b) * _inputSize : ((b * _seq) + t) * _inputSize;
                    ReadOnlySpan<float> xt = x.AsSpan(xOffset, _inputSize);
                    if (int8 is not null)
                    {
                        _step.StepInt8(int8[d], xt, hb, cb, scratch);
                    }
                    else
                    {
                        _step.Step(w, xt, hb, cb, scratch);
                    }

                    if (y is not null)
                    {
                        int yOffset = _layout == 0
                            ? (((t * dirs) + d) * _batch + b) * _hidden
                            : (((b * _seq) + t) * dirs + d) * _hidden;
                        hb.CopyTo(y.AsSpan(yOffset, _hidden));
                    }
                }
            }
        }

        if (_yh is not null)
        {
            StoreFinal(h, frame.Floats(_yh.Slot));
        }

        if (_yc is not null)
        {
            StoreFinal(c, frame.Floats(_yc.Slot));
        }
    }
}
