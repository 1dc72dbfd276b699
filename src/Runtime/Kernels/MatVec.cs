using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace EdgeRnn.Runtime.Kernels;

/// <summary>
/// Matrix-vector products with a <see cref="PackedMatrix"/>: destination = W x (+ bias), or destination += W x.
/// </summary>
/// <remarks>
/// Every path sums each row in the same order (k = 0, 1, ..., Columns - 1, one fused multiply-add per term, starting
/// from zero) and adds the bias or the old destination value last, so the scalar and SIMD paths give bit-identical
/// results. The kernels never allocate and never write past destination[Rows - 1].
/// </remarks>
internal static class MatVec
{
    private const int Panel = PackedMatrix.PanelWidth;
    private const int MaxGroupPanels = PackedMatrix.MaxGroupPanels;
    private const int MaxGroupWidth = PackedMatrix.MaxGroupWidth;

    /// <summary>
    /// The group size (<see cref="PackedMatrix.PanelsPerGroup"/>) that the path <see cref="Multiply(PackedMatrix, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float})"/>
    /// dispatches to reads fastest for a [<paramref name="rows"/> x <paramref name="columns"/>] matrix: 1 for the paths
    /// that read one panel at a time (Vector256, Vector128, scalar), so that each panel is one contiguous block; for
    /// Vector512, which streams a group with up to 16 accumulators, 4, except for a matrix a little larger than L1
    /// (48-96 KB): there two-panel groups let the snake order start each call on the half still in L1
    /// (hidden-64 LSTM gates, 68 KB, on a Zen 5 core with a 48 KB L1: 411 -> 310 ns).
    /// </summary>
    public static int PreferredPanelsPerGroup(int rows, int columns)
    {
        if (!Vector512.IsHardwareAccelerated)
        {
            return 1;
        }

        long bytes = 4L * rows * columns;
        return bytes is > 48 * 1024 and <= 96 * 1024 ? 2 : MaxGroupPanels;
    }

    /// <summary>destination[r] = (bias.IsEmpty ? 0 : bias[r]) + Σ_k W[r, k] * x[k], for r in [0, Rows).</summary>
    /// <exception cref="ArgumentException">x is shorter than Columns, destination shorter than Rows, or bias non-empty and shorter than Rows.</exception>
    public static void Multiply(PackedMatrix w, ReadOnlySpan<float> x, ReadOnlySpan<float> bias, Span<float> destination)
    {
        Validate(w, x, bias, destination);
        Dispatch(w, x, bias, accumulate: false, destination, SimdWidth.Vector512);
    }

    /// <summary>destination[r] += Σ_k W[r, k] * x[k], for r in [0, Rows).</summary>
    /// <exception cref="ArgumentException">x is shorter than Columns or destination shorter than Rows.</exception>
    public static void MultiplyAccumulate(PackedMatrix w, ReadOnlySpan<float> x, Span<float> destination)
    {
        Validate(w, x, default, destination);
        Dispatch(w, x, default, accumulate: true, destination, SimdWidth.Vector512);
    }

    /// <summary>Like <see cref="Multiply(PackedMatrix, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float})"/> on the widest accelerated path no wider than <paramref name="maxWidth"/> (tests and benchmarks).</summary>
    internal static void Multiply(PackedMatrix w, ReadOnlySpan<float> x, ReadOnlySpan<float> bias, Span<float> destination, SimdWidth maxWidth)
    {
        Validate(w, x, bias, destination);
        Dispatch(w, x, bias, accumulate: false, destination, maxWidth);
    }

    /// <summary>Like <see cref="MultiplyAccumulate(PackedMatrix, ReadOnlySpan{float}, Span{float})"/> on the widest accelerated path no wider than <paramref name="maxWidth"/>.</summary>
    internal static void MultiplyAccumulate(PackedMatrix w, ReadOnlySpan<float> x, Span<float> destination, SimdWidth maxWidth)
    {
        Validate(w, x, default, destination);
        Dispatch(w, x, default, accumulate: true, destination, maxWidth);
    }

    private static void Validate(PackedMatrix w, ReadOnlySpan<float> x, ReadOnlySpan<float> bias, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(w);
        if (x.Length < w.Columns)
        {
            ThrowHelper.ThrowArgument_InputTooShort(nameof(x));
        }

        if (!bias.IsEmpty && bias.Length < w.Rows)
        {
            ThrowHelper.ThrowArgument_InputTooShort(nameof(bias));
        }

        if (destination.Length < w.Rows)
        {
            ThrowHelper.ThrowArgument_DestinationTooShort();
        }
    }

