using EdgeRnn.Runtime.Kernels;

namespace EdgeRnn.Runtime.Tests.Kernels;

public class ElementwiseTests
{
    internal delegate void BinaryPath(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> destination);

    internal delegate void ScalarOperandPath(ReadOnlySpan<float> x, float y, Span<float> destination);

    [Fact]
    public void BinaryOps_EveryPathEveryLength_MatchScalar()
    {
        var random = new Random(2024);
        for (int length = 0; length <= 257; length++)
        {
            float[] x = KernelTestHelpers.RandomArray(random, length, 4f);
            float[] y = KernelTestHelpers.RandomArray(random, length, 4f);
            float scalar = random.NextSingle() + 0.5f;
            Check<AddOperator>(x, y, scalar);
            Check<SubtractOperator>(x, y, scalar);
            Check<MultiplyOperator>(x, y, scalar);
            Check<DivideOperator>(x, y, scalar);
        }
    }

    [Fact]
    public void Operators_ComputeTheirFormulas()
    {
        float[] x = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17];
        float[] y = [2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 4];
        float[] d = new float[x.Length];

        BinaryLoop.Invoke<AddOperator>(x, y, d, SimdWidth.Vector512);
        Assert.Equal(21f, d[16]);
        BinaryLoop.Invoke<SubtractOperator>(x, y, d, SimdWidth.Vector512);
        Assert.Equal(-1f, d[0]);
        BinaryLoop.Invoke<MultiplyOperator>(x, y, d, SimdWidth.Vector512);
        Assert.Equal(68f, d[16]);
        BinaryLoop.Invoke<DivideOperator>(x, y, d, SimdWidth.Vector512);
        Assert.Equal(4.25f, d[16]);
        BinaryLoop.Invoke<AddOperator>(x, 1f, d, SimdWidth.Vector512);
        Assert.Equal(18f, d[16]);
        BinaryLoop.Invoke<SubtractOperator>(x, 1f, d, SimdWidth.Vector512);
        Assert.Equal(16f, d[16]);
        BinaryLoop.Invoke<MultiplyOperator>(x, 3f, d, SimdWidth.Vector512);
        Assert.Equal(51f, d[16]);
        BinaryLoop.Invoke<DivideOperator>(x, 2f, d, SimdWidth.Vector512);
        Assert.Equal(8.5f, d[16]);
    }

    [Fact]
    public void Add_InPlaceOnEitherOperand_MatchesOutOfPlace()
    {
        var random = new Random(8);
        float[] x = KernelTestHelpers.RandomArray(random, 45);
        float[] y = KernelTestHelpers.RandomArray(random, 45);
        float[] expected = new float[45];
        BinaryLoop.Invoke<SubtractOperator>(x, y, expected, SimdWidth.Vector512);

        float[] intoX = (float[])x.Clone();
        BinaryLoop.Invoke<SubtractOperator>(intoX, y, intoX, SimdWidth.Vector512);
        float[] intoY = (float[])y.Clone();
        BinaryLoop.Invoke<SubtractOperator>(x, intoY, intoY, SimdWidth.Vector512);

        Assert.Equal(expected, intoX);
        Assert.Equal(expected, intoY);
    }

    [Fact]
    public void Add_TwoTensors_ThrowsForTooShortDestination()
    {
        Assert.Throws<ArgumentException>(() => BinaryLoop.Invoke<AddOperator>(new float[5], new float[5], new float[4], SimdWidth.Vector512));
        Assert.Throws<ArgumentException>(() => BinaryLoop.Invoke<AddOperator>(new float[5], 1f, new float[4], SimdWidth.Vector512));
    }

    [Fact]
    public void Add_TwoTensors_ThrowsForLengthMismatch()
    {
        Assert.Throws<ArgumentException>(() => BinaryLoop.Invoke<AddOperator>(new float[5], new float[6], new float[6], SimdWidth.Vector512));
    }

    [Fact]
    public void Add_TwoTensors_ThrowsForPartiallyOverlappingDestination()
    {
        float[] buffer = new float[40];
        Assert.Throws<ArgumentException>(() => BinaryLoop.Invoke<AddOperator>(new float[20], buffer.AsSpan(0, 20), buffer.AsSpan(2, 20), SimdWidth.Vector512));
    }

    private static void Check<TOp>(float[] x, float[] y, float scalar)
        where TOp : IBinaryOperator
    {
        string name = typeof(TOp).Name;
        float[] expected = KernelTestHelpers.WithGuard(x.Length);
        float[] expectedScalarOperand = KernelTestHelpers.WithGuard(x.Length);
        BinaryLoop.Invoke<TOp>(x, y, expected, SimdWidth.Scalar);
        BinaryLoop.Invoke<TOp>(x, scalar, expectedScalarOperand, SimdWidth.Scalar);
        for (int i = 0; i < x.Length; i++)
        {
            Assert.Equal(TOp.Invoke<float, ScalarWidth>(x[i], y[i]), expected[i]);
        }

        foreach ((string pathName, BinaryPath path, ScalarOperandPath scalarPath) in Paths<TOp>())
        {
            string context = $"{name} {pathName} length {x.Length}";
            float[] actual = KernelTestHelpers.WithGuard(x.Length);
            path(x, y, actual);
            KernelTestHelpers.AssertClose(expected, actual, x.Length, 0, context);
            KernelTestHelpers.AssertGuardIntact(actual, x.Length, context);

            actual = KernelTestHelpers.WithGuard(x.Length);
            scalarPath(x, scalar, actual);
            KernelTestHelpers.AssertClose(expectedScalarOperand, actual, x.Length, 0, context + " scalar operand");
            KernelTestHelpers.AssertGuardIntact(actual, x.Length, context + " scalar operand");

            float[] inPlace = KernelTestHelpers.WithGuard(x.Length);
            x.CopyTo(inPlace, 0);
            path(inPlace.AsSpan(0, x.Length), y, inPlace);
            KernelTestHelpers.AssertClose(expected, inPlace, x.Length, 0, context + " in place");
        }
    }

    /// <summary>The operator's loops limited to each accelerated width (that width, the narrower ones, a scalar tail).</summary>
    private static IEnumerable<(string Name, BinaryPath Path, ScalarOperandPath ScalarPath)> Paths<TOp>()
        where TOp : IBinaryOperator
    {
        foreach (SimdWidth width in KernelTestHelpers.AcceleratedWidths())
        {
            yield return (width.ToString(), (x, y, d) => BinaryLoop.Invoke<TOp>(x, y, d, width), (x, y, d) => BinaryLoop.Invoke<TOp>(x, y, d, width));
        }
    }
}
