using System.Runtime.Intrinsics;
using EdgeRnn.Runtime.Kernels;

namespace EdgeRnn.Runtime.Tests.Kernels;

public class MatVecTests
{
    internal delegate void MultiplyPath(PackedMatrix w, ReadOnlySpan<float> x, ReadOnlySpan<float> bias, Span<float> destination);

    internal delegate void AccumulatePath(PackedMatrix w, ReadOnlySpan<float> x, Span<float> destination);

    private static readonly int[] s_fewColumns = [0, 1, 5, 68];
    private static readonly int[] s_fewRows = [1, 64, 100, 256];

    /// <summary>
    /// Both layouts PackedMatrix picks from (one-panel groups for the Vector256/Vector128/scalar paths, four-panel groups
    /// for Vector512): every path must read either one, whichever this machine dispatches to.
    /// </summary>
    public static TheoryData<int> Layouts => new() { 1, PackedMatrix.MaxGroupPanels };

    /// <summary>The dispatching entry and every SIMD path this machine accelerates.</summary>
    internal static IEnumerable<(string Name, MultiplyPath Multiply, AccumulatePath Accumulate)> Paths()
    {
        yield return ("Dispatch", MatVec.Multiply, MatVec.MultiplyAccumulate);
        foreach (SimdWidth width in KernelTestHelpers.AcceleratedWidths())
        {
            yield return (width.ToString(), (m, x, b, d) => MatVec.Multiply(m, x, b, d, width), (m, x, d) => MatVec.MultiplyAccumulate(m, x, d, width));
        }
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public void Multiply_EveryPathEveryRowCount_MatchesScalar(int panelsPerGroup)
    {
        var random = new Random(1234);
        foreach (int columns in s_fewColumns)
        {
            for (int rows = 0; rows <= 257; rows++)
            {
                CompareAllPaths(random, rows, columns, panelsPerGroup);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public void Multiply_EveryPathEveryColumnCount_MatchesScalar(int panelsPerGroup)
    {
        var random = new Random(5678);
        foreach (int rows in s_fewRows)
        {
            for (int columns = 0; columns <= 257; columns++)
            {
                CompareAllPaths(random, rows, columns, panelsPerGroup);
            }
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Multiply_MultiGroupShapes_EveryPathMatchesScalar(int panelsPerGroup)
    {
        // Several groups, including partial last groups of 1, 2 and 3 panels, odd panel counts and a partial last panel.
        var random = new Random(91);
        foreach (int rows in (int[])[320, 384, 448, 449, 511, 700, 1024, 1030])
        {
            foreach (int columns in (int[])[1, 2, 7, 68])
            {
                CompareAllPaths(random, rows, columns, panelsPerGroup);
            }
        }
    }

    [Fact]
    public void FromRowMajor_DefaultLayout_IsTheDispatchedPathsPreference()
    {
        int expected = Vector512.IsHardwareAccelerated ? PackedMatrix.MaxGroupPanels : 1;
        Assert.Equal(expected, MatVec.PreferredPanelsPerGroup(300, 2));
        Assert.Equal(Vector512.IsHardwareAccelerated ? 2 : 1, MatVec.PreferredPanelsPerGroup(256, 68)); // 68 KB: L1 and a half
        Assert.Equal(Vector512.IsHardwareAccelerated ? 2 : 1, PackedMatrix.FromRowMajor(new float[256 * 68], 256, 68).PanelsPerGroup);
        Assert.Equal(expected, PackedMatrix.FromRowMajor(new float[300 * 2], 300, 2).PanelsPerGroup);
        Assert.Equal(expected, PackedMatrix.FromColumnMajor(new float[300 * 2], 300, 2).PanelsPerGroup);
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public void Multiply_SuccessiveCalls_AlternateGroupOrderWithoutChangingResults(int panelsPerGroup)
    {
        // Successive calls visit the groups forward, then backward; every call must give the scalar result bit for bit.
        var random = new Random(17);
        const int Rows = 700;
        const int Columns = 37;
        float[] weights = KernelTestHelpers.RandomArray(random, Rows * Columns);
        float[] x = KernelTestHelpers.RandomArray(random, Columns, 2f);
        float[] bias = KernelTestHelpers.RandomArray(random, Rows);
        PackedMatrix packed = PackedMatrix.FromRowMajor(weights, Rows, Columns, panelsPerGroup);
        float[] expected = KernelTestHelpers.WithGuard(Rows);
        MatVec.Multiply(packed, x, bias, expected, SimdWidth.Scalar);
        foreach ((string name, MultiplyPath multiply, AccumulatePath _) in Paths())
        {
            for (int call = 0; call < 4; call++)
            {
                float[] actual = KernelTestHelpers.WithGuard(Rows);
                multiply(packed, x, bias, actual);
                AssertBitIdentical(expected, actual, Rows, $"{name} call {call}");
                KernelTestHelpers.AssertGuardIntact(actual, Rows, $"{name} call {call}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public void MultiplyScalar_RandomShapes_MatchesDoubleReference(int panelsPerGroup)
    {
        var random = new Random(42);
        (int Rows, int Columns)[] shapes = [(0, 3), (1, 1), (3, 0), (63, 17), (64, 64), (65, 68), (256, 68), (257, 257), (130, 1)];
        foreach ((int rows, int columns) in shapes)
        {
            float[] weights = KernelTestHelpers.RandomArray(random, rows * columns);
            float[] x = KernelTestHelpers.RandomArray(random, columns, 3f);
            float[] bias = KernelTestHelpers.RandomArray(random, rows);
            PackedMatrix packed = PackedMatrix.FromRowMajor(weights, rows, columns, panelsPerGroup);
            float[] destination = KernelTestHelpers.WithGuard(rows);

            MatVec.Multiply(packed, x, bias, destination, SimdWidth.Scalar);

            for (int r = 0; r < rows; r++)
            {
                double sum = bias[r];
                double magnitude = Math.Abs(bias[r]);
                for (int c = 0; c < columns; c++)
                {
                    sum += (double)weights[r * columns + c] * x[c];
                    magnitude += Math.Abs((double)weights[r * columns + c] * x[c]);
                }

                double tolerance = 2e-7 * Math.Sqrt(columns + 1) * (magnitude + 1);
                Assert.True(Math.Abs(sum - destination[r]) <= tolerance, $"{rows}x{columns} row {r}: expected {sum} but was {destination[r]}.");
            }

            KernelTestHelpers.AssertGuardIntact(destination, rows, $"{rows}x{columns}");
        }
    }

    [Fact]
    public void MultiplyAccumulate_AddsToDestination_MatchesMultiplyWithBias()
    {
        var random = new Random(7);
        float[] weights = KernelTestHelpers.RandomArray(random, 100 * 30);
        float[] x = KernelTestHelpers.RandomArray(random, 30);
        float[] start = KernelTestHelpers.RandomArray(random, 100);
        PackedMatrix packed = PackedMatrix.FromRowMajor(weights, 100, 30);
        float[] withBias = new float[100];
        float[] accumulated = (float[])start.Clone();

        MatVec.Multiply(packed, x, start, withBias);
        MatVec.MultiplyAccumulate(packed, x, accumulated);

        Assert.Equal(withBias, accumulated);
    }

    [Fact]
    public void Multiply_ThrowsForTooShortDestination()
    {
        PackedMatrix packed = PackedMatrix.FromRowMajor(new float[10 * 4], 10, 4);
        foreach ((string _, MultiplyPath multiply, AccumulatePath accumulate) in Paths().Append(("Scalar", (m, x, b, d) => MatVec.Multiply(m, x, b, d, SimdWidth.Scalar), (m, x, d) => MatVec.MultiplyAccumulate(m, x, d, SimdWidth.Scalar))))
        {
            Assert.Throws<ArgumentException>(() => multiply(packed, new float[4], default, new float[9]));
            Assert.Throws<ArgumentException>(() => accumulate(packed, new float[4], new float[9]));
        }
    }

    [Fact]
    public void Multiply_ThrowsForTooShortInputOrBias()
    {
        PackedMatrix packed = PackedMatrix.FromRowMajor(new float[10 * 4], 10, 4);
        Assert.Throws<ArgumentException>(() => MatVec.Multiply(packed, new float[3], default, new float[10]));
        Assert.Throws<ArgumentException>(() => MatVec.Multiply(packed, new float[4], new float[9], new float[10]));
        Assert.Throws<ArgumentException>(() => MatVec.MultiplyAccumulate(packed, new float[3], new float[10]));
        Assert.Throws<ArgumentNullException>(() => MatVec.Multiply(null!, new float[4], default, new float[10]));
    }

    private static void CompareAllPaths(Random random, int rows, int columns, int panelsPerGroup)
    {
        float[] weights = KernelTestHelpers.RandomArray(random, rows * columns);
        float[] x = KernelTestHelpers.RandomArray(random, columns, 2f);
        float[] bias = KernelTestHelpers.RandomArray(random, rows);
        float[] start = KernelTestHelpers.RandomArray(random, rows);
        PackedMatrix packed = PackedMatrix.FromRowMajor(weights, rows, columns, panelsPerGroup);

        float[] expectedNoBias = KernelTestHelpers.WithGuard(rows);
        float[] expectedBias = KernelTestHelpers.WithGuard(rows);
        float[] expectedAccumulate = KernelTestHelpers.WithGuard(rows);
        start.CopyTo(expectedAccumulate, 0);
        MatVec.Multiply(packed, x, default, expectedNoBias, SimdWidth.Scalar);
        MatVec.Multiply(packed, x, bias, expectedBias, SimdWidth.Scalar);
        MatVec.MultiplyAccumulate(packed, x, expectedAccumulate, SimdWidth.Scalar);
        KernelTestHelpers.AssertGuardIntact(expectedBias, rows, $"Scalar {rows}x{columns}");
        KernelTestHelpers.AssertGuardIntact(expectedAccumulate, rows, $"Scalar accumulate {rows}x{columns}");

        // Every path sums each row in the same order with one fused multiply-add per term: results are bit-identical.
        foreach ((string name, MultiplyPath multiply, AccumulatePath accumulate) in Paths())
        {
            string context = $"{name} {rows}x{columns} in {panelsPerGroup}-panel groups";
            float[] actual = KernelTestHelpers.WithGuard(rows);
            multiply(packed, x, default, actual);
            AssertBitIdentical(expectedNoBias, actual, rows, context + " no bias");
            KernelTestHelpers.AssertGuardIntact(actual, rows, context + " no bias");

            actual = KernelTestHelpers.WithGuard(rows);
            multiply(packed, x, bias, actual);
            AssertBitIdentical(expectedBias, actual, rows, context + " bias");
            KernelTestHelpers.AssertGuardIntact(actual, rows, context + " bias");

            actual = KernelTestHelpers.WithGuard(rows);
            start.CopyTo(actual, 0);
            accumulate(packed, x, actual);
            AssertBitIdentical(expectedAccumulate, actual, rows, context + " accumulate");
            KernelTestHelpers.AssertGuardIntact(actual, rows, context + " accumulate");
        }
    }

    private static void AssertBitIdentical(float[] expected, float[] actual, int length, string context)
    {
        for (int i = 0; i < length; i++)
        {
            Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i]),
                $"{context}: element {i} expected {expected[i]:R} but was {actual[i]:R}.");
        }
    }
}
