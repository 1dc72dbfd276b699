using EdgeRnn.Runtime.Kernels;
using Xunit.Abstractions;

namespace EdgeRnn.Runtime.Tests.Kernels;

public class ActivationsTests
{
    // The bounds stated in the XML docs of Activations.Tanh(float) and Activations.Sigmoid(float).
    private const double TanhMaxAbsError = 2.6e-7;
    private const double SigmoidMaxAbsError = 1.6e-7;

    private readonly ITestOutputHelper _output;

    public ActivationsTests(ITestOutputHelper output) => _output = output;

    internal delegate void UnaryPath(ReadOnlySpan<float> x, Span<float> destination);

    /// <summary>The operator's loop limited to each accelerated width (that width, the narrower ones, a scalar tail).</summary>
    internal static IEnumerable<(string Name, UnaryPath Path)> Paths<TOp>()
        where TOp : IUnaryOperator =>
        KernelTestHelpers.AcceleratedWidths().Select(width => (width.ToString(), (UnaryPath)((x, d) => UnaryLoop.Invoke<TOp>(x, d, width))));

    private static void Scalar<TOp>(ReadOnlySpan<float> x, Span<float> destination)
        where TOp : IUnaryOperator => UnaryLoop.Invoke<TOp>(x, destination, SimdWidth.Scalar);

    private static void Dispatch<TOp>(ReadOnlySpan<float> x, Span<float> destination)
        where TOp : IUnaryOperator => UnaryLoop.Invoke<TOp>(x, destination, SimdWidth.Vector512);

    [Fact]
    public void Tanh_DenseGridOverMinus20To20_MaxAbsErrorWithinStatedBound()
    {
        float[] grid = DenseGrid();
        float[] actual = new float[grid.Length];
        Scalar<TanhOperator>(grid, actual);

        double maxError = MaxAbsError(grid, actual, Math.Tanh, out float worst);

        _output.WriteLine($"tanh: max abs error {maxError:E3} at x = {worst:R}");
        Assert.True(maxError <= TanhMaxAbsError, $"tanh max abs error {maxError:E3} at x = {worst}");
    }

    [Fact]
    public void Sigmoid_DenseGridOverMinus20To20_MaxAbsErrorWithinStatedBound()
    {
        float[] grid = DenseGrid();
        float[] actual = new float[grid.Length];
        Scalar<SigmoidOperator>(grid, actual);

        double maxError = MaxAbsError(grid, actual, x => 1 / (1 + Math.Exp(-x)), out float worst);

        _output.WriteLine($"sigmoid: max abs error {maxError:E3} at x = {worst:R}");
        Assert.True(maxError <= SigmoidMaxAbsError, $"sigmoid max abs error {maxError:E3} at x = {worst}");
    }

    [Fact]
    public void TanhAndSigmoid_DenseGrid_EveryPathBitIdenticalToScalar()
    {
        float[] grid = DenseGrid();
        AssertPathsMatchScalar<TanhOperator>(grid, "tanh");
        AssertPathsMatchScalar<SigmoidOperator>(grid, "sigmoid");
    }

    [Fact]
    public void Tanh_SpecialValues_AreExactOrPropagated()
    {
        Assert.Equal(0f, Activations.Tanh(0f));
        Assert.True(float.IsNegative(Activations.Tanh(-0f)));
        Assert.True(float.IsNaN(Activations.Tanh(float.NaN)));
        Assert.True(float.IsNaN(Activations.Sigmoid(float.NaN)));
        Assert.InRange(Activations.Tanh(float.PositiveInfinity), 0.9999997f, 1f);
        Assert.InRange(Activations.Tanh(float.NegativeInfinity), -1f, -0.9999997f);
        Assert.Equal(0.5f, Activations.Sigmoid(0f));
        Assert.InRange(Activations.Sigmoid(float.NegativeInfinity), 0f, 2e-7f);
        Assert.InRange(Activations.Sigmoid(float.PositiveInfinity), 1f - 2e-7f, 1f);
    }

    [Fact]
    public void SpanOps_EveryPathEveryLength_MatchScalarAndKeepGuards()
    {
        var random = new Random(99);
        for (int length = 0; length <= 257; length++)
        {
            float[] x = KernelTestHelpers.RandomArray(random, length, 12f);
            CheckUnary<TanhOperator>(x, "tanh");
            CheckUnary<SigmoidOperator>(x, "sigmoid");
            CheckUnary<ReluOperator>(x, "relu");
        }
    }

    [Fact]
    public void SpanOps_SpecialValuesEveryPath_MatchScalar()
    {
        // NaN must pass through the clamp of every width, and the bounds must clamp exactly as Math.Clamp does.
        float clamp = TanhOperator.Clamp;
        float[] specials = [float.NaN, -0f, 0f, float.PositiveInfinity, float.NegativeInfinity, clamp, -clamp, MathF.BitIncrement(clamp), MathF.BitDecrement(-clamp), 1e-30f, -1e-30f];
        for (int length = 0; length <= 40; length++)
        {
            float[] x = [.. Enumerable.Range(0, length).Select(i => specials[i % specials.Length])];
            CheckUnary<TanhOperator>(x, "tanh");
            CheckUnary<SigmoidOperator>(x, "sigmoid");
            CheckUnary<ReluOperator>(x, "relu");
        }
    }

