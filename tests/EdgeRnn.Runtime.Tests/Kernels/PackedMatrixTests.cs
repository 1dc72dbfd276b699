using System.Runtime.CompilerServices;
using EdgeRnn.Runtime.Kernels;

namespace EdgeRnn.Runtime.Tests.Kernels;

public class PackedMatrixTests
{
    private static readonly (int Rows, int Columns)[] s_rowMajorShapes =
        [(0, 0), (0, 5), (5, 0), (1, 1), (64, 3), (65, 7), (200, 68), (449, 5), (640, 3), (700, 2)];

    private static readonly (int Rows, int Columns)[] s_columnMajorShapes = [(0, 0), (3, 0), (1, 1), (64, 3), (130, 9), (600, 4)];

    /// <summary>The one-panel layout (Vector256/Vector128/scalar), the four-panel layout (Vector512) and the odd sizes between.</summary>
    public static TheoryData<int> GroupSizes => new() { 1, 2, 3, 4 };

    [Theory]
    [MemberData(nameof(GroupSizes))]
    public void FromRowMajor_AnyShape_PacksGroupsOfPanelsAndZeroPads(int panelsPerGroup)
    {
        foreach ((int rows, int columns) in s_rowMajorShapes)
        {
            float[] source = KernelTestHelpers.RandomArray(new Random(rows * 1000 + columns), rows * columns);

            PackedMatrix packed = PackedMatrix.FromRowMajor(source, rows, columns, panelsPerGroup);

            AssertLayout(packed, rows, columns, panelsPerGroup, (r, c) => source[r * columns + c]);
        }
    }

    [Theory]
    [MemberData(nameof(GroupSizes))]
    public void FromColumnMajor_AnyShape_PacksGroupsOfPanelsAndZeroPads(int panelsPerGroup)
    {
        foreach ((int rows, int columns) in s_columnMajorShapes)
        {
            float[] source = KernelTestHelpers.RandomArray(new Random(rows * 1000 + columns), rows * columns);

            PackedMatrix packed = PackedMatrix.FromColumnMajor(source, rows, columns, panelsPerGroup);

            AssertLayout(packed, rows, columns, panelsPerGroup, (r, c) => source[c * rows + r]);
        }
    }