    private static void Dispatch(PackedMatrix w, ReadOnlySpan<float> x, ReadOnlySpan<float> bias, bool accumulate, Span<float> destination, SimdWidth maxWidth)
    {
        ref float xRef = ref MemoryMarshal.GetReference(x);
        ref float biasRef = ref MemoryMarshal.GetReference(bias);
        ref float dst = ref MemoryMarshal.GetReference(destination);
        bool hasBias = !bias.IsEmpty;
        if (maxWidth >= SimdWidth.Vector512 && Vector512.IsHardwareAccelerated)
        {
            Vector512Core(w, ref xRef, ref biasRef, hasBias, accumulate, ref dst);
        }
        else if (maxWidth >= SimdWidth.Vector256 && Vector256.IsHardwareAccelerated)
        {
            Vector256Core(w, ref xRef, ref biasRef, hasBias, accumulate, ref dst);
        }
        else if (maxWidth >= SimdWidth.Vector128 && Vector128.IsHardwareAccelerated)
        {
            Vector128Core(w, ref xRef, ref biasRef, hasBias, accumulate, ref dst);
        }
        else
        {
            ScalarCore(w, ref xRef, ref biasRef, hasBias, accumulate, ref dst);
        }
    }

    /// <summary>Up to one group's worth of row sums (256 floats), kept on the stack between the loop and the finish.</summary>
    [InlineArray(MaxGroupWidth)]
    private struct RowSums
    {
        private float _element0;
    }

    /// <summary>
    /// Writes the <paramref name="count"/> sums of rows row0, row0 + 1, ...: only rows below <paramref name="rows"/>,
    /// adding the bias or the old destination value. The kernels store their accumulators to a stack buffer and call
    /// this rather than finishing from registers: vectors live across a call make the JIT spill accumulators inside
    /// the hot loop (every vector register is caller-saved on x64 Unix).
    /// </summary>
    private static void FinishRows(ref float sums, int count, int row0, int rows, ref float bias, bool hasBias, bool accumulate, ref float dst)
    {
        int n = Math.Min(count, rows - row0);
        ref float d = ref Unsafe.Add(ref dst, row0);
        int i = 0;
        // Once per group, not per column: one narrow vector loop serves every path (adds are exact per element).
        if (Vector128.IsHardwareAccelerated)
        {
            for (; i + Vector128<float>.Count <= n; i += Vector128<float>.Count)
            {
                Vector128<float> v = Vector128.LoadUnsafe(ref sums, (nuint)i);
                if (accumulate)
                {
                    v = Vector128.LoadUnsafe(ref d, (nuint)i) + v;
                }
                else if (hasBias)
                {
                    v += Vector128.LoadUnsafe(ref bias, (nuint)(row0 + i));
                }

                v.StoreUnsafe(ref d, (nuint)i);
            }
        }

        for (; i < n; i++)
        {
            float sum = Unsafe.Add(ref sums, i);
            ref float di = ref Unsafe.Add(ref d, i);
            di = accumulate ? di + sum : hasBias ? sum + Unsafe.Add(ref bias, row0 + i) : sum;
        }
    }

    // ---------------------------------------------------------------- Scalar: one row at a time

    private static void ScalarCore(PackedMatrix w, ref float x, ref float bias, bool hasBias, bool accumulate, ref float dst)
    {
        int rows = w.Rows;
        int columns = w.Columns;
        ReadOnlySpan<float> data = w.Data.AsSpan(w.Offset, w.Length);
        for (int r = 0; r < rows; r++)
        {
            int index = w.IndexOf(r, 0);
            int stride = w.PanelsInGroup(r / w.GroupWidth) * Panel;
            float sum = 0f;
            for (int k = 0; k < columns; k++, index += stride)
            {
                sum = MathF.FusedMultiplyAdd(data[index], Unsafe.Add(ref x, k), sum);
            }

            ref float d = ref Unsafe.Add(ref dst, r);
            d = accumulate ? d + sum : hasBias ? sum + Unsafe.Add(ref bias, r) : sum;
        }
    }

    // ---------------------------------------------------------------- Vector128: 1 panel x 16 accumulators
    // (128-bit machines are mostly ARM64, which has 32 vector registers.) Reads any layout; with one-panel groups (what
    // PreferredPanelsPerGroup packs for this path) each panel is one contiguous stream, and the groups are panels, so
    // successive calls visit the panels in alternating order.