    [Fact]
    public void SpanOps_InPlace_MatchOutOfPlace()
    {
        float[] x = KernelTestHelpers.RandomArray(new Random(5), 37, 6f);
        float[] expected = new float[x.Length];
        Activations.Tanh(x, expected);
        float[] inPlace = (float[])x.Clone();
        Activations.Tanh(inPlace, inPlace);
        Assert.Equal(expected, inPlace);

        Activations.Sigmoid(x, expected);
        inPlace = (float[])x.Clone();
        Activations.Sigmoid(inPlace, inPlace);
        Assert.Equal(expected, inPlace);

        Activations.Relu(x, expected);
        inPlace = (float[])x.Clone();
        Activations.Relu(inPlace, inPlace);
        Assert.Equal(expected, inPlace);
        Assert.All(expected, v => Assert.True(v >= 0));
    }

    [Fact]
    public void Tanh_ThrowsForTooShortDestination()
    {
        Assert.Throws<ArgumentException>(() => Activations.Tanh(new float[5], new float[4]));
        Assert.Throws<ArgumentException>(() => Activations.Sigmoid(new float[5], new float[4]));
        Assert.Throws<ArgumentException>(() => Activations.Relu(new float[5], new float[4]));
    }

    [Fact]
    public void Tanh_ThrowsForPartiallyOverlappingDestination()
    {
        float[] buffer = new float[40];
        Assert.Throws<ArgumentException>(() => Activations.Tanh(buffer.AsSpan(0, 20), buffer.AsSpan(1, 20)));
    }

    private static void CheckUnary<TOp>(float[] x, string name)
        where TOp : IUnaryOperator
    {
        float[] expected = KernelTestHelpers.WithGuard(x.Length);
        Scalar<TOp>(x, expected);
        KernelTestHelpers.AssertGuardIntact(expected, x.Length, $"{name} scalar length {x.Length}");
        foreach ((string pathName, UnaryPath path) in Paths<TOp>().Append(("Dispatch", Dispatch<TOp>)))
        {
            string context = $"{name} {pathName} length {x.Length}";
            float[] actual = KernelTestHelpers.WithGuard(x.Length);
            path(x, actual);
            KernelTestHelpers.AssertClose(expected, actual, x.Length, 1.2e-7, context);
            KernelTestHelpers.AssertGuardIntact(actual, x.Length, context);

            float[] inPlace = KernelTestHelpers.WithGuard(x.Length);
            x.CopyTo(inPlace, 0);
            path(inPlace.AsSpan(0, x.Length), inPlace);
            KernelTestHelpers.AssertClose(expected, inPlace, x.Length, 1.2e-7, context + " in place");
            KernelTestHelpers.AssertGuardIntact(inPlace, x.Length, context + " in place");
        }
    }

    private static void AssertPathsMatchScalar<TOp>(float[] grid, string name)
        where TOp : IUnaryOperator
    {
        float[] expected = new float[grid.Length];
        Scalar<TOp>(grid, expected);
        float[] actual = new float[grid.Length];
        foreach ((string pathName, UnaryPath path) in Paths<TOp>())
        {
            path(grid, actual);
            for (int i = 0; i < grid.Length; i++)
            {
                Assert.True(expected[i] == actual[i], $"{name} {pathName}: x = {grid[i]:R} gives {actual[i]:R}, scalar {expected[i]:R}.");
            }
        }
    }

    /// <summary>Every 1/4096 over [-20, 20], plus the float neighbours of 0 and of the clamp.</summary>
    private static float[] DenseGrid()
    {
        var grid = new List<float>(40 * 4096 + 16);
        for (int i = -20 * 4096; i <= 20 * 4096; i++)
        {
            grid.Add(i / 4096f);
        }

        foreach (float special in new[] { TanhOperator.Clamp, 2 * TanhOperator.Clamp, 1e-30f, 1e-7f, 3e-4f })
        {
            grid.Add(special);
            grid.Add(-special);
            grid.Add(MathF.BitIncrement(special));
            grid.Add(MathF.BitDecrement(special));
        }

        return [.. grid];
    }

    private static double MaxAbsError(float[] grid, float[] actual, Func<double, double> reference, out float worst)
    {
        double maxError = 0;
        worst = 0;
        for (int i = 0; i < grid.Length; i++)
        {
            double error = Math.Abs(reference(grid[i]) - actual[i]);
            if (error > maxError)
            {
                maxError = error;
                worst = grid[i];
            }
        }

        return maxError;
    }
}
