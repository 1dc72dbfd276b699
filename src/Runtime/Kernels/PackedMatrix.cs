namespace EdgeRnn.Runtime.Kernels;

/// <summary>
/// An immutable weight matrix W (Rows x Columns) packed for fast matrix-vector products.
/// </summary>
/// <remarks>
/// Rows are grouped into panels of <see cref="PanelWidth"/>. <see cref="Data"/> holds, for each panel p and each
/// column k, the 64 consecutive values W[p*64 + j, k] (j = 0..63): index ((p * Columns) + k) * 64 + j. Rows at or past
/// <see cref="Rows"/> are zero. A mat-vec kernel therefore streams the data once, front to back, broadcasting x[k]
/// and doing one fused multiply-add per 64 rows per column.
/// </remarks>
internal sealed class PackedMatrix
{
    /// <summary>The number of rows in one panel.</summary>
    public const int PanelWidth = 64;

    private PackedMatrix(float[] data, int rows, int columns, int panelCount)
    {
        Data = data;
        Rows = rows;
        Columns = columns;
        PanelCount = panelCount;
    }

    /// <summary>The number of rows of W.</summary>
    public int Rows { get; }

    /// <summary>The number of columns of W (the length of the x operand).</summary>
    public int Columns { get; }

    /// <summary>The number of 64-row panels: ceil(Rows / 64).</summary>
    public int PanelCount { get; }

    /// <summary>PanelCount * 64.</summary>
    public int PaddedRows => PanelCount * PanelWidth;

    /// <summary>The packed elements, [panel][column][64 rows]; length PanelCount * Columns * 64.</summary>
#pragma warning disable CA1819 // Kernels index the packed array directly; it is never handed out of the assembly.
    internal float[] Data { get; }
#pragma warning restore CA1819

    /// <summary>Packs a row-major matrix: source[r * columns + c] = W[r, c].</summary>
    public static PackedMatrix FromRowMajor(ReadOnlySpan<float> source, int rows, int columns)
    {
        (float[] data, int panelCount) = Allocate(source, rows, columns);
        for (int r = 0; r < rows; r++)
        {
            int panelBase = (r / PanelWidth) * columns * PanelWidth + (r % PanelWidth);
            ReadOnlySpan<float> row = source.Slice(r * columns, columns);
            for (int c = 0; c < columns; c++)
            {
                data[panelBase + c * PanelWidth] = row[c];
            }
        }

        return new PackedMatrix(data, rows, columns, panelCount);
    }

    /// <summary>Packs a column-major matrix (a MatMul B operand seen as W = Bᵀ): source[c * rows + r] = W[r, c].</summary>
    public static PackedMatrix FromColumnMajor(ReadOnlySpan<float> source, int rows, int columns)
    {
        (float[] data, int panelCount) = Allocate(source, rows, columns);
        for (int c = 0; c < columns; c++)
        {
            ReadOnlySpan<float> column = source.Slice(c * rows, rows);
            for (int r = 0; r < rows; r++)
            {
                data[((r / PanelWidth) * columns + c) * PanelWidth + (r % PanelWidth)] = column[r];
            }
        }

        return new PackedMatrix(data, rows, columns, panelCount);
    }

    private static (float[] Data, int PanelCount) Allocate(ReadOnlySpan<float> source, int rows, int columns)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        long count = (long)rows * columns;
        if (source.Length < count)
        {
            throw new ArgumentException($"The source holds {source.Length} elements; a {rows}x{columns} matrix needs {count}.", nameof(source));
        }

        int panelCount = (rows + PanelWidth - 1) / PanelWidth;
        long packed = (long)panelCount * columns * PanelWidth;
        if (packed > Array.MaxLength)
        {
            throw new ArgumentException($"A {rows}x{columns} matrix is too large to pack.", nameof(rows));
        }

        return (new float[packed], panelCount);
    }
}
