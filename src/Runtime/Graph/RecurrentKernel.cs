using EdgeRnn.Runtime.Kernels;

namespace EdgeRnn.Runtime.Graph;

/// <summary>The recurrent cell types.</summary>
internal enum CellKind
{
    Lstm,
    Gru,
    Rnn,
}

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

/// <summary>
/// Runs an ONNX LSTM, GRU or RNN node over its whole input sequence (or one step in a streaming plan), for every
/// direction and batch row, honouring layout, sequence_lens, initial states, clip and peepholes.
/// The working state lives in frame slots laid out [direction, batch, hidden]; in a streaming plan with constant
/// initial state those slots are carried from step to step.
/// </summary>
internal sealed partial class RecurrentKernel : Kernel
{
    private readonly CellKind _cell;
    private readonly RecurrentWeights[] _weights;
    private readonly bool[] _reverse;
    private readonly int _hidden;
    private readonly int _inputSize;
    private readonly int _seq;
    private readonly int _batch;
    private readonly int _layout;
    private readonly float _clip;
    private readonly bool _linearBeforeReset;
    private readonly PlanValue _x;
    private readonly PlanValue? _sequenceLens;
    private readonly PlanValue? _initialH;
    private readonly PlanValue? _initialC;
    private readonly int _hSlot;
    private readonly int _cSlot;
    private readonly int _scratchSlot;
    private readonly bool _carry;
    private readonly PlanValue? _y;
    private readonly PlanValue? _yh;
    private readonly PlanValue? _yc;

    public RecurrentKernel(string node, CellKind cell, RecurrentWeights[] weights, bool[] reverse, int hidden, int inputSize,
        int seq, int batch, int layout, float clip, bool linearBeforeReset, PlanValue x, PlanValue? sequenceLens,
        PlanValue? initialH, PlanValue? initialC, int hSlot, int cSlot, int scratchSlot, bool carry,
        PlanValue? y, PlanValue? yh, PlanValue? yc)
        : base(node)
    {
        _cell = cell;
        _weights = weights;
        _reverse = reverse;
        _hidden = hidden;
        _inputSize = inputSize;
        _seq = seq;
        _batch = batch;
        _layout = layout;
        _clip = clip;
        _linearBeforeReset = linearBeforeReset;
        _x = x;
        _sequenceLens = sequenceLens;
        _initialH = initialH;
        _initialC = initialC;
        _hSlot = hSlot;
        _cSlot = cSlot;
        _scratchSlot = scratchSlot;
        _carry = carry;
        _y = y;
        _yh = yh;
        _yc = yc;
    }

    /// <summary>Scratch floats one step needs for a cell of this kind (planning only: checked, sizes come from the file).</summary>
    public static int ScratchLength(CellKind cell, int hidden, int inputSize) => checked(cell switch
    {
        CellKind.Lstm => inputSize + hidden + (4 * hidden),
        CellKind.Gru => (3 * hidden) + (3 * hidden) + (3 * hidden),
        _ => inputSize + hidden + hidden,
    });

    /// <summary>gates x hidden x (input + hidden) per direction, batch row and step, whatever the weights' precision.</summary>
    public override long MultiplyAdds
    {
        get
        {
            int gates = _cell switch { CellKind.Lstm => 4, CellKind.Gru => 3, _ => 1 };
            return (long)_weights.Length * gates * _hidden * (_inputSize + _hidden) * _seq * _batch;
        }
    }

    public override void Execute(Frame frame)
    {
        int dirs = _weights.Length;
        int stateLength = dirs * _batch * _hidden;
        Span<float> h = frame.Floats(_hSlot).AsSpan(0, stateLength);
        Span<float> c = _cell == CellKind.Lstm ? frame.Floats(_cSlot).AsSpan(0, stateLength) : default;
        if (!_carry)
        {
            LoadInitial(frame, _initialH, h);
            if (_cell == CellKind.Lstm)
            {
                LoadInitial(frame, _initialC, c);
            }
        }

        float[] x = _x.Floats(frame);
        float[]? y = _y is null ? null : frame.Floats(_y.Slot);
        long[]? lens = _sequenceLens?.Longs(frame);
        if (y is not null && lens is not null)
        {
            Array.Clear(y);
        }

        Span<float> scratch = frame.Floats(_scratchSlot);
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
                Span<float> cb = _cell == CellKind.Lstm ? c.Slice(((d * _batch) + b) * _hidden, _hidden) : default;
                for (int s = 0; s < length; s++)
                {
                    int t = _reverse[d] ? length - 1 - s : s;
                    int xOffset = _layout == 0 ? ((t * _batch) + b) * _inputSize : ((b * _seq) + t) * _inputSize;
                    ReadOnlySpan<float> xt = x.AsSpan(xOffset, _inputSize);
                    if (Int8Weights is { } q)
                    {
                        StepCellInt8(q[d], xt, hb, cb, scratch);
                    }
                    else
                    {
                        StepCell(w, xt, hb, cb, scratch);
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

    private void StepCell(RecurrentWeights w, ReadOnlySpan<float> xt, Span<float> h, Span<float> c, Span<float> scratch)
    {
        int hs = _hidden;
        switch (_cell)
        {
            case CellKind.Lstm:
            {
                Span<float> xh = scratch[..(_inputSize + hs)];
                Span<float> gates = scratch.Slice(_inputSize + hs, 4 * hs);
                xt.CopyTo(xh);
                h.CopyTo(xh[_inputSize..]);
                MatVec.Multiply(w.Input, xh, w.InputBias, gates);
                RecurrentCells.LstmUpdate(gates, w.Peepholes, _clip, c, h);
                break;
            }

            case CellKind.Gru:
            {
                Span<float> gx = scratch[..(3 * hs)];
                Span<float> gh = scratch.Slice(3 * hs, 3 * hs);
                MatVec.Multiply(w.Input, xt, w.InputBias, gx);
                if (_linearBeforeReset)
                {
                    MatVec.Multiply(w.Recurrent!, h, w.RecurrentBias, gh);
                    RecurrentCells.GruUpdateLinearBeforeReset(gx, gh, _clip, h);
                }
                else
                {
                    Span<float> ghZr = gh[..(2 * hs)];
                    Span<float> ghH = gh.Slice(2 * hs, hs);
                    Span<float> z = scratch.Slice(6 * hs, hs);
                    Span<float> resetHidden = scratch.Slice(7 * hs, hs);
                    MatVec.Multiply(w.Recurrent!, h, w.RecurrentBias.AsSpan(0, 2 * hs), ghZr);
                    RecurrentCells.GruResetGates(gx, ghZr, _clip, h, z, resetHidden);
                    MatVec.Multiply(w.RecurrentHidden!, resetHidden, w.RecurrentBias.AsSpan(2 * hs, hs), ghH);
                    RecurrentCells.GruFinish(gx.Slice(2 * hs, hs), ghH, z, _clip, h);
                }

                break;
            }

            default:
            {
                Span<float> xh = scratch[..(_inputSize + hs)];
                Span<float> gates = scratch.Slice(_inputSize + hs, hs);
                xt.CopyTo(xh);
                h.CopyTo(xh[_inputSize..]);
                MatVec.Multiply(w.Input, xh, w.InputBias, gates);
                RecurrentCells.RnnUpdate(gates, _clip, h);
                break;
            }
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

    private void StoreFinal(Span<float> state, float[] destination)
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