    private static void Vector128Core(PackedMatrix w, ref float x, ref float bias, bool hasBias, bool accumulate, ref float dst)
    {
        int rows = w.Rows;
        int panels = w.PanelCount;
        int groups = w.GroupCount;
        int perGroup = w.PanelsPerGroup;
        nuint columns = (nuint)w.Columns;
        ref float data = ref w.GetDataReference();
        bool backward = w.NextPassIsBackward();
        for (int i = 0; i < groups; i++)
        {
            int p0 = (backward ? groups - 1 - i : i) * perGroup;
            int n = Math.Min(perGroup, panels - p0);
            ref float block = ref Unsafe.Add(ref data, (nuint)p0 * columns * Panel);
            for (int j = 0; j < n; j++)
            {
                int panel = backward ? n - 1 - j : j;
                Panel128(ref Unsafe.Add(ref block, (nuint)panel * Panel), (nuint)n * Panel, ref x, columns, (p0 + panel) * Panel, rows, ref bias, hasBias, accumulate, ref dst);
            }
        }
    }

    [SkipLocalsInit]
    private static void Panel128(ref float wk, nuint stride, ref float x, nuint columns, int row0, int rows, ref float bias, bool hasBias, bool accumulate, ref float dst)
    {
        Vector128<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
        Vector128<float> a8 = default, a9 = default, a10 = default, a11 = default, a12 = default, a13 = default, a14 = default, a15 = default;
        for (nuint k = 0; k < columns; k++)
        {
            Vector128<float> xb = Vector128.Create(Unsafe.Add(ref x, k));
            a0 = Vector128.FusedMultiplyAdd(Vector128.LoadUnsafe(ref wk, 0), xb, a0);
            a1 = Vector128.FusedMultiplyAdd(Vector128.LoadUnsafe(ref wk, 4), xb, a1);
            a2 = Vector128.FusedMultiplyAdd(Vector128.LoadUnsafe(ref wk, 8), xb, a2);
            a3 = Vector128.FusedMultiplyAdd(Vector128.LoadUnsafe(ref wk, 12), xb, a3);
            a4 = Vector128.FusedMultiplyAdd(Vector128.LoadUnsafe(ref wk, 16), xb, a4);
            a5 = Vector128.FusedMultiplyAdd(Vector128.LoadUnsafe(ref wk, 20), xb, a5);
            a6 = Vector128.FusedMultiplyAdd(Vector128.LoadUnsafe(ref wk, 24), xb, a6);
            a7 = Vector128.FusedMultiplyAdd(Vector128.LoadUnsafe(ref wk, 28), xb, a7);
            a8 = Vector128.FusedMultiplyAdd(Vector128.LoadUnsafe(ref wk, 32), xb, a8);
            a9 = Vector128.FusedMultiplyAdd(Vector128.LoadUnsafe(ref wk, 36), xb, a9);
            a10 = Vector128.FusedMultiplyAdd(Vector128.LoadUnsafe(ref wk, 40), xb, a10);
            a11 = Vector128.FusedMultiplyAdd(Vector128.LoadUnsafe(ref wk, 44), xb, a11);
            a12 = Vector128.FusedMultiplyAdd(Vector128.LoadUnsafe(ref wk, 48), xb, a12);
            a13 = Vector128.FusedMultiplyAdd(Vector128.LoadUnsafe(ref wk, 52), xb, a13);
            a14 = Vector128.FusedMultiplyAdd(Vector128.LoadUnsafe(ref wk, 56), xb, a14);
            a15 = Vector128.FusedMultiplyAdd(Vector128.LoadUnsafe(ref wk, 60), xb, a15);
            wk = ref Unsafe.Add(ref wk, stride);
        }

        Unsafe.SkipInit(out RowSums sums);
        ref float buffer = ref Unsafe.As<RowSums, float>(ref sums);
        a0.StoreUnsafe(ref buffer, 0);
        a1.StoreUnsafe(ref buffer, 4);
        a2.StoreUnsafe(ref buffer, 8);
        a3.StoreUnsafe(ref buffer, 12);
        a4.StoreUnsafe(ref buffer, 16);
        a5.StoreUnsafe(ref buffer, 20);
        a6.StoreUnsafe(ref buffer, 24);
        a7.StoreUnsafe(ref buffer, 28);
        a8.StoreUnsafe(ref buffer, 32);
        a9.StoreUnsafe(ref buffer, 36);
        a10.StoreUnsafe(ref buffer, 40);
        a11.StoreUnsafe(ref buffer, 44);
        a12.StoreUnsafe(ref buffer, 48);
        a13.StoreUnsafe(ref buffer, 52);
        a14.StoreUnsafe(ref buffer, 56);
        a15.StoreUnsafe(ref buffer, 60);
        FinishRows(ref buffer, Panel, row0, rows, ref bias, hasBias, accumulate, ref dst);
    }

