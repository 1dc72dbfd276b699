using System.Runtime.CompilerServices;
using EdgeRnn.Runtime.Graph;
using EdgeRnn.Runtime.Kernels;
using EdgeRnn.Runtime.Onnx;

namespace EdgeRnn.Runtime;

/// <summary>
/// ONNX RNN (Elman): h = tanh(W x + R h + Wb + Rb); activation tanh. Weights are packed as one matrix [W | R] over
/// [x; h] with bias Wb + Rb; the math is <see cref="RecurrentCells.RnnUpdate(ReadOnlySpan{float}, float, Span{float})"/>.
/// </summary>
internal sealed class RnnCell : RecurrentCell
{
    private static readonly string[] s_activations = ["tanh"];
    private static readonly int[] s_torchGateOrder = [0];

    public override RecurrentCellKind Kind => RecurrentCellKind.Rnn;

    public override string OpType => "RNN";

    public override int Gates => 1;

    public override bool HasCellState => false;

    public override IReadOnlyList<string> DefaultActivations => s_activations;

    public override IReadOnlyList<int> TorchGateOrder => s_torchGateOrder;

    internal override RecurrentCellAttributes ReadAttributes(OnnxNode node) => default;

    internal override int ScratchLength(int hidden, int inputSize) => checked(inputSize + hidden + hidden);

    internal override RecurrentKernel CreateKernel(RecurrentNodePlan plan) =>
        new RecurrentKernel<RnnStep>(plan, new RnnStep(plan.Hidden, plan.InputSize, plan.Clip, plan.InputStaticScale));

    private readonly struct RnnStep(int hidden, int inputSize, float clip, float inputStaticScale) : IRecurrentStep
    {
        [MethodImpl(MethodImplOptions.NoInlining)] // keeps RecurrentKernel<T>.Execute's frame small: the step's call costs less than its inlined locals
        public void Step(RecurrentWeights w, ReadOnlySpan<float> x, Span<float> h, Span<float> c, Span<float> scratch)
        {
            Span<float> xh = scratch[..(inputSize + hidden)];
            Span<float> gates = scratch.Slice(inputSize + hidden, hidden);
            x.CopyTo(xh);
            h.CopyTo(xh[inputSize..]);
            MatVec.Multiply(w.Input, xh, w.InputBias, gates);
            RecurrentCells.RnnUpdate(gates, clip, h);
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        public void StepInt8(Int8RecurrentWeights w, ReadOnlySpan<float> x, Span<float> h, Span<float> c, Span<float> scratch)
        {
            Span<float> floats = Int8StepScratch.Split(scratch, hidden, out Span<int> sums, out Span<sbyte> q);
            Span<float> gates = floats[..hidden];
            RecurrentKernel.MultiplyQuantized(w.Input, x, w.InputBias, false, sums, q, gates, inputStaticScale);
            RecurrentKernel.MultiplyQuantized(w.Recurrent, h, default, true, sums, q, gates);
            RecurrentCells.RnnUpdate(gates, clip, h);
        }

        public long StreamWorkspaceLength(int streams) => (long)streams * (inputSize + (2 * hidden));

        /// <summary>[x_s; h_s] for every stream s as the rows of one operand, one product, then each stream's update.</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public void StepStreams(RecurrentWeights w, ReadOnlySpan<Frame> frames, in RecurrentStreamSlots slots, Span<float> workspace)
        {
            int n = frames.Length, columns = inputSize + hidden;
            Span<float> xh = workspace[..(n * columns)];
            Span<float> gates = workspace.Slice(n * columns, n * hidden);
            slots.GatherInputAndHidden(frames, xh);

            BatchedMatVec.Multiply(w.Input, xh, columns, n, w.InputBias, gates, hidden);
            for (int s = 0; s < n; s++)
            {
                RecurrentCells.RnnUpdate(gates.Slice(s * hidden, hidden), clip, slots.H(frames[s]));
            }
        }

        public long StreamWorkspaceLengthInt8(int streams) => Int8StreamScratch.Length(streams, hidden, hidden, Math.Max(inputSize, hidden));

        /// <summary>W q(x_s) then + R q(h_s) for all streams (each quantized with its own scale), then each stream's update.</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public void StepStreamsInt8(Int8RecurrentWeights w, ReadOnlySpan<Frame> frames, in RecurrentStreamSlots slots, Span<float> workspace)
        {
            int n = frames.Length;
            var scratch = new Int8StreamScratch(workspace, n, hidden, hidden, Math.Max(inputSize, hidden));
            scratch.MultiplyInputThenQuantizeHidden(w, frames, slots, inputStaticScale, scratch.Floats, hidden);
            scratch.Multiply(w.Recurrent, default, true, scratch.Floats, hidden);
            for (int s = 0; s < n; s++)
            {
                RecurrentCells.RnnUpdate(scratch.Floats.Slice(s * hidden, hidden), clip, slots.H(frames[s]));
            }
        }
    }
}
