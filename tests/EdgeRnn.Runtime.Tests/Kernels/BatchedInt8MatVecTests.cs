using EdgeRnn.Runtime.Kernels;

namespace EdgeRnn.Runtime.Tests.Kernels;

/// <summary>
/// <see cref="BatchedInt8MatVec"/>: the batched integer product (where this machine batches) and its per-vector loop
/// against a naive int32 reference, on every row count and column count 0..257, every vector count 0..9 and 33, over the
/// full int8 range including -128 (exact integers: equal, not close).
/// </summary>
public class BatchedInt8MatVecTests
{
    private static readonly int[] s_fewColumns = [0, 1, 3, 4, 5, 68];
    private static readonly int[] s_fewRows = [1, 16, 17, 100, 256];

    [Fact]
    public void MultiplyInt32_EveryRowCount_MatchesReference()
    {
        var random = new Random(21);
        foreach (int columns in s_fewColumns)
        {
            for (int rows = 0; rows <= 257; rows++)
            {
                Compare(random, rows, columns, 1 + (rows % 6));
            }
        }
    }

    [Fact]
    public void MultiplyInt32_EveryColumnCount_MatchesReference()
    {
        var random = new Random(22);
        foreach (int rows in s_fewRows)
        {
            for (int columns = 0; columns <= 257; columns++)
            {
                Compare(random, rows, columns, 1 + (columns % 5));
            }
        }
    }

    [Fact]
    public void MultiplyInt32_EveryVectorCount_MatchesReference()
    {
        var random = new Random(23);
        foreach ((int rows, int columns) in new[] { (16, 4), (1024, 260), (768, 64) })
        {
            for (int count = 0; count <= 9; count++)
            {
                Compare(random, rows, columns, count);
            }

            Compare(random, rows, columns, 33);
        }
    }

    [Fact]
    public void MultiplyInt32_TooShortSpansOrStrides_Throw()
    {
        Int8Matrix w = Int8Matrix.FromRowMajor(new sbyte[20 * 6], [1f], 20, 6);
        var x = new sbyte[3 * 8];
        var d = new int[3 * 32];
        Assert.Throws<ArgumentOutOfRangeException>(() => BatchedInt8MatVec.MultiplyInt32(w, x, 7, 3, d, 32));
        Assert.Throws<ArgumentOutOfRangeException>(() => BatchedInt8MatVec.MultiplyInt32(w, x, 8, 3, d, 31));
        Assert.Throws<ArgumentException>(() => BatchedInt8MatVec.MultiplyInt32(w, x.AsSpan(1), 8, 3, d, 32));
        Assert.Throws<ArgumentException>(() => BatchedInt8MatVec.MultiplyInt32(w, x, 8, 3, d.AsSpan(1), 32));
    }

    private static void Compare(Random random, int rows, int columns, int count)
    {
        sbyte[] w = RandomBytes(random, rows * columns);
        Int8Matrix m = Int8Matrix.FromRowMajor(w, [0.5f], rows, columns);
        int xStride = m.PaddedColumns + 4, dStride = m.PaddedRows + 3;
        sbyte[] x = RandomBytes(random, count * xStride);
        foreach (bool batched in new[] { true, false })
        {
            var d = new int[(count * dStride) + 5];
            d.AsSpan().Fill(int.MinValue);
            BatchedInt8MatVec.MultiplyInt32(m, x, xStride, count, d, dStride, batched);
            for (int s = 0; s < count; s++)
            {
                for (int r = 0; r < m.PaddedRows; r++)
                {
                    int expected = 0;
                    for (int k = 0; r < rows && k < columns; k++)
                    {
                        expected += w[(r * columns) + k] * x[(s * xStride) + k];
                    }

                    Assert.True(expected == d[(s * dStride) + r], $"batched={batched} {rows}x{columns}, {count} vectors: vector {s} row {r} expected {expected} but was {d[(s * dStride) + r]}.");
                }

                for (int r = m.PaddedRows; r < dStride && (s * dStride) + r < d.Length; r++)
                {
                    Assert.True(d[(s * dStride) + r] == int.MinValue, $"batched={batched}: vector {s} wrote past its padded rows at {r}.");
                }
            }
        }
    }

    private static sbyte[] RandomBytes(Random random, int length)
    {
        var bytes = new sbyte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = (sbyte)random.Next(-128, 128);
        }

        return bytes;
    }
}
