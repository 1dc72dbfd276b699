using System.Runtime.CompilerServices;
using EdgeRnn.Runtime.Graph;
using EdgeRnn.Runtime.Kernels;
using EdgeRnn.Runtime.Onnx;

namespace EdgeRnn.Runtime;

/// <summary>
/// ONNX LSTM: gates (i, o, f, c), hidden and cell state, optional peepholes (P_i, P_o, P_f); activations sigmoid,
/// tanh, tanh. Weights are packed as one matrix [W | R] over [x; h] with bias Wb + Rb; the math is
/// <see cref="RecurrentCells.LstmUpdate(ReadOnlySpan{float}, ReadOnlySpan{float}, float, Span{float}, Span{float})"/>.
/// </summary>
internal sealed class LstmCell : RecurrentCell
{
    private static readonly string[] s_activations = ["sigmoid", "tanh", "tanh"];
    private static readonly int[] s_torchGateOrder = [0, 3, 1, 2];

    public override RecurrentCellKind Kind => RecurrentCellKind.Lstm;

    public override string OpType => "LSTM";

    public override int Gates => 4;

    public override bool HasCellState => true;

    public override IReadOnlyList<string> DefaultActivations => s_activations;

    public override IReadOnlyList<int> TorchGateOrder => s_torchGateOrder;

    public override string? OrtQuantizedOpType => "DynamicQuantizeLSTM";

    internal override bool HasPeepholes => true;

    internal override RecurrentCellAttributes ReadAttributes(OnnxNode node)
    {
        if (node.GetInt("input_forget", 0) != 0)
        {
            throw new ModelFormatException($"{node.Describe()} sets input_forget=1 (coupled input and forget gates), which EdgeRnn does not support.");
        }

        return default;
    }

    internal override int ScratchLength(int hidden, int inputSize) => checked(inputSize + hidden + (4 * hidden));

    internal override RecurrentKernel CreateKernel(RecurrentNodePlan plan) =>
        new RecurrentKernel<LstmStep>(plan, new LstmStep(plan.Hidden, plan.InputSize, plan.Clip, plan.InputStaticScale));

    private readonly struct LstmStep(int hidden, int inputSize, float clip, float inputStaticScale) : IRecurrentStep
    {
        [MethodImpl(MethodImplOptions.NoInlining)] // keeps RecurrentKernel<T>.Execute's frame small: the step's call costs less than its inlined locals
        public void Step(RecurrentWeights w, ReadOnlySpan<float> x, Span<float> h, Span<float> c, Span<float> scratch)
        {
            Span<float> xh = scratch[..(inputSize + hidden)];
            Span<float> gates = scratch.Slice(inputSize + hidden, 4 * hidden);
            x.CopyTo(xh);
            h.CopyTo(xh[inputSize..]);
            MatVec.Multiply(w.Input, xh, w.InputBias, gates);
            RecurrentCells.LstmUpdate(gates, w.Peepholes, clip, c, h);
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        public void StepInt8(Int8RecurrentWeights w, ReadOnlySpan<float> x, Span<float> h, Span<float> c, Span<float> scratch)
        {
            Span<float> floats = Int8StepScratch.Split(scratch, hidden, out Span<int> sums, out Span<sbyte> q);
            Span<float> gates = floats[..(4 * hidden)];
            RecurrentKernel.MultiplyQuantized(w.Input, x, w.InputBias, false, sums, q, gates, inputStaticScale);
            RecurrentKernel.MultiplyQuantized(w.Recurrent, h, default, true, sums, q, gates);
            RecurrentCells.LstmUpdate(gates, w.Peepholes, clip, c, h);
        }

        public long StreamWorkspaceLength(int streams) => (long)streams * (inputSize + (5 * hidden));

        /// <summary>[x_s; h_s] for every stream s as the rows of one operand, one product for all the gates, then each stream's cell update.</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public void StepStreams(RecurrentWeights w, ReadOnlySpan<Frame> frames, in RecurrentStreamSlots slots, Span<float> workspace)
        {
            int n = frames.Length, columns = inputSize + hidden, rows = 4 * hidden;
            Span<float> xh = workspace[..(n * columns)];
            Span<float> gates = workspace.Slice(n * columns, n * rows);
            slots.GatherInputAndHidden(frames, xh);

            BatchedMatVec.Multiply(w.Input, xh, columns, n, w.InputBias, gates, rows);
            for (int s = 0; s < n; s++)
            {
                RecurrentCells.LstmUpdate(gates.Slice(s * rows, rows), w.Peepholes, clip, slots.C(frames[s]), slots.H(frames[s]));
            }
        }

        public long StreamWorkspaceLengthInt8(int streams) => Int8StreamScratch.Length(streams, 4 * hidden, 4 * hidden, Math.Max(inputSize, hidden));

        /// <summary>W q(x_s) then + R q(h_s) for all streams (each quantized with its own scale), then each stream's cell update.</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public void StepStreamsInt8(Int8RecurrentWeights w, ReadOnlySpan<Frame> frames, in RecurrentStreamSlots slots, Span<float> workspace)
        {
            int n = frames.Length, rows = 4 * hidden;
            var scratch = new Int8StreamScratch(workspace, n, rows, rows, Math.Max(inputSize, hidden));
            scratch.MultiplyInputThenQuantizeHidden(w, frames, slots, inputStaticScale, scratch.Floats, rows);
            scratch.Multiply(w.Recurrent, default, true, scratch.Floats, rows);
            for (int s = 0; s < n; s++)
            {
                RecurrentCells.LstmUpdate(scratch.Floats.Slice(s * rows, rows), w.Peepholes, clip, slots.C(frames[s]), slots.H(frames[s]));
            }
        }
    }
}