    [Fact]
    public void FromRowMajor_DefaultLayout_MatchesExplicitPreferredLayout()
    {
        float[] source = KernelTestHelpers.RandomArray(new Random(3), 300 * 5);
        PackedMatrix byDefault = PackedMatrix.FromRowMajor(source, 300, 5);
        PackedMatrix explicitly = PackedMatrix.FromRowMajor(source, 300, 5, MatVec.PreferredPanelsPerGroup(300, 5));

        Assert.Equal(MatVec.PreferredPanelsPerGroup(300, 5), byDefault.PanelsPerGroup);
        Assert.True(byDefault.Data.AsSpan(byDefault.Offset, byDefault.Length).SequenceEqual(explicitly.Data.AsSpan(explicitly.Offset, explicitly.Length)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(5)]
    public void Pack_GroupSizeOutOfRange_Throws(int panelsPerGroup)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => PackedMatrix.FromRowMajor(new float[6], 2, 3, panelsPerGroup));
        Assert.Throws<ArgumentOutOfRangeException>(() => PackedMatrix.FromColumnMajor(new float[6], 2, 3, panelsPerGroup));
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
    [InlineData(1, 1, 1)]
    [InlineData(64, 3, 1)]
    [InlineData(100, 68, 1)]
    [InlineData(1024, 260, 1)]
    [InlineData(1, 1, 4)]
    [InlineData(64, 3, 4)]
    [InlineData(100, 68, 4)]
    [InlineData(1024, 260, 4)]
    [InlineData(449, 7, 4)]
    public void Pack_AnyShape_EveryGroupRowAndPanelIs64ByteAligned(int rows, int columns, int panelsPerGroup)
    {
        for (int attempt = 0; attempt < 8; attempt++)
        {
            // Allocate something odd-sized in between so the arrays do not all land on the same alignment.
            GC.KeepAlive(GC.AllocateArray<byte>(4 + attempt * 4, pinned: true));
            PackedMatrix packed = PackedMatrix.FromRowMajor(new float[rows * columns], rows, columns, panelsPerGroup);

            long start = AddressOf(ref packed.GetDataReference());
            Assert.Equal(0, start % 64);
            Assert.True(packed.Offset >= 0 && packed.Offset < 16, $"offset {packed.Offset}");
            Assert.True(packed.Offset + packed.Length <= packed.Data.Length);

            // The first row of every panel in every column: where the kernels' vector loads start.
            for (int r = 0; r < rows; r += 64)
            {
                for (int c = 0; c < columns; c++)
                {
                    Assert.Equal(0, (start + (packed.IndexOf(r, c) * sizeof(float))) % 64);
                }
            }
        }
    }

    [Fact]
    public void Groups_OnePanelLayout_EveryPanelIsAContiguousBlock()
    {
        PackedMatrix packed = PackedMatrix.FromRowMajor(new float[449 * 3], 449, 3, panelsPerGroup: 1); // 8 panels
        Assert.Equal(1, packed.PanelsPerGroup);
        Assert.Equal(64, packed.GroupWidth);
        Assert.Equal(8, packed.GroupCount);
        for (int g = 0; g < packed.GroupCount; g++)
        {
            Assert.Equal(1, packed.PanelsInGroup(g));
        }

        // Panel p is [k][64] starting at 64 * 3 * p: consecutive columns of one row are 64 floats apart.
        Assert.Equal(64 * 3 * 7, packed.IndexOf(448, 0));
        Assert.Equal((64 * 3 * 7) + 64 + 0, packed.IndexOf(448, 1));
        Assert.Equal((64 * 3 * 2) + (2 * 64) + 5, packed.IndexOf(133, 2));
        Assert.Equal(0, PackedMatrix.FromRowMajor([], 0, 5, panelsPerGroup: 1).GroupCount);
    }

    [Fact]
    public void Groups_CoverFourPanelsEachExceptTheLast()
    {
        PackedMatrix packed = PackedMatrix.FromRowMajor(new float[449 * 2], 449, 2, panelsPerGroup: 4); // 8 panels: 4 + 4
        Assert.Equal(4, packed.PanelsPerGroup);
        Assert.Equal(256, packed.GroupWidth);
        Assert.Equal(2, packed.GroupCount);
        Assert.Equal(4, packed.PanelsInGroup(1));

        packed = PackedMatrix.FromRowMajor(new float[640], 640, 1, panelsPerGroup: 4); // 10 panels: 4 + 4 + 2
        Assert.Equal(3, packed.GroupCount);
        Assert.Equal(4, packed.PanelsInGroup(0));
        Assert.Equal(2, packed.PanelsInGroup(2));
        Assert.Equal(0, PackedMatrix.FromRowMajor([], 0, 5, panelsPerGroup: 4).GroupCount);
    }

    private static unsafe long AddressOf(ref float element) => (long)Unsafe.AsPointer(ref element);

    /// <summary>
    /// The documented layout, computed independently of the packer: groups of up to P 64-row panels, each group a
    /// block [column][n * 64] starting at 64 * P * g * columns, rows past Rows zero.
    /// </summary>
    private static void AssertLayout(PackedMatrix packed, int rows, int columns, int perGroup, Func<int, int, float> expected)
    {
        int panels = (rows + 63) / 64;
        int groupWidth = perGroup * 64;
        string context = $"{rows}x{columns} in {perGroup}-panel groups";
        Assert.Equal(rows, packed.Rows);
        Assert.Equal(columns, packed.Columns);
        Assert.Equal(perGroup, packed.PanelsPerGroup);
        Assert.Equal(panels, packed.PanelCount);
        Assert.Equal(panels * 64, packed.PaddedRows);
        Assert.Equal(panels * columns * 64, packed.Length);
        Assert.Equal((panels + perGroup - 1) / perGroup, packed.GroupCount);
        ReadOnlySpan<float> data = packed.Data.AsSpan(packed.Offset, packed.Length);
        for (int g = 0; g * perGroup < panels; g++)
        {
            int n = Math.Min(perGroup, panels - (g * perGroup));
            Assert.Equal(n, packed.PanelsInGroup(g));
            for (int c = 0; c < columns; c++)
            {
                for (int q = 0; q < n * 64; q++)
                {
                    int r = (g * groupWidth) + q;
                    int index = (g * groupWidth * columns) + (c * n * 64) + q;
                    Assert.True(index == packed.IndexOf(r, c), $"{context}: W[{r}, {c}] expected at {index}, IndexOf says {packed.IndexOf(r, c)}.");
                    Assert.True((r < rows ? expected(r, c) : 0f) == data[index], $"{context}: W[{r}, {c}] at {index}.");
                }
            }
        }
    }
}
