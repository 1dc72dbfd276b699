using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
using EdgeRnn.Runtime.Kernels;

namespace EdgeRnn.Runtime.Tests.Kernels;

public class Int8MatVecTests
{
    internal delegate void Int32Path(Int8Matrix w, ReadOnlySpan<sbyte> x, Span<int> destination);

    private static readonly int[] s_fewColumns = [0, 1, 3, 4, 5, 68];
    private static readonly int[] s_fewRows = [1, 16, 17, 100, 256];

    /// <summary>The dispatching entry and every integer path this machine supports.</summary>
    internal static IEnumerable<(string Name, Int32Path Run)> Paths()
    {
        yield return ("Dispatch", Int8MatVec.MultiplyInt32);
        if (AvxVnni.IsSupported)
        {
            yield return ("AvxVnni", Int8MatVec.MultiplyInt32AvxVnni);
        }

        if (Avx2.IsSupported)
        {
            yield return ("Avx2", Int8MatVec.MultiplyInt32Avx2);
        }

        if (AdvSimd.Arm64.IsSupported)
        {
            yield return ("AdvSimd", Int8MatVec.MultiplyInt32AdvSimd);
        }

        if (AdvSimd.Arm64.IsSupported && Dp.IsSupported)
        {
            yield return ("Dp", Int8MatVec.MultiplyInt32Dp);
        }
    }

    [Fact]
    public void MultiplyInt32_EveryPathEveryRowCount_MatchesReference()
    {
        var random = new Random(4321);
        foreach (int columns in s_fewColumns)
        {
            for (int rows = 0; rows <= 257; rows++)
            {
                CompareAllPaths(random, rows, columns);
            }
        }
    }

    [Fact]
    public void MultiplyInt32_EveryPathEveryColumnCount_MatchesReference()
    {
        var random = new Random(8765);
        foreach (int rows in s_fewRows)
        {
            for (int columns = 0; columns <= 257; columns++)
            {
                CompareAllPaths(random, rows, columns);
            }
        }
    }

    [Fact]
    public void MultiplyInt32_ExtremeValues_NoSaturation()
    {
        // Every weight -128 or 127, every activation 127 or -128: the products that saturate vpmaddubsw must stay exact.
        foreach (int columns in (int[])[4, 64, 257])
        {
            var w = new sbyte[32 * columns];
            var x = new sbyte[columns + 4];
            for (int i = 0; i < w.Length; i++)
            {
                w[i] = (i % 3) == 0 ? sbyte.MinValue : sbyte.MaxValue;
            }

            for (int i = 0; i < columns; i++)
            {
                x[i] = (i % 2) == 0 ? (sbyte)127 : sbyte.MinValue;
            }

            Int8Matrix m = Int8Matrix.FromRowMajor(w, [1f], 32, columns);
            int[] expected = Naive(w, x, 32, columns);
            foreach ((string name, Int32Path run) in Paths())
            {
                var actual = new int[m.PaddedRows];
                run(m, x, actual);
                Assert.True(expected.AsSpan().SequenceEqual(actual.AsSpan(0, 32)), $"{name} columns={columns}");
            }
        }
    }

    [Fact]
    public void Multiply_FloatFinish_MatchesDequantizedProduct()
    {
        var random = new Random(7);
        const int Rows = 40, Columns = 33;
        sbyte[] w = RandomBytes(random, Rows * Columns, -128);
        float[] scales = KernelTestHelpers.RandomArray(random, Rows, 0.01f).Select(MathF.Abs).ToArray();
        float[] bias = KernelTestHelpers.RandomArray(random, Rows);
        float[] x = KernelTestHelpers.RandomArray(random, Columns, 3f);
        Int8Matrix m = Int8Matrix.FromRowMajor(w, scales, Rows, Columns);
        var xq = new sbyte[m.PaddedColumns];
        float xs = Int8Quantize.QuantizeSymmetric(x, xq);
        var acc = new int[m.PaddedRows];
        var y = new float[Rows];
        Int8MatVec.Multiply(m, xq, xs, bias, accumulate: false, acc, y);
        for (int r = 0; r < Rows; r++)
        {
            double exact = bias[r];
            double bound = 0;
            for (int k = 0; k < Columns; k++)
            {
                exact += w[(r * Columns) + k] * scales[r] * (double)x[k];
                bound += Math.Abs(w[(r * Columns) + k] * scales[r]) * xs * 0.5;
            }

            // The only error is the activation rounding (half a step per element) plus float rounding.
            Assert.True(Math.Abs(y[r] - exact) <= (bound * 1.0001) + 1e-5, $"row {r}: {y[r]} vs {exact} (bound {bound})");
        }
    }

