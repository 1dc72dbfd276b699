using EdgeRnn.Runtime.Kernels;

namespace EdgeRnn.Runtime.Tests.Kernels;

public class RecurrentCellsTests
{
    private const float NoClip = float.PositiveInfinity;

    internal delegate void LstmPath(ReadOnlySpan<float> gates, ReadOnlySpan<float> peephole, float clip, Span<float> c, Span<float> h);

    internal delegate void GruPath(ReadOnlySpan<float> gx, ReadOnlySpan<float> gh, float clip, Span<float> h);

    internal delegate void GruResetPath(ReadOnlySpan<float> gx, ReadOnlySpan<float> ghZr, float clip, ReadOnlySpan<float> h, Span<float> z, Span<float> resetHidden);

    internal delegate void GruFinishPath(ReadOnlySpan<float> gxH, ReadOnlySpan<float> ghH, ReadOnlySpan<float> z, float clip, Span<float> h);

    internal delegate void RnnPath(ReadOnlySpan<float> gates, float clip, Span<float> h);

    private sealed record CellPaths(string Name, LstmPath Lstm, GruPath Gru, GruResetPath GruReset, GruFinishPath GruFinish, RnnPath Rnn);

    private static IEnumerable<CellPaths> Paths()
    {
        yield return new("Dispatch", RecurrentCells.LstmUpdate, RecurrentCells.GruUpdateLinearBeforeReset, RecurrentCells.GruResetGates, RecurrentCells.GruFinish, RecurrentCells.RnnUpdate);
        foreach (SimdWidth width in KernelTestHelpers.AcceleratedWidths())
        {
            yield return Limited(width);
        }
    }

    private static IEnumerable<CellPaths> AllPaths() => Paths().Append(Limited(SimdWidth.Scalar));

    /// <summary>The cells run with SIMD widths up to <paramref name="maxWidth"/>: that width, the narrower ones for the rest, a scalar tail.</summary>
    private static CellPaths Limited(SimdWidth maxWidth) => new(
        maxWidth.ToString(),
        (gates, peephole, clip, c, h) => RecurrentCells.LstmUpdate(gates, peephole, clip, c, h, maxWidth),
        (gx, gh, clip, h) => RecurrentCells.GruUpdateLinearBeforeReset(gx, gh, clip, h, maxWidth),
        (gx, ghZr, clip, h, z, resetHidden) => RecurrentCells.GruResetGates(gx, ghZr, clip, h, z, resetHidden, maxWidth),
        (gxH, ghH, z, clip, h) => RecurrentCells.GruFinish(gxH, ghH, z, clip, h, maxWidth),
        (gates, clip, h) => RecurrentCells.RnnUpdate(gates, clip, h, maxWidth));

