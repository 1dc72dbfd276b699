using EdgeRnn.Runtime.Kernels;

namespace EdgeRnn.Runtime.Tests.Kernels;

public class DotTests
{
    public static TheoryData<int> Widths() => [0, 128, 256, 512];

    [Theory]
    [MemberData(nameof(Widths))]
    public void Compute_EveryLength0To257_MatchesDoubleReference(int bits)
    {
        var width = (SimdWidth)bits;
        var rng = new Random(17);
        for (int n = 0; n <= 257; n++)
        {
            float[] x = [.. Enumerable.Range(0, n).Select(_ => (float)((rng.NextDouble() * 4) - 2))];
            float[] y = [.. Enumerable.Range(0, n).Select(_ => (float)((rng.NextDouble() * 4) - 2))];
            double expected = 0, magnitude = 0;
            for (int i = 0; i < n; i++)
            {
                expected += (double)x[i] * y[i];
                magnitude += Math.Abs((double)x[i] * y[i]);
            }

            float actual = Dot.Compute(x, y, width);
            Assert.True(Math.Abs(actual - expected) <= 1e-6 * (magnitude + 1), $"n={n} width={width}: {actual} vs {expected}");
        }
    }

    [Fact]
    public void Compute_EveryWidthEveryLength_BitIdenticalToScalar()
    {
        var rng = new Random(3);
        for (int n = 0; n <= 257; n++)
        {
            float[] x = [.. Enumerable.Range(0, n).Select(_ => (float)((rng.NextDouble() * 2) - 1))];
            float[] y = [.. Enumerable.Range(0, n).Select(_ => (float)((rng.NextDouble() * 2) - 1))];
            float scalar = Dot.Compute(x, y, SimdWidth.Scalar);
            Assert.Equal(scalar, Dot.Compute(x, y, SimdWidth.Vector128));
            Assert.Equal(scalar, Dot.Compute(x, y, SimdWidth.Vector256));
            Assert.Equal(scalar, Dot.Compute(x, y, SimdWidth.Vector512));
            Assert.Equal(scalar, Dot.Compute(x, y));
        }

    }

    [Fact]
    public void Compute_LengthMismatch_Throws()
    {
        Assert.Throws<ArgumentException>(() => Dot.Compute(new float[3], new float[4]));
    }
}
