using EdgeRnn.Runtime.Kernels;

namespace EdgeRnn.Runtime.Tests.Kernels;

/// <summary>
/// <see cref="BatchedMatVec"/> against a scalar reference (each row summed k = 0 .. K - 1 with one fused multiply-add
/// per term, the bias added last): every width, both packed layouts, every row count and column count 0..257, every
/// vector count 0..13 and 33, bit for bit; and against <see cref="MatVec"/> per vector, bit for bit.
/// </summary>
public class BatchedMatVecTests
{
    private static readonly int[] s_fewColumns = [0, 1, 5, 68];
    private static readonly int[] s_fewRows = [1, 64, 100, 256];
    private static readonly int[] s_counts = [1, 2, 3, 5, 6, 7, 13, 16, 33];

    public static TheoryData<int> Layouts => new() { 1, PackedMatrix.MaxGroupPanels };

    /// <summary>The scalar width (the kernel's own reference instantiation) and every width this machine accelerates.</summary>
    private static IEnumerable<SimdWidth> Widths() => [SimdWidth.Scalar, .. KernelTestHelpers.AcceleratedWidths()];

    [Theory]
    [MemberData(nameof(Layouts))]
    public void Multiply_EveryRowCount_MatchesScalarReference(int panelsPerGroup)
    {
        var random = new Random(11);
        foreach (int columns in s_fewColumns)
        {
            for (int rows = 0; rows <= 257; rows++)
            {
                Compare(random, rows, columns, count: 1 + (rows % 8), panelsPerGroup);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public void Multiply_EveryColumnCount_MatchesScalarReference(int panelsPerGroup)
    {
        var random = new Random(12);
        foreach (int rows in s_fewRows)
        {
            for (int columns = 0; columns <= 257; columns++)
            {
                Compare(random, rows, columns, count: 1 + (columns % 7), panelsPerGroup);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public void Multiply_EveryVectorCount_MatchesScalarReference(int panelsPerGroup)
    {
        var random = new Random(13);
        foreach (int rows in new[] { 3, 64, 200, 1024 })
        {
            for (int count = 0; count <= 13; count++)
            {
                Compare(random, rows, 37, count, panelsPerGroup);
            }

            Compare(random, rows, 37, 33, panelsPerGroup);
        }
    }

    [Fact]
    public void Multiply_LstmGateShapes_BitIdenticalToMatVecPerVector()
    {
        var random = new Random(14);
        foreach ((int rows, int columns) in new[] { (64, 20), (256, 68), (1024, 260), (1024, 512) })
        {
            PackedMatrix w = PackedMatrix.FromRowMajor(KernelTestHelpers.RandomArray(random, rows * columns), rows, columns);
            float[] bias = KernelTestHelpers.RandomArray(random, rows);
            foreach (int count in s_counts)
            {
                float[] x = KernelTestHelpers.RandomArray(random, count * columns);
                var batched = new float[count * rows];
                BatchedMatVec.Multiply(w, x, columns, count, bias, batched, rows);
                var single = new float[rows];
                for (int s = 0; s < count; s++)
                {
                    MatVec.Multiply(w, x.AsSpan(s * columns, columns), bias, single);
                    AssertBitIdentical(single, batched.AsSpan(s * rows, rows), $"{rows}x{columns}, {count} vectors, vector {s}");
                }
            }
        }
    }

    [Fact]
    public void Multiply_TooShortSpansOrStrides_Throw()
    {
        PackedMatrix w = PackedMatrix.FromRowMajor(new float[6 * 4], 6, 4);
        var x = new float[3 * 4];
        var d = new float[3 * 6];
        Assert.Throws<ArgumentOutOfRangeException>(() => BatchedMatVec.Multiply(w, x, 3, 3, default, d, 6));
        Assert.Throws<ArgumentOutOfRangeException>(() => BatchedMatVec.Multiply(w, x, 4, 3, default, d, 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => BatchedMatVec.Multiply(w, x, 4, -1, default, d, 6));
        Assert.Throws<ArgumentException>(() => BatchedMatVec.Multiply(w, x.AsSpan(1), 4, 3, default, d, 6));
        Assert.Throws<ArgumentException>(() => BatchedMatVec.Multiply(w, x, 4, 3, default, d.AsSpan(1), 6));
        Assert.Throws<ArgumentException>(() => BatchedMatVec.Multiply(w, x, 4, 3, new float[5], d, 6));
    }

    /// <summary>Random W, strided x and destination (with guards between the rows), with and without bias; every width.</summary>
    private static void Compare(Random random, int rows, int columns, int count, int panelsPerGroup)
    {
        PackedMatrix w = PackedMatrix.FromRowMajor(KernelTestHelpers.RandomArray(random, rows * columns), rows, columns, panelsPerGroup);
        int xStride = columns + 3, dStride = rows + 5;
        float[] x = KernelTestHelpers.RandomArray(random, count * xStride);
        float[] bias = KernelTestHelpers.RandomArray(random, rows);
        foreach (bool withBias in new[] { true, false })
        {
            float[] expected = Reference(w, x, xStride, count, withBias ? bias : null, dStride);
            foreach (SimdWidth width in Widths())
            {
                float[] actual = KernelTestHelpers.WithGuard(count * dStride);
                for (int s = 0; s < count; s++)
                {
                    actual.AsSpan((s * dStride) + rows, dStride - rows).Fill(KernelTestHelpers.Guard);
                }

                BatchedMatVec.Multiply(w, x, xStride, count, withBias ? bias : default, actual, dStride, width);
                string context = $"{width}, {rows}x{columns}, {count} vectors, P={panelsPerGroup}, bias={withBias}";
                for (int s = 0; s < count; s++)
                {
                    AssertBitIdentical(expected.AsSpan(s * dStride, rows), actual.AsSpan(s * dStride, rows), $"{context}, vector {s}");
                    KernelTestHelpers.AssertGuardIntact(actual.AsSpan((s * dStride) + rows, dStride - rows), 0, $"{context}, vector {s}");
                }

                KernelTestHelpers.AssertGuardIntact(actual, count * dStride, context);
            }
        }
    }

    private static float[] Reference(PackedMatrix w, float[] x, int xStride, int count, float[]? bias, int dStride)
    {
        var d = new float[count * dStride];
        ref float data = ref w.GetDataReference();
        for (int s = 0; s < count; s++)
        {
            for (int r = 0; r < w.Rows; r++)
            {
                float sum = 0;
                for (int k = 0; k < w.Columns; k++)
                {
                    sum = MathF.FusedMultiplyAdd(System.Runtime.CompilerServices.Unsafe.Add(ref data, w.IndexOf(r, k)), x[(s * xStride) + k], sum);
                }

                d[(s * dStride) + r] = bias is null ? sum : sum + bias[r];
            }
        }

        return d;
    }

    private static void AssertBitIdentical(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string context)
    {
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i]),
                $"{context}: row {i} expected {expected[i]:R} but was {actual[i]:R}.");
        }
    }
}
