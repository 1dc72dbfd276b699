using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace EdgeRnn.Runtime.Kernels;

/// <summary>
/// An immutable weight matrix W (Rows x Columns) packed for fast matrix-vector products.
/// </summary>
/// <remarks>
/// <para>
/// Rows are grouped into panels of <see cref="PanelWidth"/> (64) rows, and panels into groups of up to
/// P = <see cref="PanelsPerGroup"/> panels (1 .. <see cref="MaxGroupPanels"/>), chosen when the matrix is packed. Group g
/// covers panels P*g .. P*g + n - 1, where n = <see cref="PanelsInGroup"/>(g) is P for every group except possibly the
/// last (1 .. P). Each group is one block [column][n * 64 rows]: for every column k, the n * 64 consecutive values
/// W[G*g + q, k] (q = 0 .. n*64 - 1, G = <see cref="GroupWidth"/> = P * 64). Blocks follow each other, so group g starts
/// at element G * g * Columns, and W[r, k] is at <see cref="IndexOf"/>(r, k) = G * g * Columns + k * (n * 64) + (r - G g),
/// with g = r / G. Rows at or past <see cref="Rows"/> are zero.
/// </para>
/// <para>
/// The group size follows the kernel that will read the matrix (<see cref="MatVec.PreferredPanelsPerGroup(int, int)"/>). With
/// P = 4, the Vector512 kernel reads a group as one contiguous stream (one 256-float row per column, 16 accumulators).
/// With P = 1 every panel is its own contiguous block [k][64], which is what the one-panel-at-a-time Vector256 and
/// Vector128 kernels want: reading one panel out of a 4-panel group touches 4 of every 16 cache lines per column and
/// streams measurably worse once the matrix leaves L1. Every kernel reads every layout correctly; only speed differs.
/// </para>
/// <para>
/// The elements live in <see cref="Data"/> from <see cref="Offset"/> on (use <see cref="GetDataReference"/>). The array
/// is allocated on the pinned object heap, which never moves it, and <see cref="Offset"/> puts the first element on a
/// 64-byte boundary; every group block, every column row (n * 256 bytes) and every panel inside a row (256 bytes) is
/// therefore 64-byte aligned, so no 16/32/64-byte vector load of the packed data ever splits a cache line.
/// </para>
/// </remarks>
internal sealed class PackedMatrix
{
    /// <summary>The number of rows in one panel.</summary>
    public const int PanelWidth = 64;

    /// <summary>The largest group: the number of panels the Vector512 kernel streams together.</summary>
    public const int MaxGroupPanels = 4;

    /// <summary>The number of rows in the largest group: MaxGroupPanels * PanelWidth.</summary>
    public const int MaxGroupWidth = MaxGroupPanels * PanelWidth;

    private const int AlignmentBytes = 64;

    /// <summary>Counts the calls that streamed this matrix, so successive calls can alternate the group order.</summary>
    /// <remarks>
    /// A plain field on purpose: when several threads share a matrix, a lost or duplicated increment only changes the
    /// order in which groups are visited, and group order never changes any row's result (each row is summed by
    /// exactly one group, always in column order). It is only written for matrices with more than one group.
    /// </remarks>
    private int _passes;

    private PackedMatrix(float[] data, int offset, int rows, int columns, int panelCount, int panelsPerGroup)
    {
        Data = data;
        Offset = offset;
        Rows = rows;
        Columns = columns;
        PanelCount = panelCount;
        PanelsPerGroup = panelsPerGroup;
    }

    /// <summary>The number of rows of W.</summary>
    public int Rows { get; }

    /// <summary>The number of columns of W (the length of the x operand).</summary>
    public int Columns { get; }

    /// <summary>The number of 64-row panels: ceil(Rows / 64).</summary>
    public int PanelCount { get; }

    /// <summary>PanelCount * 64.</summary>
    public int PaddedRows => PanelCount * PanelWidth;

    /// <summary>The number of panels in a full group (1 .. <see cref="MaxGroupPanels"/>), fixed when packing.</summary>
    public int PanelsPerGroup { get; }

    /// <summary>The number of rows in a full group: PanelsPerGroup * 64.</summary>
    public int GroupWidth => PanelsPerGroup * PanelWidth;

    /// <summary>The number of groups: ceil(PanelCount / PanelsPerGroup).</summary>
    public int GroupCount => (PanelCount + PanelsPerGroup - 1) / PanelsPerGroup;

    /// <summary>The number of packed elements, PanelCount * 64 * Columns, starting at Data[Offset].</summary>
    public int Length => PanelCount * PanelWidth * Columns;

    /// <summary>The backing array; the packed elements are Data[Offset .. Offset + Length).</summary>
#pragma warning disable CA1819 // Kernels index the packed array directly; it is never handed out of the assembly.
    internal float[] Data { get; }
#pragma warning restore CA1819

    /// <summary>Where the packed elements start in <see cref="Data"/>; Data[Offset] is 64-byte aligned.</summary>
    internal int Offset { get; }

    /// <summary>
    /// The number of panels in group <paramref name="group"/>: PanelsPerGroup, except possibly for the last group
    /// (1 .. PanelsPerGroup).
    /// </summary>
    public int PanelsInGroup(int group) => Math.Min(PanelsPerGroup, PanelCount - (group * PanelsPerGroup));

