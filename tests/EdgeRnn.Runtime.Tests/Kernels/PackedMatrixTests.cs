using EdgeRnn.Runtime.Kernels;

namespace EdgeRnn.Runtime.Tests.Kernels;

public class PackedMatrixTests
{
    [Theory]
    [InlineData(0, 0)]
    [InlineData(0, 5)]
    [InlineData(5, 0)]
    [InlineData(1, 1)]
    [InlineData(64, 3)]
    [InlineData(65, 7)]
    [InlineData(200, 68)]
    public void FromRowMajor_AnyShape_PacksPanelsAndZeroPads(int rows, int columns)
    {
        float[] source = KernelTestHelpers.RandomArray(new Random(rows * 1000 + columns), rows * columns);

        PackedMatrix packed = PackedMatrix.FromRowMajor(source, rows, columns);

        AssertLayout(packed, rows, columns, (r, c) => source[r * columns + c]);
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(3, 0)]
    [InlineData(1, 1)]
    [InlineData(64, 3)]
    [InlineData(130, 9)]
    public void FromColumnMajor_AnyShape_PacksPanelsAndZeroPads(int rows, int columns)
    {
        float[] source = KernelTestHelpers.RandomArray(new Random(rows * 1000 + columns), rows * columns);

        PackedMatrix packed = PackedMatrix.FromColumnMajor(source, rows, columns);

        AssertLayout(packed, rows, columns, (r, c) => source[c * rows + r]);
    }

    [Fact]
    public void FromRowMajor_SourceTooShort_Throws()
    {
        Assert.Throws<ArgumentException>(() => PackedMatrix.FromRowMajor(new float[5], 2, 3));
        Assert.Throws<ArgumentException>(() => PackedMatrix.FromColumnMajor(new float[5], 2, 3));
    }

    [Fact]
    public void FromRowMajor_NegativeDimension_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => PackedMatrix.FromRowMajor([], -1, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => PackedMatrix.FromColumnMajor([], 1, -3));
    }

    private static void AssertLayout(PackedMatrix packed, int rows, int columns, Func<int, int, float> expected)
    {
        int panels = (rows + 63) / 64;
        Assert.Equal(rows, packed.Rows);
        Assert.Equal(columns, packed.Columns);
        Assert.Equal(panels, packed.PanelCount);
        Assert.Equal(panels * 64, packed.PaddedRows);
        Assert.Equal(panels * columns * 64, packed.Data.Length);
        for (int p = 0; p < panels; p++)
        {
            for (int c = 0; c < columns; c++)
            {
                for (int j = 0; j < 64; j++)
                {
                    int r = p * 64 + j;
                    float value = packed.Data[((p * columns) + c) * 64 + j];
                    Assert.Equal(r < rows ? expected(r, c) : 0f, value);
                }
            }
        }
    }
}
