using EdgeRnn.Runtime.Onnx;

namespace EdgeRnn.Runtime.Graph;

/// <summary>
/// Shape arithmetic shared by the operators: axes, strides, broadcasting and index maps. Dimensions come from the
/// file, so every product and sum is checked: an overflow is a <see cref="ModelFormatException"/> naming the node (or
/// an <see cref="OverflowException"/>, which the plan builder reports naming the node), never a wrapped size.
/// </summary>
internal static class ShapeMath
{
    public static int NormalizeAxis(long axis, int rank, OnnxNode node, string what = "axis")
    {
        long a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank)
        {
            throw new ModelFormatException($"{node.Describe()} has {what} {axis}, outside the valid range for rank {rank}.");
        }

        return (int)a;
    }

    public static int[] Strides(ReadOnlySpan<int> shape)
    {
        var strides = new int[shape.Length];
        int s = 1;
        for (int i = shape.Length - 1; i >= 0; i--)
        {
            strides[i] = s;
            s = i > 0 ? checked(s * shape[i]) : s; // the outermost stride product is never used
        }

        return strides;
    }

    /// <summary>Steps a row-major multi-index to the next element of <paramref name="shape"/> (wrapping to all zeros).</summary>
    public static void Advance(Span<int> index, ReadOnlySpan<int> shape)
    {
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            if (++index[d] < shape[d])
            {
                return;
            }

            index[d] = 0;
        }
    }

    /// <summary>The product of dimensions [<paramref name="start"/>, <paramref name="end"/>); throws <see cref="OverflowException"/> past int.</summary>
    public static int Product(ReadOnlySpan<int> shape, int start, int end)
    {
        int p = 1;
        for (int i = start; i < end; i++)
        {
            p = checked(p * shape[i]);
        }

        return p;
    }

    /// <summary>
    /// <paramref name="a"/> * <paramref name="b"/> as a dimension (0 to int.MaxValue), computed exactly; anything else
    /// is a <see cref="ModelFormatException"/> naming the node and <paramref name="what"/>.
    /// </summary>
    public static int MultiplyToDim(long a, long b, OnnxNode node, string what) => ToDim((Int128)a * b, node, what, $"{a} x {b} = ");

    /// <summary>A dimension computed exactly in 128 bits (sums and products of 64-bit values cannot wrap there).</summary>
    public static int ToDim(Int128 value, OnnxNode node, string what, string formula = "")
    {
        if (value < 0 || value > int.MaxValue)
        {
            throw new ModelFormatException($"{node.Describe()} has {what} {formula}{value}, which is not a valid dimension (0 to {int.MaxValue}).");
        }

        return (int)value;
    }

    /// <summary>Numpy-style multidirectional broadcast of two shapes.</summary>
    public static int[] Broadcast(int[] a, int[] b, OnnxNode node)
    {
        int rank = Math.Max(a.Length, b.Length);
        var result = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            int da = i - (rank - a.Length) >= 0 ? a[i - (rank - a.Length)] : 1;
            int db = i - (rank - b.Length) >= 0 ? b[i - (rank - b.Length)] : 1;
            if (da != db && da != 1 && db != 1)
            {
                throw new ModelFormatException($"{node.Describe()} cannot broadcast shapes {Tensor.FormatShape(a)} and {Tensor.FormatShape(b)}.");
            }

            result[i] = da == 1 ? db : da;
        }

        return result;
    }

    /// <summary>
    /// For every element of <paramref name="outShape"/>, the index of the element of a tensor of
    /// <paramref name="inShape"/> that broadcasts to it.
    /// </summary>
    public static int[] BroadcastMap(int[] inShape, int[] outShape)
    {
        int rank = outShape.Length;
        var inStrides = new int[rank];
        int[] own = Strides(inShape);
        for (int i = 0; i < rank; i++)
        {
            int j = i - (rank - inShape.Length);
            inStrides[i] = j >= 0 && inShape[j] != 1 ? own[j] : 0;
        }

        return MapFromStrides(outShape, inStrides, 0);
    }

    /// <summary>Index map for an output whose element at multi-index m reads input element offset + sum(m[i] * strides[i]).</summary>
    public static int[] MapFromStrides(int[] outShape, int[] inStrides, int offset)
    {
        int count = Tensor.ElementCount(outShape);
        var map = new int[count];
        int rank = outShape.Length;
        Span<int> index = stackalloc int[Math.Max(rank, 1)];
        index.Clear();
        int src = offset;
        for (int n = 0; n < count; n++)
        {
            map[n] = src;
            for (int d = rank - 1; d >= 0; d--)
            {
                index[d]++;
                src += inStrides[d];
                if (index[d] < outShape[d])
                {
                    break;
                }

                src -= inStrides[d] * index[d];
                index[d] = 0;
            }
        }

        return map;
    }

    public static bool SameShape(ReadOnlySpan<int> a, ReadOnlySpan<int> b) => a.SequenceEqual(b);

    public static int ToDim(long value, OnnxNode node, string what)
    {
        if (value < 0 || value > int.MaxValue)
        {
            throw new ModelFormatException($"{node.Describe()} has {what} {value}, which is not a valid dimension.");
        }

        return (int)value;
    }
}