    [Fact]
    public void AllCells_EveryPathEveryHiddenSize_MatchScalarBitForBit()
    {
        // Every width uses the scalar path's operations (with fused multiply-adds), so the results are identical.
        CellPaths scalar = Limited(SimdWidth.Scalar);
        var random = new Random(77);
        for (int hidden = 0; hidden <= 257; hidden++)
        {
            float[] gates4 = KernelTestHelpers.RandomArray(random, 4 * hidden, 4f);
            float[] gates3 = KernelTestHelpers.RandomArray(random, 3 * hidden, 4f);
            float[] peephole = KernelTestHelpers.RandomArray(random, 3 * hidden);
            float[] state = KernelTestHelpers.RandomArray(random, hidden, 2f);
            foreach (float clip in new[] { NoClip, 1.5f })
            {
                string size = $"H={hidden} clip={clip}";
                foreach (bool withPeephole in new[] { false, true })
                {
                    ReadOnlySpan<float> p = withPeephole ? peephole : default;
                    float[] c0 = KernelTestHelpers.WithGuard(hidden);
                    float[] h0 = KernelTestHelpers.WithGuard(hidden);
                    state.CopyTo(c0, 0);
                    scalar.Lstm(gates4, p, clip, c0.AsSpan(0, hidden), h0.AsSpan(0, hidden));
                    foreach (CellPaths path in Paths())
                    {
                        float[] c = KernelTestHelpers.WithGuard(hidden);
                        float[] h = KernelTestHelpers.WithGuard(hidden);
                        state.CopyTo(c, 0);
                        path.Lstm(gates4, p, clip, c.AsSpan(0, hidden), h.AsSpan(0, hidden));
                        KernelTestHelpers.AssertClose(c0, c, hidden, 0, $"LSTM c {path.Name} {size} peephole={withPeephole}");
                        KernelTestHelpers.AssertClose(h0, h, hidden, 0, $"LSTM h {path.Name} {size} peephole={withPeephole}");
                        KernelTestHelpers.AssertGuardIntact(c, hidden, $"LSTM c {path.Name} {size}");
                        KernelTestHelpers.AssertGuardIntact(h, hidden, $"LSTM h {path.Name} {size}");
                    }
                }

                float[] expectedGru = KernelTestHelpers.WithGuard(hidden);
                state.CopyTo(expectedGru, 0);
                scalar.Gru(gates3, gates4.AsSpan(0, 3 * hidden), clip, expectedGru.AsSpan(0, hidden));

                float[] expectedZ = KernelTestHelpers.WithGuard(hidden);
                float[] expectedReset = KernelTestHelpers.WithGuard(hidden);
                scalar.GruReset(gates3, gates4.AsSpan(0, 2 * hidden), clip, state, expectedZ.AsSpan(0, hidden), expectedReset.AsSpan(0, hidden));

                float[] expectedFinish = KernelTestHelpers.WithGuard(hidden);
                state.CopyTo(expectedFinish, 0);
                scalar.GruFinish(gates3.AsSpan(2 * hidden), gates4.AsSpan(3 * hidden), expectedZ, clip, expectedFinish.AsSpan(0, hidden));

                float[] expectedRnn = KernelTestHelpers.WithGuard(hidden);
                scalar.Rnn(gates4, clip, expectedRnn.AsSpan(0, hidden));

                foreach (CellPaths path in Paths())
                {
                    float[] h = KernelTestHelpers.WithGuard(hidden);
                    state.CopyTo(h, 0);
                    path.Gru(gates3, gates4.AsSpan(0, 3 * hidden), clip, h.AsSpan(0, hidden));
                    KernelTestHelpers.AssertClose(expectedGru, h, hidden, 0, $"GRU LBR {path.Name} {size}");
                    KernelTestHelpers.AssertGuardIntact(h, hidden, $"GRU LBR {path.Name} {size}");

                    float[] z = KernelTestHelpers.WithGuard(hidden);
                    float[] reset = KernelTestHelpers.WithGuard(hidden);
                    path.GruReset(gates3, gates4.AsSpan(0, 2 * hidden), clip, state, z.AsSpan(0, hidden), reset.AsSpan(0, hidden));
                    KernelTestHelpers.AssertClose(expectedZ, z, hidden, 0, $"GRU z {path.Name} {size}");
                    KernelTestHelpers.AssertClose(expectedReset, reset, hidden, 0, $"GRU r*h {path.Name} {size}");
                    KernelTestHelpers.AssertGuardIntact(z, hidden, $"GRU z {path.Name} {size}");
                    KernelTestHelpers.AssertGuardIntact(reset, hidden, $"GRU r*h {path.Name} {size}");

                    h = KernelTestHelpers.WithGuard(hidden);
                    state.CopyTo(h, 0);
                    path.GruFinish(gates3.AsSpan(2 * hidden), gates4.AsSpan(3 * hidden), expectedZ, clip, h.AsSpan(0, hidden));
                    KernelTestHelpers.AssertClose(expectedFinish, h, hidden, 0, $"GRU finish {path.Name} {size}");
                    KernelTestHelpers.AssertGuardIntact(h, hidden, $"GRU finish {path.Name} {size}");

                    h = KernelTestHelpers.WithGuard(hidden);
                    path.Rnn(gates4, clip, h.AsSpan(0, hidden));
                    KernelTestHelpers.AssertClose(expectedRnn, h, hidden, 0, $"RNN {path.Name} {size}");
                    KernelTestHelpers.AssertGuardIntact(h, hidden, $"RNN {path.Name} {size}");
                }
            }
        }
    }