    /// <summary>A reference to the first packed element (64-byte aligned).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal ref float GetDataReference() => ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(Data), Offset);

    /// <summary>The position of W[row, column] relative to <see cref="GetDataReference"/>.</summary>
    internal int IndexOf(int row, int column)
    {
        int groupWidth = GroupWidth;
        int group = row / groupWidth;
        return (group * groupWidth * Columns) + (column * PanelsInGroup(group) * PanelWidth) + (row - (group * groupWidth));
    }

    /// <summary>
    /// Whether this pass should visit the groups last to first. Alternating directions ("snake" order) means each call
    /// starts with the groups the previous call touched last, which are the ones still in cache when the whole matrix
    /// does not fit. See the remarks on the pass counter about concurrent use.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal bool NextPassIsBackward()
    {
        if (PanelCount <= PanelsPerGroup)
        {
            return false;
        }

        int passes = _passes;
        _passes = passes + 1;
        return (passes & 1) != 0;
    }

    /// <summary>
    /// Packs a row-major matrix, source[r * columns + c] = W[r, c], in the layout the dispatched kernel reads fastest
    /// (<see cref="MatVec.PreferredPanelsPerGroup(int, int)"/>).
    /// </summary>
    public static PackedMatrix FromRowMajor(ReadOnlySpan<float> source, int rows, int columns) =>
        FromRowMajor(source, rows, columns, MatVec.PreferredPanelsPerGroup(rows, columns));

    /// <summary>Packs a row-major matrix in groups of <paramref name="panelsPerGroup"/> panels (1 .. 4).</summary>
    internal static PackedMatrix FromRowMajor(ReadOnlySpan<float> source, int rows, int columns, int panelsPerGroup)
    {
        PackedMatrix packed = Allocate(source, rows, columns, panelsPerGroup);
        Span<float> data = packed.Data.AsSpan(packed.Offset, packed.Length);
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> row = source.Slice(r * columns, columns);
            int start = packed.IndexOf(r, 0);
            int stride = packed.PanelsInGroup(r / packed.GroupWidth) * PanelWidth;
            for (int c = 0; c < columns; c++)
            {
                data[start + (c * stride)] = row[c];
            }
        }

        return packed;
    }

    /// <summary>
    /// Packs a column-major matrix (a MatMul B operand seen as W = Bᵀ), source[c * rows + r] = W[r, c], in the layout the
    /// dispatched kernel reads fastest (<see cref="MatVec.PreferredPanelsPerGroup(int, int)"/>).
    /// </summary>
    public static PackedMatrix FromColumnMajor(ReadOnlySpan<float> source, int rows, int columns) =>
        FromColumnMajor(source, rows, columns, MatVec.PreferredPanelsPerGroup(rows, columns));

    /// <summary>Packs a column-major matrix in groups of <paramref name="panelsPerGroup"/> panels (1 .. 4).</summary>
    internal static PackedMatrix FromColumnMajor(ReadOnlySpan<float> source, int rows, int columns, int panelsPerGroup)
    {
        PackedMatrix packed = Allocate(source, rows, columns, panelsPerGroup);
        Span<float> data = packed.Data.AsSpan(packed.Offset, packed.Length);
        for (int c = 0; c < columns; c++)
        {
            ReadOnlySpan<float> column = source.Slice(c * rows, rows);
            for (int r = 0; r < rows; r++)
            {
                data[packed.IndexOf(r, c)] = column[r];
            }
        }

        return packed;
    }

    private static PackedMatrix Allocate(ReadOnlySpan<float> source, int rows, int columns, int panelsPerGroup)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        ArgumentOutOfRangeException.ThrowIfLessThan(panelsPerGroup, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(panelsPerGroup, MaxGroupPanels);
        long count = (long)rows * columns;
        if (source.Length < count)
        {
            throw new ArgumentException($"The source holds {source.Length} elements; a {rows}x{columns} matrix needs {count}.", nameof(source));
        }

        int panelCount = (rows + PanelWidth - 1) / PanelWidth;
        const int Slack = (AlignmentBytes / sizeof(float)) - 1;
        long packed = (long)panelCount * columns * PanelWidth;
        if (packed + Slack > Array.MaxLength)
        {
            throw new ArgumentException($"A {rows}x{columns} matrix is too large to pack.", nameof(rows));
        }

        // The pinned object heap never relocates the array, so an offset computed from its address now stays valid.
        // Array data is at least 4-byte (in practice 8-byte) aligned, so the offset is a whole number of floats.
        float[] data = GC.AllocateArray<float>((int)packed + Slack, pinned: true);
        nint address = AddressOf(ref MemoryMarshal.GetArrayDataReference(data));
        int offset = (int)((AlignmentBytes - (address & (AlignmentBytes - 1))) & (AlignmentBytes - 1)) / sizeof(float);
        return new PackedMatrix(data, offset, rows, columns, panelCount, panelsPerGroup);
    }

    private static unsafe nint AddressOf(ref float element) => (nint)Unsafe.AsPointer(ref element);
}
