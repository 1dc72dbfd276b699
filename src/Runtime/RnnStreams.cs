using EdgeRnn.Runtime.Graph;

namespace EdgeRnn.Runtime;

/// <summary>
/// <see cref="Count"/> independent streams through one <see cref="RnnModel"/> (a gateway watching many machines with
/// one model), advanced together by <see cref="RnnModel.Step(RnnStreams, ReadOnlySpan{float}, Span{float})"/>: one
/// call steps every stream, and each float recurrent layer multiplies its weights by several streams' vectors at once
/// (tiles of up to 6 streams; 2 on x64 without AVX-512), so the weights are read once per tile instead of once per
/// stream. int8 layers are batched the same way on AVX2 and stepped per stream inside the call elsewhere. Created by
/// <see cref="RnnModel.CreateStreams(int)"/>; not thread-safe.
/// </summary>
/// <remarks>
/// <para>
/// Each stream is an ordinary <see cref="RnnState"/> (<see cref="this[int]"/>): reset it, save it with
/// <see cref="RnnState.WriteTo(Span{byte})"/> or restore it with <see cref="RnnState.ReadFrom(ReadOnlySpan{byte})"/>
/// in the same format as any state of the model, or advance it alone with
/// <see cref="RnnModel.Step(RnnState, ReadOnlySpan{float}, Span{float})"/>. A saved state of one stream restores into
/// any stream, or into a state from <see cref="RnnModel.CreateState"/>, of the same model.
/// </para>
/// <para>
/// A step of the streams gives every stream the outputs and the state that one
/// <see cref="RnnModel.Step(RnnState, ReadOnlySpan{float}, Span{float})"/> of its state would give, bit for bit: the
/// batched products sum each row in the same order as the single-stream kernels. Layers with int8 weights quantize
/// each stream's activations with its own scale, as a single step does; their integer products are exact in any order.
/// </para>
/// </remarks>
public sealed class RnnStreams
{
    private readonly RnnState[] _states;

    internal RnnStreams(RnnModel model, StreamingPlan plan, int count)
    {
        Model = model;
        Plan = plan;
        _states = new RnnState[count];
        Frames = new Frame[count];
        for (int i = 0; i < count; i++)
        {
            _states[i] = new RnnState(model, plan);
            Frames[i] = _states[i].Frame;
        }

        Workspace = new float[checked((int)plan.Plan.StreamWorkspaceLength(count))];
    }

    /// <summary>The model these streams belong to.</summary>
    public RnnModel Model { get; }

    /// <summary>The number of streams (N): inputs and outputs of a step hold N rows.</summary>
    public int Count => _states.Length;

    /// <summary>The state of stream <paramref name="stream"/> (0 .. <see cref="Count"/> - 1), for reset, save, restore and reads.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="stream"/> is negative or not below <see cref="Count"/>.</exception>
    public RnnState this[int stream]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfNegative(stream);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(stream, _states.Length);
            return _states[stream];
        }
    }

    internal StreamingPlan Plan { get; }

    /// <summary>The streams' frames, in stream order (the states' own frames).</summary>
    internal Frame[] Frames { get; }

    /// <summary>Scratch shared by the batched kernels of one step.</summary>
    internal float[] Workspace { get; }

    /// <summary>Puts every stream back to the model's initial state.</summary>
    public void Reset()
    {
        foreach (RnnState state in _states)
        {
            state.Reset();
        }
    }

    internal RnnState State(int stream) => _states[stream];
}
