using System.Runtime.InteropServices;
using EdgeRnn.Runtime.Kernels;

namespace EdgeRnn.Runtime.Graph;

/// <summary>Per-direction int8 weights of a recurrent node (W and R kept apart: each has its own per-row scales).</summary>
internal sealed class Int8RecurrentWeights
{
    /// <summary>W: gates x input.</summary>
    public required Int8Matrix Input { get; init; }

    /// <summary>R (LSTM, RNN, GRU with linear_before_reset = 1) or R_zr (GRU with linear_before_reset = 0).</summary>
    public required Int8Matrix Recurrent { get; init; }

    /// <summary>GRU with linear_before_reset = 0: R_h, applied to r ⊙ h.</summary>
    public Int8Matrix? RecurrentHidden { get; init; }

    /// <summary>LSTM / RNN: Wb + Rb. GRU: Wb.</summary>
    public required float[] InputBias { get; init; }

    /// <summary>GRU: Rb (3H).</summary>
    public float[]? RecurrentBias { get; init; }

    /// <summary>LSTM peepholes (P_i, P_o, P_f), or null.</summary>
    public float[]? Peepholes { get; init; }
}

/// <summary>
/// The int8 step's shared parts: activations x and h are quantized once per step and W x and R h run as integer
/// mat-vecs; the cells' <see cref="IRecurrentStep.StepInt8"/> compose them.
/// </summary>
internal abstract partial class RecurrentKernel
{
    /// <summary>Scratch floats one int8 step needs: float gates, int32 sums and the quantized activation bytes.</summary>
    public static int Int8ScratchLength(int hidden, int inputSize) =>
        checked((8 * hidden) + (4 * hidden) + Int8Matrix.BlockRows + ((Math.Max(hidden, inputSize) + 8) / 4));

    /// <summary>
    /// Multiplies int8 <paramref name="w"/> by <paramref name="x"/> quantized (with <paramref name="staticScale"/>, or
    /// from its own range when 0): destination = W x (+ destination when <paramref name="accumulate"/>) + bias.
    /// </summary>
    internal static void MultiplyQuantized(Int8Matrix w, ReadOnlySpan<float> x, ReadOnlySpan<float> bias, bool accumulate, Span<int> sums, Span<sbyte> quantized,
        Span<float> destination, float staticScale = 0)
    {
        Span<sbyte> xq = quantized[..w.PaddedColumns];
        float scale = staticScale > 0 ? Int8Quantize.QuantizeWithScale(x, staticScale, xq) : Int8Quantize.QuantizeSymmetric(x, xq);
        Int8MatVec.Multiply(w, xq, scale, bias, accumulate, sums, destination);
    }
}

/// <summary>
/// Splits the int8 step's scratch (<see cref="RecurrentKernel.Int8ScratchLength"/> floats): 8 x hidden floats for the
/// gate pre-activations, int32 sums for the widest mat-vec and the bytes of a quantized activation.
/// </summary>
internal static class Int8StepScratch
{
    public static Span<float> Split(Span<float> scratch, int hidden, out Span<int> sums, out Span<sbyte> quantized)
    {
        sums = MemoryMarshal.Cast<float, int>(scratch.Slice(8 * hidden, (4 * hidden) + Int8Matrix.BlockRows));
        quantized = MemoryMarshal.Cast<float, sbyte>(scratch[((12 * hidden) + Int8Matrix.BlockRows)..]);
        return scratch[..(8 * hidden)];
    }
}

