using System.Collections.ObjectModel;
using System.Diagnostics.CodeAnalysis;
using EdgeRnn.Runtime.Graph;
using EdgeRnn.Runtime.Kernels;
using EdgeRnn.Runtime.Onnx;

namespace EdgeRnn.Runtime;

/// <summary>
/// One recurrent cell type (ONNX LSTM, GRU or RNN) and everything the rest of EdgeRnn asks about it: the ONNX operator,
/// its gates and state, the defaults it supports, its cost, how the trainer's PyTorch weights map onto it and which
/// bias rows the quantizer may fold. Inside the runtime the cell also packs a node's weights (float and int8) and
/// creates the kernel whose step it runs. Each cell is one sealed type, registered once; a lookup of a kind or operator
/// that has no cell throws (or returns false), it never falls back to another cell.
/// </summary>
public abstract class RecurrentCell
{
    // Indexed by RecurrentCellKind: the one registration of every cell.
    private static readonly RecurrentCell[] s_cells = [new LstmCell(), new GruCell(), new RnnCell()];
    private static readonly ReadOnlyCollection<RecurrentCell> s_all = new(s_cells);

    private protected RecurrentCell()
    {
    }

    /// <summary>Every registered cell, in <see cref="RecurrentCellKind"/> order.</summary>
    public static IReadOnlyList<RecurrentCell> All => s_all;

    /// <summary>The kind of this cell.</summary>
    public abstract RecurrentCellKind Kind { get; }

    /// <summary>The ai.onnx operator type: <c>LSTM</c>, <c>GRU</c> or <c>RNN</c>.</summary>
    public abstract string OpType { get; }

    /// <summary>Gate blocks of hidden rows in W, R and each half of B (LSTM 4, GRU 3, RNN 1).</summary>
    public abstract int Gates { get; }

    /// <summary>True when the cell carries a cell state c besides h (ONNX initial_c input, Y_c output): LSTM.</summary>
    public abstract bool HasCellState { get; }

    /// <summary>The ONNX activations of one direction, lower case; EdgeRnn runs only these.</summary>
    public abstract IReadOnlyList<string> DefaultActivations { get; }

    /// <summary>
    /// The PyTorch to ONNX gate order: ONNX gate block <c>g</c> holds PyTorch block <c>TorchGateOrder[g]</c> of
    /// weight_ih, weight_hh, bias_ih and bias_hh (LSTM torch (i, f, g, o) → ONNX (i, o, f, c): {0, 3, 1, 2};
    /// GRU torch (r, z, n) → ONNX (z, r, h): {1, 0, 2}).
    /// </summary>
    public abstract IReadOnlyList<int> TorchGateOrder { get; }

    /// <summary>
    /// The integer attributes an ONNX node of this cell needs to compute what the PyTorch module does (GRU:
    /// <c>linear_before_reset = 1</c>); empty when the defaults match.
    /// </summary>
    public virtual IReadOnlyList<KeyValuePair<string, long>> TorchAttributes => [];

    /// <summary>
    /// The com.microsoft operator in which ONNX Runtime runs this cell with int8 weights and integer math
    /// (<c>DynamicQuantizeLSTM</c>), or null when there is none.
    /// </summary>
    public virtual string? OrtQuantizedOpType => null;

    /// <summary>The cell registered for <paramref name="kind"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="kind"/> is not a defined kind.</exception>
    public static RecurrentCell For(RecurrentCellKind kind) =>
        (uint)kind < (uint)s_cells.Length ? s_cells[(int)kind] : throw new ArgumentOutOfRangeException(nameof(kind), kind, "No recurrent cell of this kind.");

    /// <summary>Finds the cell of an ai.onnx operator type (case-sensitive, as ONNX is).</summary>
    public static bool TryGetByOpType(string opType, [NotNullWhen(true)] out RecurrentCell? cell)
    {
        ArgumentNullException.ThrowIfNull(opType);
        foreach (RecurrentCell c in s_cells)
        {
            if (string.Equals(c.OpType, opType, StringComparison.Ordinal))
            {
                cell = c;
                return true;
            }
        }

        cell = null;
        return false;
    }

    /// <summary>Multiply-adds of one step of one direction and batch row: gates x hidden x (input + hidden).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative.</exception>
    public long MultiplyAdds(int hidden, int inputSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(hidden);
        ArgumentOutOfRangeException.ThrowIfNegative(inputSize);
        return (long)Gates * hidden * ((long)inputSize + hidden);
    }