    [Fact]
    public void QuantizeSymmetric_EveryLength_MatchesScalarRounding()
    {
        var random = new Random(99);
        for (int length = 0; length <= 257; length++)
        {
            float[] x = KernelTestHelpers.RandomArray(random, length, 5f);
            var q = new sbyte[length];
            float scale = Int8Quantize.QuantizeSymmetric(x, q);
            float max = x.Length == 0 ? 0 : x.Max(MathF.Abs);
            Assert.Equal(max > 0 ? max / 127f : 1f, scale);
            for (int i = 0; i < length; i++)
            {
                sbyte expected = (sbyte)Math.Clamp(MathF.Round(x[i] * (127f / max)), -127f, 127f);
                Assert.Equal(expected, q[i]);
            }
        }
    }

    [Fact]
    public void QuantizeSymmetric_AllZeros_ScaleOneAndZeros()
    {
        var q = new sbyte[40];
        q.AsSpan().Fill(5);
        Assert.Equal(1f, Int8Quantize.QuantizeSymmetric(new float[40], q));
        Assert.All(q, v => Assert.Equal(0, v));
    }

    [Fact]
    public void QuantizeSymmetric_NaNOrInfinity_ScaleNaNSoOutputsPropagateIt()
    {
        foreach (int length in (int[])[5, 40])
        {
            var x = new float[length];
            x[length - 2] = float.NaN;
            Assert.True(float.IsNaN(Int8Quantize.QuantizeSymmetric(x, new sbyte[length])));
            x[length - 2] = float.PositiveInfinity;
            Assert.True(float.IsNaN(Int8Quantize.QuantizeSymmetric(x, new sbyte[length])));
        }
    }

    [Fact]
    public void MultiplyInt32_ShortInputOrDestination_Throws()
    {
        Int8Matrix m = Int8Matrix.FromRowMajor(new sbyte[20 * 6], [1f], 20, 6);
        Assert.Throws<ArgumentException>(() => Int8MatVec.MultiplyInt32(m, new sbyte[7], new int[32]));
        Assert.Throws<ArgumentException>(() => Int8MatVec.MultiplyInt32(m, new sbyte[8], new int[31]));
    }

    private static void CompareAllPaths(Random random, int rows, int columns)
    {
        sbyte[] w = RandomBytes(random, rows * columns, -128);
        Int8Matrix m = Int8Matrix.FromRowMajor(w, [0.5f], rows, columns);
        sbyte[] x = RandomBytes(random, m.PaddedColumns, -128);
        int[] expected = Naive(w, x, rows, columns);
        var reference = new int[m.PaddedRows];
        Int8MatVec.MultiplyInt32Scalar(m, x, reference);
        Assert.True(expected.AsSpan().SequenceEqual(reference.AsSpan(0, rows)), $"Scalar rows={rows} columns={columns}");
        foreach ((string name, Int32Path run) in Paths())
        {
            var actual = new int[m.PaddedRows + 4];
            actual.AsSpan(m.PaddedRows).Fill(-7);
            run(m, x, actual);
            Assert.True(reference.AsSpan().SequenceEqual(actual.AsSpan(0, m.PaddedRows)), $"{name} rows={rows} columns={columns}");
            Assert.All(actual[m.PaddedRows..], v => Assert.Equal(-7, v));
        }
    }

    private static int[] Naive(sbyte[] w, sbyte[] x, int rows, int columns)
    {
        var result = new int[rows];
        for (int r = 0; r < rows; r++)
        {
            for (int k = 0; k < columns; k++)
            {
                result[r] += w[(r * columns) + k] * x[k];
            }
        }

        return result;
    }

    private static sbyte[] RandomBytes(Random random, int length, int min)
    {
        var result = new sbyte[length];
        for (int i = 0; i < length; i++)
        {
            result[i] = (sbyte)random.Next(min, 128);
        }

        return result;
    }
}
