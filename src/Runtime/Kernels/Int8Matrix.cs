using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace EdgeRnn.Runtime.Kernels;

/// <summary>
/// An immutable symmetric int8 weight matrix W (Rows x Columns) with one float scale per row (per output channel),
/// packed for the integer mat-vec kernels in <see cref="Int8MatVec"/>: the real weight is W[r, k] * Scales[r].
/// </summary>
/// <remarks>
/// <para>
/// Rows are grouped into blocks of <see cref="BlockRows"/> (16) and columns into quads of 4. Block b is stored as
/// <see cref="ColumnQuads"/> runs of 64 bytes; run q holds, for each of the 16 rows in order, the 4 bytes
/// W[16b + i, 4q .. 4q + 3]. So W[r, k] is at 64 * (b * ColumnQuads + k / 4) + 4 * (r % 16) + k % 4, b = r / 16.
/// </para>
/// <para>
/// That is the operand order of the 4-way byte dot products: one 32-bit lane per row, 4 consecutive columns per lane
/// (x86 <c>vpdpbusd</c>, ARM64 <c>SDOT</c>), with the 4 activation bytes of a quad broadcast to every lane. Rows and
/// columns past the matrix are zero, so padded activations never change a sum. <see cref="RowSums"/> holds
/// Σ_k W[r, k], which turns an unsigned product Σ W (x + 128) back into the signed Σ W x.
/// </para>
/// </remarks>
internal sealed class Int8Matrix
{
    /// <summary>The number of rows in one block.</summary>
    public const int BlockRows = 16;

    /// <summary>Bytes in one (block, column quad) run: 16 rows x 4 columns.</summary>
    public const int RunBytes = BlockRows * 4;

    private const int AlignmentBytes = 64;

    private Int8Matrix(sbyte[] data, int offset, int rows, int columns, int[] rowSums, float[] scales)
    {
        Data = data;
        Offset = offset;
        Rows = rows;
        Columns = columns;
        RowSums = rowSums;
        Scales = scales;
    }

    /// <summary>The number of rows of W.</summary>
    public int Rows { get; }

    /// <summary>The number of columns of W.</summary>
    public int Columns { get; }

    /// <summary>The number of 16-row blocks: ceil(Rows / 16).</summary>
    public int BlockCount => (Rows + BlockRows - 1) / BlockRows;

    /// <summary>BlockCount * 16: the length of an int32 destination.</summary>
    public int PaddedRows => BlockCount * BlockRows;

    /// <summary>The number of column quads: ceil(Columns / 4).</summary>
    public int ColumnQuads => (Columns + 3) / 4;

    /// <summary>ColumnQuads * 4: the length an activation operand must have (its padding is ignored).</summary>
    public int PaddedColumns => ColumnQuads * 4;

#pragma warning disable CA1819 // Kernels index these arrays directly; they never leave the assembly.
    /// <summary>The backing array; the packed bytes start at <see cref="Offset"/>, 64-byte aligned.</summary>
    internal sbyte[] Data { get; }

    /// <summary>Σ_k W[r, k] per row (PaddedRows entries; zero past Rows).</summary>
    internal int[] RowSums { get; }

    /// <summary>The float scale of each row (PaddedRows entries; zero past Rows).</summary>
    internal float[] Scales { get; }
#pragma warning restore CA1819

    /// <summary>Where the packed bytes start in <see cref="Data"/>.</summary>
    internal int Offset { get; }

    /// <summary>A reference to the first packed byte.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal ref sbyte GetDataReference() => ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(Data), Offset);

    /// <summary>The position of W[row, column] relative to <see cref="GetDataReference"/>.</summary>
    internal int IndexOf(int row, int column) =>
        (RunBytes * (((row / BlockRows) * ColumnQuads) + (column / 4))) + (4 * (row % BlockRows)) + (column % 4);

    /// <summary>The int8 value of W[row, column].</summary>
    internal sbyte this[int row, int column] => Unsafe.Add(ref GetDataReference(), IndexOf(row, column));

    /// <summary>
    /// Packs a row-major int8 matrix, source[r * columns + c] = W[r, c], with per-row scales
    /// (<paramref name="scales"/> of length 1 means one scale for the whole tensor).
    /// </summary>
    public static Int8Matrix FromRowMajor(ReadOnlySpan<sbyte> source, ReadOnlySpan<float> scales, int rows, int columns)
    {
        Int8Matrix m = Allocate(source.Length, scales, rows, columns);
        Span<sbyte> data = m.Data.AsSpan(m.Offset);
        for (int r = 0; r < rows; r++)
        {
            int sum = 0;
            for (int c = 0; c < columns; c++)
            {
                sbyte v = source[(r * columns) + c];
                data[m.IndexOf(r, c)] = v;
                sum += v;
            }

            m.RowSums[r] = sum;
        }

        return m;
    }

    /// <summary>Packs a column-major int8 matrix (a MatMul B operand seen as W = Bᵀ): source[c * rows + r] = W[r, c].</summary>
    public static Int8Matrix FromColumnMajor(ReadOnlySpan<sbyte> source, ReadOnlySpan<float> scales, int rows, int columns)
    {
        Int8Matrix m = Allocate(source.Length, scales, rows, columns);
        Span<sbyte> data = m.Data.AsSpan(m.Offset);
        for (int c = 0; c < columns; c++)
        {
            for (int r = 0; r < rows; r++)
            {
                sbyte v = source[(c * rows) + r];
                data[m.IndexOf(r, c)] = v;
                m.RowSums[r] += v;
            }
        }

        return m;
    }

    private static Int8Matrix Allocate(int sourceLength, ReadOnlySpan<float> scales, int rows, int columns)
    {
#pragma warning disable CA2208 // The length checked here is the public callers' 'source' argument.
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        long count = (long)rows * columns;
        if (sourceLength < count)
        {
            throw new ArgumentException($"The source holds {sourceLength} elements; a {rows}x{columns} matrix needs {count}.", "source");
        }
#pragma warning restore CA2208

        if (scales.Length != 1 && scales.Length != rows)
        {
            throw new ArgumentException($"{scales.Length} scales for {rows} rows; expected 1 (per tensor) or {rows} (per row).", nameof(scales));
        }

        long blocks = (rows + BlockRows - 1) / BlockRows;
        long quads = (columns + 3) / 4;
        long length = blocks * quads * RunBytes;
        if (length + AlignmentBytes > Array.MaxLength)
        {
            throw new ArgumentException($"A {rows}x{columns} int8 matrix is too large to pack.", nameof(rows));
        }

        sbyte[] data = GC.AllocateArray<sbyte>((int)length + AlignmentBytes - 1, pinned: true);
        nint address = AddressOf(ref MemoryMarshal.GetArrayDataReference(data));
        int offset = (int)((AlignmentBytes - (address & (AlignmentBytes - 1))) & (AlignmentBytes - 1));
        int padded = (int)blocks * BlockRows;
        var rowScales = new float[padded];
        for (int r = 0; r < rows; r++)
        {
            rowScales[r] = scales.Length == 1 ? scales[0] : scales[r];
        }

        return new Int8Matrix(data, offset, rows, columns, new int[padded], rowScales);
    }

    private static unsafe nint AddressOf(ref sbyte element) => (nint)Unsafe.AsPointer(ref element);
}
