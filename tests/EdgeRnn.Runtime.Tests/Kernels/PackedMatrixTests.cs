using System.Runtime.CompilerServices;
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
    [InlineData(449, 5)]
    [InlineData(640, 3)]
    [InlineData(700, 2)]
    public void FromRowMajor_AnyShape_PacksGroupsOfPanelsAndZeroPads(int rows, int columns)
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
    [InlineData(600, 4)]
    public void FromColumnMajor_AnyShape_PacksGroupsOfPanelsAndZeroPads(int rows, int columns)
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

    [Theory]
    [InlineData(1, 1)]
    [InlineData(64, 3)]
    [InlineData(100, 68)]
    [InlineData(1024, 260)]
    public void Pack_AnyShape_FirstElementIs64ByteAligned(int rows, int columns)
    {
        for (int attempt = 0; attempt < 8; attempt++)
        {
            // Allocate something odd-sized in between so the arrays do not all land on the same alignment.
            GC.KeepAlive(GC.AllocateArray<byte>(4 + attempt * 4, pinned: true));
            PackedMatrix packed = PackedMatrix.FromRowMajor(new float[rows * columns], rows, columns);

            Assert.Equal(0, AddressOf(ref packed.GetDataReference()) % 64);
            Assert.True(packed.Offset >= 0 && packed.Offset < 16, $"offset {packed.Offset}");
            Assert.True(packed.Offset + packed.Length <= packed.Data.Length);
        }
    }

    [Fact]
    public void Groups_CoverFourPanelsEachExceptTheLast()
    {
        PackedMatrix packed = PackedMatrix.FromRowMajor(new float[449 * 2], 449, 2); // 8 panels: 4 + 4
        Assert.Equal(2, packed.GroupCount);
        Assert.Equal(4, packed.PanelsInGroup(1));

        packed = PackedMatrix.FromRowMajor(new float[640], 640, 1); // 10 panels: 4 + 4 + 2
        Assert.Equal(3, packed.GroupCount);
        Assert.Equal(4, packed.PanelsInGroup(0));
        Assert.Equal(2, packed.PanelsInGroup(2));
        Assert.Equal(0, PackedMatrix.FromRowMajor([], 0, 5).GroupCount);
    }

    private static unsafe long AddressOf(ref float element) => (long)Unsafe.AsPointer(ref element);

    /// <summary>
    /// The documented layout, computed independently of the packer: groups of up to four 64-row panels, each group a
    /// block [column][n * 64] starting at 256 * g * columns, rows past Rows zero.
    /// </summary>
    private static void AssertLayout(PackedMatrix packed, int rows, int columns, Func<int, int, float> expected)
    {
        int panels = (rows + 63) / 64;
        Assert.Equal(rows, packed.Rows);
        Assert.Equal(columns, packed.Columns);
        Assert.Equal(panels, packed.PanelCount);
        Assert.Equal(panels * 64, packed.PaddedRows);
        Assert.Equal(panels * columns * 64, packed.Length);
        Assert.Equal((panels + 3) / 4, packed.GroupCount);
        ReadOnlySpan<float> data = packed.Data.AsSpan(packed.Offset, packed.Length);
        for (int g = 0; g * 4 < panels; g++)
        {
            int n = Math.Min(4, panels - (g * 4));
            Assert.Equal(n, packed.PanelsInGroup(g));
            for (int c = 0; c < columns; c++)
            {
                for (int q = 0; q < n * 64; q++)
                {
                    int r = (g * 256) + q;
                    int index = (g * 256 * columns) + (c * n * 64) + q;
                    Assert.Equal(index, packed.IndexOf(r, c));
                    Assert.Equal(r < rows ? expected(r, c) : 0f, data[index]);
                }
            }
        }
    }
}