/// <summary>
/// The workspace of an int8 multi-stream step (<see cref="IRecurrentStep.StepStreamsInt8"/>), carved from the plan's
/// float workspace: per stream <c>floatsPerStream</c> floats (gate pre-activations and the like), one activation scale,
/// a row of int32 sums and a row of quantized activation bytes.
/// </summary>
internal readonly ref struct Int8StreamScratch
{
    public Int8StreamScratch(Span<float> workspace, int streams, int floatsPerStream, int rows, int columns)
    {
        Count = streams;
        RowStride = PaddedRows(rows);
        ColumnStride = PaddedColumns(columns);
        Floats = workspace[..(streams * floatsPerStream)];
        Scales = workspace.Slice(streams * floatsPerStream, streams);
        int at = streams * (floatsPerStream + 1);
        Sums = MemoryMarshal.Cast<float, int>(workspace.Slice(at, streams * RowStride));
        Quantized = MemoryMarshal.Cast<float, sbyte>(workspace[(at + (streams * RowStride))..])[..(streams * ColumnStride)];
    }

    public int Count { get; }

    /// <summary>Int32 sums per stream: at least the padded rows of every matrix of the step.</summary>
    public int RowStride { get; }

    /// <summary>Quantized bytes per stream: at least the padded columns of every matrix of the step.</summary>
    public int ColumnStride { get; }

    public Span<float> Floats { get; }

    public Span<float> Scales { get; }

    public Span<int> Sums { get; }

    public Span<sbyte> Quantized { get; }

    /// <summary>The workspace floats for <paramref name="streams"/> streams of a step whose matrices have at most these rows and columns.</summary>
    public static long Length(int streams, int floatsPerStream, int rows, int columns) =>
        (long)streams * (floatsPerStream + 1 + PaddedRows(rows) + (PaddedColumns(columns) / 4));

    /// <summary>
    /// Quantizes stream <paramref name="stream"/>'s activation <paramref name="x"/> for <paramref name="w"/> as
    /// <see cref="RecurrentKernel.MultiplyQuantized"/> does (with <paramref name="staticScale"/>, or from its own range
    /// when 0) and keeps its scale.
    /// </summary>
    public void Quantize(int stream, Int8Matrix w, ReadOnlySpan<float> x, float staticScale = 0)
    {
        Span<sbyte> xq = Quantized.Slice(stream * ColumnStride, w.PaddedColumns);
        Scales[stream] = staticScale > 0 ? Int8Quantize.QuantizeWithScale(x, staticScale, xq) : Int8Quantize.QuantizeSymmetric(x, xq);
    }

    /// <summary>
    /// For every stream s, with the activations quantized by <see cref="Quantize"/>: destination_s = W x_s
    /// (+ destination_s when <paramref name="accumulate"/>) + bias, destination_s at s * <paramref name="destinationStride"/>:
    /// the integer products in one <see cref="BatchedInt8MatVec"/>, each stream's float finish as <see cref="Int8MatVec"/>'s.
    /// </summary>
    public void Multiply(Int8Matrix w, ReadOnlySpan<float> bias, bool accumulate, Span<float> destination, int destinationStride)
    {
        BatchedInt8MatVec.MultiplyInt32(w, Quantized, ColumnStride, Count, Sums, RowStride);
        for (int s = 0; s < Count; s++)
        {
            Int8MatVec.Finish(w, Sums.Slice(s * RowStride, w.PaddedRows), Scales[s], bias, accumulate, destination.Slice(s * destinationStride, w.Rows));
        }
    }

    /// <summary>
    /// For every stream: quantizes its x (with <paramref name="staticScale"/>, or from its own range when 0) and writes
    /// W x_s + the input bias to destination_s; then quantizes its h for <see cref="Int8RecurrentWeights.Recurrent"/>, so
    /// a <see cref="Multiply"/> with that matrix comes next (the part every cell's step shares).
    /// </summary>
    public void MultiplyInputThenQuantizeHidden(Int8RecurrentWeights w, ReadOnlySpan<Frame> frames, in RecurrentStreamSlots slots, float staticScale,
        Span<float> destination, int destinationStride)
    {
        for (int s = 0; s < Count; s++)
        {
            Quantize(s, w.Input, slots.X(frames[s]), staticScale);
        }

        Multiply(w.Input, w.InputBias, false, destination, destinationStride);
        for (int s = 0; s < Count; s++)
        {
            Quantize(s, w.Recurrent, slots.H(frames[s]));
        }
    }

    private static int PaddedRows(int rows) => (rows + Int8Matrix.BlockRows - 1) / Int8Matrix.BlockRows * Int8Matrix.BlockRows;

    // A multiple of 16 bytes, so every stream's bytes start on a float boundary of the workspace.
    private static int PaddedColumns(int columns) => (columns + 15) / 16 * 16;
}
