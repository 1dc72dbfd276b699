namespace EdgeRnn.Runtime.Graph;

/// <summary>
/// What the planner remembers about a float constant that a DequantizeLinear node (or a com.microsoft dynamic
/// quantization node) made from symmetric int8 data: the int8 values and the scale of every element. Kernels that
/// can run integer math ask for it by the constant's <see cref="Tensor"/> reference; the rest see the float values.
/// </summary>
internal sealed class QuantizedTensor(sbyte[] values, float[] elementScales)
{
    /// <summary>The int8 values, in the float constant's element order.</summary>
    public sbyte[] Values { get; } = values;

    /// <summary>The scale of each element: float value = Values[i] * ElementScales[i].</summary>
    public float[] ElementScales { get; } = elementScales;

    /// <summary>
    /// Views elements [offset, offset + rows * columns) as a matrix W[rows, columns] (row-major: W[r, k] at
    /// offset + r * columns + k; column-major: at offset + k * rows + r) and returns its row-major int8 values and one
    /// scale per row, or false when some row mixes scales (e.g. per-column quantization of a row-major matrix).
    /// </summary>
    public bool TryGetRows(int offset, int rows, int columns, bool columnMajor, out sbyte[] rowMajor, out float[] rowScales)
    {
        rowMajor = new sbyte[rows * columns];
        rowScales = new float[rows];
        for (int r = 0; r < rows; r++)
        {
            for (int k = 0; k < columns; k++)
            {
                int at = offset + (columnMajor ? (k * rows) + r : (r * columns) + k);
                float s = ElementScales[at];
                if (k == 0)
                {
                    rowScales[r] = s;
                }
                else if (s != rowScales[r])
                {
                    return false;
                }

                rowMajor[(r * columns) + k] = Values[at];
            }
        }

        if (columns == 0)
        {
            Array.Fill(rowScales, 1f);
        }

        return true;
    }
}