    [Theory]
    [InlineData(1, false, NoClip)]
    [InlineData(17, true, NoClip)]
    [InlineData(64, true, 2f)]
    [InlineData(100, false, 0.5f)]
    public void LstmUpdate_RandomInputs_MatchesDoubleFormulas(int hidden, bool withPeephole, float clip)
    {
        var random = new Random(hidden);
        float[] gates = KernelTestHelpers.RandomArray(random, 4 * hidden, 5f);
        float[] peephole = withPeephole ? KernelTestHelpers.RandomArray(random, 3 * hidden) : [];
        float[] cPrevious = KernelTestHelpers.RandomArray(random, hidden, 3f);
        double[] expectedC = new double[hidden];
        double[] expectedH = new double[hidden];
        for (int j = 0; j < hidden; j++)
        {
            double cPrev = cPrevious[j];
            double pi = withPeephole ? peephole[j] : 0, po = withPeephole ? peephole[hidden + j] : 0, pf = withPeephole ? peephole[2 * hidden + j] : 0;
            double i = Sigmoid(Clip(gates[j] + pi * cPrev, clip));
            double f = Sigmoid(Clip(gates[2 * hidden + j] + pf * cPrev, clip));
            double ct = f * cPrev + i * Math.Tanh(Clip(gates[3 * hidden + j], clip));
            double o = Sigmoid(Clip(gates[hidden + j] + po * ct, clip));
            expectedC[j] = ct;
            expectedH[j] = o * Math.Tanh(ct);
        }

        foreach (CellPaths path in AllPaths())
        {
            float[] c = (float[])cPrevious.Clone();
            float[] h = new float[hidden];
            path.Lstm(gates, peephole, clip, c, h);
            AssertNear(expectedC, c, $"{path.Name} c");
            AssertNear(expectedH, h, $"{path.Name} h");
        }
    }

    [Theory]
    [InlineData(1, NoClip)]
    [InlineData(33, NoClip)]
    [InlineData(64, 1f)]
    public void GruUpdates_RandomInputs_MatchDoubleFormulas(int hidden, float clip)
    {
        var random = new Random(hidden + 1000);
        float[] gx = KernelTestHelpers.RandomArray(random, 3 * hidden, 4f);
        float[] gh = KernelTestHelpers.RandomArray(random, 3 * hidden, 4f);
        float[] hPrev = KernelTestHelpers.RandomArray(random, hidden);
        double[] expectedLbr = new double[hidden];
        double[] expectedZ = new double[hidden];
        double[] expectedReset = new double[hidden];
        double[] expectedFinish = new double[hidden];
        for (int j = 0; j < hidden; j++)
        {
            double z = Sigmoid(Clip(gx[j] + gh[j], clip));
            double r = Sigmoid(Clip(gx[hidden + j] + gh[hidden + j], clip));
            double n = Math.Tanh(Clip(gx[2 * hidden + j] + r * gh[2 * hidden + j], clip));
            expectedLbr[j] = (1 - z) * n + z * hPrev[j];
            expectedZ[j] = z;
            expectedReset[j] = r * hPrev[j];
            double n0 = Math.Tanh(Clip(gx[2 * hidden + j] + gh[2 * hidden + j], clip));
            expectedFinish[j] = (1 - (float)z) * n0 + (float)z * hPrev[j];
        }

        foreach (CellPaths path in AllPaths())
        {
            float[] h = (float[])hPrev.Clone();
            path.Gru(gx, gh, clip, h);
            AssertNear(expectedLbr, h, $"{path.Name} GRU linear_before_reset");

            float[] zOut = new float[hidden];
            float[] resetHidden = new float[hidden];
            path.GruReset(gx, gh.AsSpan(0, 2 * hidden), clip, hPrev, zOut, resetHidden);
            AssertNear(expectedZ, zOut, $"{path.Name} GRU z");
            AssertNear(expectedReset, resetHidden, $"{path.Name} GRU r*h");

            h = (float[])hPrev.Clone();
            path.GruFinish(gx.AsSpan(2 * hidden), gh.AsSpan(2 * hidden), zOut, clip, h);
            AssertNear(expectedFinish, h, $"{path.Name} GRU finish");
        }
    }

