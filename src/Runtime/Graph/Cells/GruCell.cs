using System.Runtime.CompilerServices;
using EdgeRnn.Runtime.Graph;
using EdgeRnn.Runtime.Kernels;
using EdgeRnn.Runtime.Onnx;

namespace EdgeRnn.Runtime;

/// <summary>
/// ONNX GRU: gates (z, r, h); activations sigmoid, tanh; <c>linear_before_reset</c> 0 (ONNX default: R_h (r ⊙ h)) or
/// 1 (PyTorch: r ⊙ (R_h h + Rb_h)). W and R are packed apart (R splits into R_zr and R_h without linear_before_reset);
/// the math is <see cref="RecurrentCells"/>' GruUpdateLinearBeforeReset, or GruResetGates then GruFinish.
/// </summary>
internal sealed class GruCell : RecurrentCell
{
    private const string LinearBeforeReset = "linear_before_reset";
    private static readonly string[] s_activations = ["sigmoid", "tanh"];
    private static readonly int[] s_torchGateOrder = [1, 0, 2];
    private static readonly KeyValuePair<string, long>[] s_torchAttributes = [new(LinearBeforeReset, 1)];

    public override RecurrentCellKind Kind => RecurrentCellKind.Gru;

    public override string OpType => "GRU";

    public override int Gates => 3;

    public override bool HasCellState => false;

    public override IReadOnlyList<string> DefaultActivations => s_activations;

    public override IReadOnlyList<int> TorchGateOrder => s_torchGateOrder;

    public override IReadOnlyList<KeyValuePair<string, long>> TorchAttributes => s_torchAttributes;

    /// <summary>z and r always; h only without linear_before_reset (with it, Rb_h is scaled by r and Wb_h is not).</summary>
    private protected override int SummedBiasGates(bool linearBeforeReset) => linearBeforeReset ? 2 : 3;

    internal override RecurrentCellAttributes ReadAttributes(OnnxNode node) => new(node.GetInt(LinearBeforeReset, 0) != 0);

    internal override int ScratchLength(int hidden, int inputSize) => checked((3 * hidden) + (3 * hidden) + (3 * hidden));

    internal override long PackedWeightBytes(RecurrentCellAttributes attributes, int hidden, int inputSize)
    {
        bool lbr = attributes.LinearBeforeReset;
        int rows = checked(3 * hidden);
        long biases = 4L * rows * sizeof(float);
        return biases + PlanBuilder.PackedBytes(rows, inputSize) + PlanBuilder.PackedBytes(lbr ? rows : 2 * hidden, hidden)
            + (lbr ? 0 : PlanBuilder.PackedBytes(hidden, hidden));
    }

    internal override RecurrentWeights Pack(RecurrentCellAttributes attributes, in RecurrentDirectionWeights<float> weights, int hidden, int inputSize)
    {
        int rows = 3 * hidden;
        bool lbr = attributes.LinearBeforeReset;
        return new RecurrentWeights
        {
            Input = PackedMatrix.FromRowMajor(weights.W, rows, inputSize),
            Recurrent = lbr
                ? PackedMatrix.FromRowMajor(weights.R, rows, hidden)
                : PackedMatrix.FromRowMajor(weights.R[..(2 * hidden * hidden)], 2 * hidden, hidden),
            RecurrentHidden = lbr ? null : PackedMatrix.FromRowMajor(weights.R[(2 * hidden * hidden)..], hidden, hidden),
            InputBias = weights.InputBias.ToArray(),
            RecurrentBias = weights.RecurrentBias.ToArray(),
        };
    }

    internal override Int8RecurrentWeights PackInt8(RecurrentCellAttributes attributes, in RecurrentDirectionWeights<sbyte> weights, int hidden, int inputSize)
    {
        int rows = 3 * hidden;
        int zr = 2 * hidden;
        bool lbr = attributes.LinearBeforeReset;
        return new Int8RecurrentWeights
        {
            Input = Int8Matrix.FromRowMajor(weights.W, weights.WScales, rows, inputSize),
            Recurrent = lbr
                ? Int8Matrix.FromRowMajor(weights.R, weights.RScales, rows, hidden)
                : Int8Matrix.FromRowMajor(weights.R[..(zr * hidden)], weights.RScales[..zr], zr, hidden),
            RecurrentHidden = lbr ? null : Int8Matrix.FromRowMajor(weights.R[(zr * hidden)..], weights.RScales[zr..], hidden, hidden),
            InputBias = weights.InputBias.ToArray(),
            RecurrentBias = weights.RecurrentBias.ToArray(),
        };
    }