    // ---------------------------------------------------------------- Vector256: 1 panel x 8 accumulators
    // (machines whose widest vector is 256 bits usually have only 16 vector registers: 8 accumulators, k unrolled by 2.)
    // Reads any layout, but is only fast on one-panel groups: reading one panel out of a 4-panel group (row stride 256
    // floats, 4 of every 16 cache lines per column) streamed worse than a contiguous panel once the matrix left L1
    // (Zen 5, DOTNET_PreferredVectorBitWidth=256: H=64 LSTM 370 -> 558 ns, H=128 1430 -> 2100 ns). So PackedMatrix
    // packs one-panel groups whenever this path, not Vector512, is the one dispatched (MatVec.PreferredPanelsPerGroup).

    private static void Vector256Core(PackedMatrix w, ref float x, ref float bias, bool hasBias, bool accumulate, ref float dst)
    {
        int rows = w.Rows;
        int panels = w.PanelCount;
        int groups = w.GroupCount;
        int perGroup = w.PanelsPerGroup;
        nuint columns = (nuint)w.Columns;
        ref float data = ref w.GetDataReference();
        bool backward = w.NextPassIsBackward();
        for (int i = 0; i < groups; i++)
        {
            int p0 = (backward ? groups - 1 - i : i) * perGroup;
            int n = Math.Min(perGroup, panels - p0);
            ref float block = ref Unsafe.Add(ref data, (nuint)p0 * columns * Panel);
            for (int j = 0; j < n; j++)
            {
                int panel = backward ? n - 1 - j : j;
                Panel256(ref Unsafe.Add(ref block, (nuint)panel * Panel), (nuint)n * Panel, ref x, columns, (p0 + panel) * Panel, rows, ref bias, hasBias, accumulate, ref dst);
            }
        }
    }