    /// <summary>
    /// How many leading rows of each direction's bias halves (ONNX B = [Wb; Rb], <see cref="Gates"/> x hidden rows each)
    /// the cell only ever adds together, so Wb[i] + Rb[i] may be stored in one of them: every row of LSTM and RNN, and
    /// GRU's z and r rows (its h row too unless <paramref name="linearBeforeReset"/>, where Rb_h is applied inside r ⊙ (...)).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="hidden"/> is negative.</exception>
    public int SummedBiasRows(int hidden, bool linearBeforeReset)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(hidden);
        return checked(SummedBiasGates(linearBeforeReset) * hidden);
    }

    /// <summary>The operator type.</summary>
    public override string ToString() => OpType;

    /// <summary>The gates of <see cref="SummedBiasRows"/>: all of them unless the cell says otherwise.</summary>
    private protected virtual int SummedBiasGates(bool linearBeforeReset) => Gates;

    /// <summary>True for the optional peephole input P (ONNX input 7): LSTM.</summary>
    internal virtual bool HasPeepholes => false;

    /// <summary>Reads and checks the attributes only this cell has (LSTM input_forget, GRU linear_before_reset).</summary>
    internal abstract RecurrentCellAttributes ReadAttributes(OnnxNode node);

    /// <summary>Scratch floats one float step needs (planning only: checked, sizes come from the file).</summary>
    internal abstract int ScratchLength(int hidden, int inputSize);

    /// <summary>The bytes <see cref="Pack"/> allocates for one direction: the matrices, their packed panels and the biases.</summary>
    internal virtual long PackedWeightBytes(RecurrentCellAttributes attributes, int hidden, int inputSize) =>
        PackConcatenatedBytes(hidden, inputSize);

    /// <summary>Packs one direction's float weights for the step: by default <c>[W | R]</c> as one matrix (one mat-vec per step).</summary>
    internal virtual RecurrentWeights Pack(RecurrentCellAttributes attributes, in RecurrentDirectionWeights<float> weights, int hidden, int inputSize) =>
        PackConcatenated(weights, hidden, inputSize);

    /// <summary>Packs one direction's int8 weights (one scale per row of W and of R) for the int8 step.</summary>
    internal virtual Int8RecurrentWeights PackInt8(RecurrentCellAttributes attributes, in RecurrentDirectionWeights<sbyte> weights, int hidden, int inputSize) =>
        PackInt8Separate(weights, hidden, inputSize);

    /// <summary>Creates the kernel of a planned node: a <see cref="RecurrentKernel{TStep}"/> over this cell's step.</summary>
    internal abstract RecurrentKernel CreateKernel(RecurrentNodePlan plan);

    /// <summary>
    /// LSTM and RNN: one matrix [W | R] over the concatenated [x; h] and one bias Wb + Rb, so a step is one mat-vec.
    /// </summary>
    private protected RecurrentWeights PackConcatenated(in RecurrentDirectionWeights<float> weights, int hidden, int inputSize)
    {
        int rows = Gates * hidden;
        int cols = inputSize + hidden;
        var combined = new float[rows * cols];
        for (int row = 0; row < rows; row++)
        {
            weights.W.Slice(row * inputSize, inputSize).CopyTo(combined.AsSpan(row * cols, inputSize));
            weights.R.Slice(row * hidden, hidden).CopyTo(combined.AsSpan((row * cols) + inputSize, hidden));
        }

        return new RecurrentWeights
        {
            Input = PackedMatrix.FromRowMajor(combined, rows, cols),
            InputBias = SumBias(weights, rows),
            Peepholes = weights.Peepholes.IsEmpty ? null : weights.Peepholes.ToArray(),
        };
    }

    /// <summary>The bytes of <see cref="PackConcatenated"/> (room for peepholes included).</summary>
    private protected long PackConcatenatedBytes(int hidden, int inputSize)
    {
        int rows = checked(Gates * hidden);
        int columns = checked(inputSize + hidden);
        long biases = 4L * rows * sizeof(float);
        return biases + (3L * hidden * sizeof(float)) + ((long)rows * columns * sizeof(float)) + PlanBuilder.PackedBytes(rows, columns);
    }

    /// <summary>LSTM and RNN int8: W and R apart (each has its own row scales), one bias Wb + Rb.</summary>
    private protected Int8RecurrentWeights PackInt8Separate(in RecurrentDirectionWeights<sbyte> weights, int hidden, int inputSize)
    {
        int rows = Gates * hidden;
        return new Int8RecurrentWeights
        {
            Input = Int8Matrix.FromRowMajor(weights.W, weights.WScales, rows, inputSize),
            Recurrent = Int8Matrix.FromRowMajor(weights.R, weights.RScales, rows, hidden),
            InputBias = SumBias(weights, rows),
            Peepholes = weights.Peepholes.IsEmpty ? null : weights.Peepholes.ToArray(),
        };
    }

    private static float[] SumBias<T>(in RecurrentDirectionWeights<T> weights, int rows)
    {
        var sum = new float[rows];
        for (int row = 0; row < rows; row++)
        {
            sum[row] = weights.InputBias[row] + weights.RecurrentBias[row];
        }

        return sum;
    }
}