    internal override RecurrentKernel CreateKernel(RecurrentNodePlan plan) =>
        new RecurrentKernel<GruStep>(plan, new GruStep(plan.Hidden, plan.InputSize, plan.Clip, plan.Attributes.LinearBeforeReset, plan.InputStaticScale));

    private readonly struct GruStep(int hidden, int inputSize, float clip, bool linearBeforeReset, float inputStaticScale) : IRecurrentStep
    {
        [MethodImpl(MethodImplOptions.NoInlining)] // keeps RecurrentKernel<T>.Execute's frame small: the step's call costs less than its inlined locals
        public void Step(RecurrentWeights w, ReadOnlySpan<float> x, Span<float> h, Span<float> c, Span<float> scratch)
        {
            int hs = hidden;
            Span<float> gx = scratch[..(3 * hs)];
            Span<float> gh = scratch.Slice(3 * hs, 3 * hs);
            MatVec.Multiply(w.Input, x, w.InputBias, gx);
            if (linearBeforeReset)
            {
                MatVec.Multiply(w.Recurrent!, h, w.RecurrentBias, gh);
                RecurrentCells.GruUpdateLinearBeforeReset(gx, gh, clip, h);
            }
            else
            {
                Span<float> ghZr = gh[..(2 * hs)];
                Span<float> ghH = gh.Slice(2 * hs, hs);
                Span<float> z = scratch.Slice(6 * hs, hs);
                Span<float> resetHidden = scratch.Slice(7 * hs, hs);
                MatVec.Multiply(w.Recurrent!, h, w.RecurrentBias.AsSpan(0, 2 * hs), ghZr);
                RecurrentCells.GruResetGates(gx, ghZr, clip, h, z, resetHidden);
                MatVec.Multiply(w.RecurrentHidden!, resetHidden, w.RecurrentBias.AsSpan(2 * hs, hs), ghH);
                RecurrentCells.GruFinish(gx.Slice(2 * hs, hs), ghH, z, clip, h);
            }
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        public void StepInt8(Int8RecurrentWeights w, ReadOnlySpan<float> x, Span<float> h, Span<float> c, Span<float> scratch)
        {
            int hs = hidden;
            Span<float> floats = Int8StepScratch.Split(scratch, hs, out Span<int> sums, out Span<sbyte> q);
            Span<float> gx = floats[..(3 * hs)];
            Span<float> gh = floats.Slice(3 * hs, 3 * hs);
            RecurrentKernel.MultiplyQuantized(w.Input, x, w.InputBias, false, sums, q, gx, inputStaticScale);
            if (linearBeforeReset)
            {
                RecurrentKernel.MultiplyQuantized(w.Recurrent, h, w.RecurrentBias, false, sums, q, gh);
                RecurrentCells.GruUpdateLinearBeforeReset(gx, gh, clip, h);
            }
            else
            {
                Span<float> ghZr = gh[..(2 * hs)];
                Span<float> ghH = gh.Slice(2 * hs, hs);
                Span<float> z = floats.Slice(6 * hs, hs);
                Span<float> resetHidden = floats.Slice(7 * hs, hs);
                RecurrentKernel.MultiplyQuantized(w.Recurrent, h, w.RecurrentBias.AsSpan(0, 2 * hs), false, sums, q, ghZr);
                RecurrentCells.GruResetGates(gx, ghZr, clip, h, z, resetHidden);
                RecurrentKernel.MultiplyQuantized(w.RecurrentHidden!, resetHidden, w.RecurrentBias.AsSpan(2 * hs, hs), false, sums, q, ghH);
                RecurrentCells.GruFinish(gx.Slice(2 * hs, hs), ghH, z, clip, h);
            }
        }

        public long StreamWorkspaceLength(int streams) => (long)streams * (inputSize + (8 * hidden));

        /// <summary>
        /// x_s and h_s of every stream as the rows of two operands: W x and R h (R_zr h) for all streams, the updates, and
        /// without linear_before_reset a third product R_h (r ⊙ h) between the two halves of the update.
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public void StepStreams(RecurrentWeights w, ReadOnlySpan<Frame> frames, in RecurrentStreamSlots slots, Span<float> workspace)
        {
            int n = frames.Length, hs = hidden, rows = 3 * hs;
            Span<float> xs = workspace[..(n * inputSize)];
            Span<float> hIn = workspace.Slice(n * inputSize, n * hs);
            Span<float> gx = workspace.Slice(n * (inputSize + hs), n * rows);
            Span<float> gh = workspace.Slice(n * (inputSize + hs + rows), n * rows);
            for (int s = 0; s < n; s++)
            {
                slots.X(frames[s]).CopyTo(xs.Slice(s * inputSize, inputSize));
                slots.H(frames[s]).CopyTo(hIn.Slice(s * hs, hs));
            }

            BatchedMatVec.Multiply(w.Input, xs, inputSize, n, w.InputBias, gx, rows);
            if (linearBeforeReset)
            {
                BatchedMatVec.Multiply(w.Recurrent!, hIn, hs, n, w.RecurrentBias, gh, rows);
                for (int s = 0; s < n; s++)
                {
                    RecurrentCells.GruUpdateLinearBeforeReset(gx.Slice(s * rows, rows), gh.Slice(s * rows, rows), clip, slots.H(frames[s]));
                }

                return;
            }

            // h_{t-1} is read again by GruFinish, so r ⊙ h goes to its own rows (reusing the gathered h's) and z beside it.
            Span<float> z = workspace.Slice(n * (inputSize + hs + (2 * rows)), n * hs);
            BatchedMatVec.Multiply(w.Recurrent!, hIn, hs, n, w.RecurrentBias.AsSpan(0, 2 * hs), gh, rows);
            for (int s = 0; s < n; s++)
            {
                RecurrentCells.GruResetGates(gx.Slice(s * rows, rows), gh.Slice(s * rows, 2 * hs), clip, slots.H(frames[s]), z.Slice(s * hs, hs), hIn.Slice(s * hs, hs));
            }

            BatchedMatVec.Multiply(w.RecurrentHidden!, hIn, hs, n, w.RecurrentBias.AsSpan(2 * hs, hs), gh[(2 * hs)..], rows);
            for (int s = 0; s < n; s++)
            {
                RecurrentCells.GruFinish(gx.Slice((s * rows) + (2 * hs), hs), gh.Slice((s * rows) + (2 * hs), hs), z.Slice(s * hs, hs), clip, slots.H(frames[s]));
            }
        }

        public long StreamWorkspaceLengthInt8(int streams) => Int8StreamScratch.Length(streams, 8 * hidden, 3 * hidden, Math.Max(inputSize, hidden));

        /// <summary>
        /// As <see cref="StepInt8"/> for all streams: W q(x_s) and R q(h_s) (R_zr) as one integer product each, and
        /// without linear_before_reset R_h q(r ⊙ h_s) between the two halves of the update; per stream [gx | gh | z | r ⊙ h].
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public void StepStreamsInt8(Int8RecurrentWeights w, ReadOnlySpan<Frame> frames, in RecurrentStreamSlots slots, Span<float> workspace)
        {
            int n = frames.Length, hs = hidden, rows = 3 * hs, per = 8 * hs;
            var scratch = new Int8StreamScratch(workspace, n, per, rows, Math.Max(inputSize, hs));
            Span<float> floats = scratch.Floats;
            scratch.MultiplyInputThenQuantizeHidden(w, frames, slots, inputStaticScale, floats, per);
            if (linearBeforeReset)
            {
                scratch.Multiply(w.Recurrent, w.RecurrentBias, false, floats[rows..], per);
                for (int s = 0; s < n; s++)
                {
                    Span<float> f = floats.Slice(s * per, per);
                    RecurrentCells.GruUpdateLinearBeforeReset(f[..rows], f.Slice(rows, rows), clip, slots.H(frames[s]));
                }

                return;
            }

            scratch.Multiply(w.Recurrent, w.RecurrentBias.AsSpan(0, 2 * hs), false, floats[rows..], per);
            for (int s = 0; s < n; s++)
            {
                Span<float> f = floats.Slice(s * per, per);
                RecurrentCells.GruResetGates(f[..rows], f.Slice(rows, 2 * hs), clip, slots.H(frames[s]), f.Slice(6 * hs, hs), f.Slice(7 * hs, hs));
                scratch.Quantize(s, w.RecurrentHidden!, f.Slice(7 * hs, hs));
            }

            scratch.Multiply(w.RecurrentHidden!, w.RecurrentBias.AsSpan(2 * hs, hs), false, floats[(rows + (2 * hs))..], per);
            for (int s = 0; s < n; s++)
            {
                Span<float> f = floats.Slice(s * per, per);
                RecurrentCells.GruFinish(f.Slice(2 * hs, hs), f.Slice(rows + (2 * hs), hs), f.Slice(6 * hs, hs), clip, slots.H(frames[s]));
            }
        }
    }
}