    [SkipLocalsInit]
    private static void Panel256(ref float wk, nuint stride, ref float x, nuint columns, int row0, int rows, ref float bias, bool hasBias, bool accumulate, ref float dst)
    {
        Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
        nuint k = 0;
        for (; k + 2 <= columns; k += 2)
        {
            Vector256<float> xb = Vector256.Create(Unsafe.Add(ref x, k));
            a0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref wk, 0), xb, a0);
            a1 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref wk, 8), xb, a1);
            a2 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref wk, 16), xb, a2);
            a3 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref wk, 24), xb, a3);
            a4 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref wk, 32), xb, a4);
            a5 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref wk, 40), xb, a5);
            a6 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref wk, 48), xb, a6);
            a7 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref wk, 56), xb, a7);
            xb = Vector256.Create(Unsafe.Add(ref x, k + 1));
            ref float wk1 = ref Unsafe.Add(ref wk, stride);
            a0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref wk1, 0), xb, a0);
            a1 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref wk1, 8), xb, a1);
            a2 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref wk1, 16), xb, a2);
            a3 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref wk1, 24), xb, a3);
            a4 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref wk1, 32), xb, a4);
            a5 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref wk1, 40), xb, a5);
            a6 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref wk1, 48), xb, a6);
            a7 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref wk1, 56), xb, a7);
            wk = ref Unsafe.Add(ref wk, 2 * stride);
        }

        if (k < columns)
        {
            Vector256<float> xb = Vector256.Create(Unsafe.Add(ref x, k));
            a0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref wk, 0), xb, a0);
            a1 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref wk, 8), xb, a1);
            a2 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref wk, 16), xb, a2);
            a3 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref wk, 24), xb, a3);
            a4 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref wk, 32), xb, a4);
            a5 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref wk, 40), xb, a5);
            a6 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref wk, 48), xb, a6);
            a7 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref wk, 56), xb, a7);
        }

        Unsafe.SkipInit(out RowSums sums);
        ref float buffer = ref Unsafe.As<RowSums, float>(ref sums);
        a0.StoreUnsafe(ref buffer, 0);
        a1.StoreUnsafe(ref buffer, 8);
        a2.StoreUnsafe(ref buffer, 16);
        a3.StoreUnsafe(ref buffer, 24);
        a4.StoreUnsafe(ref buffer, 32);
        a5.StoreUnsafe(ref buffer, 40);
        a6.StoreUnsafe(ref buffer, 48);
        a7.StoreUnsafe(ref buffer, 56);
        FinishRows(ref buffer, Panel, row0, rows, ref bias, hasBias, accumulate, ref dst);
    }

    // ---------------------------------------------------------------- Vector512: a full 4-panel group x 16 accumulators,
    // the rest of a partial group as 2 panels x 8 and 1 panel x 4 accumulators. One-panel groups (packed for the narrower
    // paths; only seen here when a test packs them explicitly) are read as pairs of panels, so the loop still has 8
    // independent accumulators rather than 4.

    private static void Vector512Core(PackedMatrix w, ref float x, ref float bias, bool hasBias, bool accumulate, ref float dst)
    {
        if (w.PanelsPerGroup == 1)
        {
            Vector512PanelPairs(w, ref x, ref bias, hasBias, accumulate, ref dst);
            return;
        }

        int rows = w.Rows;
        int panels = w.PanelCount;
        int groups = w.GroupCount;
        int perGroup = w.PanelsPerGroup;
        nuint columns = (nuint)w.Columns;
        ref float data = ref w.GetDataReference();
        bool backward = w.NextPassIsBackward();
        for (int i = 0; i < groups; i++)
        {
            int p0 = (backward ? groups - 1 - i : i) * perGroup;
            int n = Math.Min(perGroup, panels - p0);
            ref float block = ref Unsafe.Add(ref data, (nuint)p0 * columns * Panel);
            if (n == MaxGroupPanels)
            {
                Group512(ref block, ref x, columns, p0, rows, ref bias, hasBias, accumulate, ref dst);
                continue;
            }

            nuint stride = (nuint)n * Panel;
            int j = 0;
            if (n >= 2)
            {
                TwoPanels512(ref block, Panel, stride, ref x, columns, p0, rows, ref bias, hasBias, accumulate, ref dst);
                j = 2;
            }

            if (j < n)
            {
                OnePanel512(ref Unsafe.Add(ref block, (nuint)j * Panel), stride, ref x, columns, p0 + j, rows, ref bias, hasBias, accumulate, ref dst);
            }
        }
    }

    /// <summary>One-panel groups: panels 2i and 2i + 1 (blocks 64 * Columns apart) together, a last odd panel alone.</summary>
    private static void Vector512PanelPairs(PackedMatrix w, ref float x, ref float bias, bool hasBias, bool accumulate, ref float dst)
    {
        int rows = w.Rows;
        int panels = w.PanelCount;
        int pairs = (panels + 1) / 2;
        nuint columns = (nuint)w.Columns;
        nuint panelLength = columns * Panel;
        ref float data = ref w.GetDataReference();
        bool backward = w.NextPassIsBackward();
        for (int i = 0; i < pairs; i++)
        {
            int p0 = (backward ? pairs - 1 - i : i) * 2;
            ref float block = ref Unsafe.Add(ref data, (nuint)p0 * panelLength);
            if (p0 + 1 < panels)
            {
                TwoPanels512(ref block, panelLength, Panel, ref x, columns, p0, rows, ref bias, hasBias, accumulate, ref dst);
            }
            else
            {
                OnePanel512(ref block, Panel, ref x, columns, p0, rows, ref bias, hasBias, accumulate, ref dst);
            }
        }
    }

    /// <summary>Four panels read as one contiguous stream of 256 floats per column.</summary>
    [SkipLocalsInit]
    private static void Group512(ref float wk, ref float x, nuint columns, int panel, int rows, ref float bias, bool hasBias, bool accumulate, ref float dst)
    {
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
        Vector512<float> a8 = default, a9 = default, a10 = default, a11 = default, a12 = default, a13 = default, a14 = default, a15 = default;
        for (nuint k = 0; k < columns; k++)
        {
            Vector512<float> xb = Vector512.Create(Unsafe.Add(ref x, k));
            a0 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref wk, 0), xb, a0);
            a1 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref wk, 16), xb, a1);
            a2 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref wk, 32), xb, a2);
            a3 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref wk, 48), xb, a3);
            a4 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref wk, 64), xb, a4);
            a5 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref wk, 80), xb, a5);
            a6 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref wk, 96), xb, a6);
            a7 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref wk, 112), xb, a7);
            a8 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref wk, 128), xb, a8);
            a9 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref wk, 144), xb, a9);
            a10 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref wk, 160), xb, a10);
            a11 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref wk, 176), xb, a11);
            a12 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref wk, 192), xb, a12);
            a13 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref wk, 208), xb, a13);
            a14 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref wk, 224), xb, a14);
            a15 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref wk, 240), xb, a15);
            wk = ref Unsafe.Add(ref wk, MaxGroupWidth);
        }

        Unsafe.SkipInit(out RowSums sums);
        ref float buffer = ref Unsafe.As<RowSums, float>(ref sums);
        a0.StoreUnsafe(ref buffer, 0);
        a1.StoreUnsafe(ref buffer, 16);
        a2.StoreUnsafe(ref buffer, 32);
        a3.StoreUnsafe(ref buffer, 48);
        a4.StoreUnsafe(ref buffer, 64);
        a5.StoreUnsafe(ref buffer, 80);
        a6.StoreUnsafe(ref buffer, 96);
        a7.StoreUnsafe(ref buffer, 112);
        a8.StoreUnsafe(ref buffer, 128);
        a9.StoreUnsafe(ref buffer, 144);
        a10.StoreUnsafe(ref buffer, 160);
        a11.StoreUnsafe(ref buffer, 176);
        a12.StoreUnsafe(ref buffer, 192);
        a13.StoreUnsafe(ref buffer, 208);
        a14.StoreUnsafe(ref buffer, 224);
        a15.StoreUnsafe(ref buffer, 240);
        FinishRows(ref buffer, MaxGroupWidth, panel * Panel, rows, ref bias, hasBias, accumulate, ref dst);
    }

    /// <summary>Panels <paramref name="panel"/> and panel + 1, whose column rows start <paramref name="distance"/> floats apart.</summary>
    [SkipLocalsInit]
    private static void TwoPanels512(ref float wk, nuint distance, nuint stride, ref float x, nuint columns, int panel, int rows, ref float bias, bool hasBias, bool accumulate, ref float dst)
    {
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
        ref float wk1 = ref Unsafe.Add(ref wk, distance);
        for (nuint k = 0; k < columns; k++)
        {
            Vector512<float> xb = Vector512.Create(Unsafe.Add(ref x, k));
            a0 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref wk, 0), xb, a0);
            a1 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref wk, 16), xb, a1);
            a2 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref wk, 32), xb, a2);
            a3 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref wk, 48), xb, a3);
            a4 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref wk1, 0), xb, a4);
            a5 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref wk1, 16), xb, a5);
            a6 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref wk1, 32), xb, a6);
            a7 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref wk1, 48), xb, a7);
            wk = ref Unsafe.Add(ref wk, stride);
            wk1 = ref Unsafe.Add(ref wk1, stride);
        }

        Unsafe.SkipInit(out RowSums sums);
        ref float buffer = ref Unsafe.As<RowSums, float>(ref sums);
        a0.StoreUnsafe(ref buffer, 0);
        a1.StoreUnsafe(ref buffer, 16);
        a2.StoreUnsafe(ref buffer, 32);
        a3.StoreUnsafe(ref buffer, 48);
        a4.StoreUnsafe(ref buffer, 64);
        a5.StoreUnsafe(ref buffer, 80);
        a6.StoreUnsafe(ref buffer, 96);
        a7.StoreUnsafe(ref buffer, 112);
        FinishRows(ref buffer, 2 * Panel, panel * Panel, rows, ref bias, hasBias, accumulate, ref dst);
    }

    [SkipLocalsInit]
    private static void OnePanel512(ref float wk, nuint stride, ref float x, nuint columns, int panel, int rows, ref float bias, bool hasBias, bool accumulate, ref float dst)
    {
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
        for (nuint k = 0; k < columns; k++)
        {
            Vector512<float> xb = Vector512.Create(Unsafe.Add(ref x, k));
            a0 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref wk, 0), xb, a0);
            a1 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref wk, 16), xb, a1);
            a2 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref wk, 32), xb, a2);
            a3 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref wk, 48), xb, a3);
            wk = ref Unsafe.Add(ref wk, stride);
        }

        Unsafe.SkipInit(out RowSums sums);
        ref float buffer = ref Unsafe.As<RowSums, float>(ref sums);
        a0.StoreUnsafe(ref buffer, 0);
        a1.StoreUnsafe(ref buffer, 16);
        a2.StoreUnsafe(ref buffer, 32);
        a3.StoreUnsafe(ref buffer, 48);
        FinishRows(ref buffer, Panel, panel * Panel, rows, ref bias, hasBias, accumulate, ref dst);
    }
}