    [Fact]
    public void RnnUpdate_InPlaceWithClip_MatchesDoubleFormula()
    {
        float[] original = KernelTestHelpers.RandomArray(new Random(3), 40, 6f);
        double[] expected = original.Select(g => Math.Tanh(Clip(g, 2f))).ToArray();

        foreach (CellPaths path in AllPaths())
        {
            float[] gates = (float[])original.Clone();
            path.Rnn(gates, 2f, gates);
            AssertNear(expected, gates, $"{path.Name} RNN");
        }
    }

    [Fact]
    public void LstmUpdate_ThrowsForTooShortInputs()
    {
        Assert.Throws<ArgumentException>(() => RecurrentCells.LstmUpdate(new float[15], default, NoClip, new float[4], new float[4]));
        Assert.Throws<ArgumentException>(() => RecurrentCells.LstmUpdate(new float[16], new float[11], NoClip, new float[4], new float[4]));
        Assert.Throws<ArgumentException>(() => RecurrentCells.LstmUpdate(new float[16], default, NoClip, new float[3], new float[4]));
    }

    [Fact]
    public void GruUpdates_ThrowForTooShortInputsOrDestinations()
    {
        Assert.Throws<ArgumentException>(() => RecurrentCells.GruUpdateLinearBeforeReset(new float[11], new float[12], NoClip, new float[4]));
        Assert.Throws<ArgumentException>(() => RecurrentCells.GruUpdateLinearBeforeReset(new float[12], new float[11], NoClip, new float[4]));
        Assert.Throws<ArgumentException>(() => RecurrentCells.GruResetGates(new float[12], new float[7], NoClip, new float[4], new float[4], new float[4]));
        Assert.Throws<ArgumentException>(() => RecurrentCells.GruResetGates(new float[12], new float[8], NoClip, new float[4], new float[3], new float[4]));
        Assert.Throws<ArgumentException>(() => RecurrentCells.GruResetGates(new float[12], new float[8], NoClip, new float[4], new float[4], new float[3]));
        Assert.Throws<ArgumentException>(() => RecurrentCells.GruFinish(new float[4], new float[4], new float[3], NoClip, new float[4]));
        Assert.Throws<ArgumentException>(() => RecurrentCells.RnnUpdate(new float[3], NoClip, new float[4]));
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(-1f)]
    [InlineData(float.NaN)]
    public void Cells_ThrowForNonPositiveClip(float clip)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => RecurrentCells.RnnUpdate(new float[4], clip, new float[4]));
        Assert.Throws<ArgumentOutOfRangeException>(() => RecurrentCells.LstmUpdate(new float[16], default, clip, new float[4], new float[4]));
        Assert.Throws<ArgumentOutOfRangeException>(() => RecurrentCells.GruUpdateLinearBeforeReset(new float[12], new float[12], clip, new float[4]));
    }

    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    private static double Clip(double x, float clip) => Math.Clamp(x, -clip, clip);

    private static void AssertNear(double[] expected, float[] actual, string context)
    {
        for (int j = 0; j < expected.Length; j++)
        {
            double tolerance = 1e-6 * (1 + Math.Abs(expected[j]));
            Assert.True(Math.Abs(expected[j] - actual[j]) <= tolerance, $"{context}[{j}]: expected {expected[j]} but was {actual[j]}.");
        }
    }
}
