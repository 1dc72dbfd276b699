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

    /// <summary>destination[r] = (bias.IsEmpty ? 0 : bias[r]) + Σ_k W[r, k] * x[k], for r in [0, Rows).</summary>
    /// <exception cref="ArgumentException">x is shorter than Columns, destination shorter than Rows, or bias non-empty and shorter than Rows.</exception>
    public static void Multiply(PackedMatrix w, ReadOnlySpan<float> x, ReadOnlySpan<float> bias, Span<float> destination)
    {
        Validate(w, x, bias, destination);
        Dispatch(w, x, bias, accumulate: false, destination);
    }

    /// <summary>destination[r] += Σ_k W[r, k] * x[k], for r in [0, Rows).</summary>
    /// <exception cref="ArgumentException">x is shorter than Columns or destination shorter than Rows.</exception>
    public static void MultiplyAccumulate(PackedMatrix w, ReadOnlySpan<float> x, Span<float> destination)
    {
        Validate(w, x, default, destination);
        Dispatch(w, x, default, accumulate: true, destination);
    }

    internal static void MultiplyScalar(PackedMatrix w, ReadOnlySpan<float> x, ReadOnlySpan<float> bias, Span<float> destination)
    {
        Validate(w, x, bias, destination);
        ScalarCore(w, ref MemoryMarshal.GetReference(x), ref MemoryMarshal.GetReference(bias), !bias.IsEmpty, false, ref MemoryMarshal.GetReference(destination));
    }

    internal static void MultiplyAccumulateScalar(PackedMatrix w, ReadOnlySpan<float> x, Span<float> destination)
    {
        Validate(w, x, default, destination);
        ScalarCore(w, ref MemoryMarshal.GetReference(x), ref Unsafe.NullRef<float>(), false, true, ref MemoryMarshal.GetReference(destination));
    }

    internal static void MultiplyVector128(PackedMatrix w, ReadOnlySpan<float> x, ReadOnlySpan<float> bias, Span<float> destination)
    {
        Validate(w, x, bias, destination);
        Vector128Core(w, ref MemoryMarshal.GetReference(x), ref MemoryMarshal.GetReference(bias), !bias.IsEmpty, false, ref MemoryMarshal.GetReference(destination));
    }

    internal static void MultiplyAccumulateVector128(PackedMatrix w, ReadOnlySpan<float> x, Span<float> destination)
    {
        Validate(w, x, default, destination);
        Vector128Core(w, ref MemoryMarshal.GetReference(x), ref Unsafe.NullRef<float>(), false, true, ref MemoryMarshal.GetReference(destination));
    }

    internal static void MultiplyVector256(PackedMatrix w, ReadOnlySpan<float> x, ReadOnlySpan<float> bias, Span<float> destination)
    {
        Validate(w, x, bias, destination);
        Vector256Core(w, ref MemoryMarshal.GetReference(x), ref MemoryMarshal.GetReference(bias), !bias.IsEmpty, false, ref MemoryMarshal.GetReference(destination));
    }

    internal static void MultiplyAccumulateVector256(PackedMatrix w, ReadOnlySpan<float> x, Span<float> destination)
    {
        Validate(w, x, default, destination);
        Vector256Core(w, ref MemoryMarshal.GetReference(x), ref Unsafe.NullRef<float>(), false, true, ref MemoryMarshal.GetReference(destination));
    }

    internal static void MultiplyVector512(PackedMatrix w, ReadOnlySpan<float> x, ReadOnlySpan<float> bias, Span<float> destination)
    {
        Validate(w, x, bias, destination);
        Vector512Core(w, ref MemoryMarshal.GetReference(x), ref MemoryMarshal.GetReference(bias), !bias.IsEmpty, false, ref MemoryMarshal.GetReference(destination));
    }

    internal static void MultiplyAccumulateVector512(PackedMatrix w, ReadOnlySpan<float> x, Span<float> destination)
    {
        Validate(w, x, default, destination);
        Vector512Core(w, ref MemoryMarshal.GetReference(x), ref Unsafe.NullRef<float>(), false, true, ref MemoryMarshal.GetReference(destination));
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

    private static void Dispatch(PackedMatrix w, ReadOnlySpan<float> x, ReadOnlySpan<float> bias, bool accumulate, Span<float> destination)
    {
        ref float xRef = ref MemoryMarshal.GetReference(x);
        ref float biasRef = ref MemoryMarshal.GetReference(bias);
        ref float dst = ref MemoryMarshal.GetReference(destination);
        bool hasBias = !bias.IsEmpty;
        if (Vector512.IsHardwareAccelerated)
        {
            Vector512Core(w, ref xRef, ref biasRef, hasBias, accumulate, ref dst);
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            Vector256Core(w, ref xRef, ref biasRef, hasBias, accumulate, ref dst);
        }
        else if (Vector128.IsHardwareAccelerated)
        {
            Vector128Core(w, ref xRef, ref biasRef, hasBias, accumulate, ref dst);
        }
        else
        {
            ScalarCore(w, ref xRef, ref biasRef, hasBias, accumulate, ref dst);
        }
    }

    /// <summary>Writes the 64 sums of one panel: only rows below <paramref name="rows"/>, plus bias or old value.</summary>
    private static void FinishPanel(ReadOnlySpan<float> sums, int row0, int rows, ref float bias, bool hasBias, bool accumulate, ref float dst)
    {
        int count = Math.Min(Panel, rows - row0);
        for (int j = 0; j < count; j++)
        {
            ref float d = ref Unsafe.Add(ref dst, row0 + j);
            d = accumulate ? d + sums[j] : hasBias ? sums[j] + Unsafe.Add(ref bias, row0 + j) : sums[j];
        }
    }

    private static void ScalarCore(PackedMatrix w, ref float x, ref float bias, bool hasBias, bool accumulate, ref float dst)
    {
        int rows = w.Rows;
        int columns = w.Columns;
        ReadOnlySpan<float> data = w.Data;
        Span<float> sums = stackalloc float[Panel];
        for (int p = 0; p < w.PanelCount; p++)
        {
            sums.Clear();
            ReadOnlySpan<float> panel = data.Slice(p * columns * Panel, columns * Panel);
            for (int k = 0; k < columns; k++)
            {
                float xk = Unsafe.Add(ref x, k);
                ReadOnlySpan<float> wk = panel.Slice(k * Panel, Panel);
                for (int j = 0; j < Panel; j++)
                {
                    sums[j] = MathF.FusedMultiplyAdd(wk[j], xk, sums[j]);
                }
            }

            FinishPanel(sums, p * Panel, rows, ref bias, hasBias, accumulate, ref dst);
        }
    }

    // ---------------------------------------------------------------- Vector128: 1 panel x 16 accumulators

    private static void Vector128Core(PackedMatrix w, ref float x, ref float bias, bool hasBias, bool accumulate, ref float dst)
    {
        int rows = w.Rows;
        nuint columns = (nuint)w.Columns;
        ref float data = ref MemoryMarshal.GetArrayDataReference(w.Data);
        for (int p = 0; p < w.PanelCount; p++)
        {
            ref float wp = ref Unsafe.Add(ref data, (nuint)p * columns * Panel);
            Vector128<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
            Vector128<float> a8 = default, a9 = default, a10 = default, a11 = default, a12 = default, a13 = default, a14 = default, a15 = default;
            for (nuint k = 0; k < columns; k++)
            {
                Vector128<float> xb = Vector128.Create(Unsafe.Add(ref x, k));
                ref float wk = ref Unsafe.Add(ref wp, k * Panel);
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
            }

            int row0 = p * Panel;
            if (rows - row0 >= Panel)
            {
                ref float d = ref Unsafe.Add(ref dst, row0);
                if (accumulate || hasBias)
                {
                    ref float addend = ref accumulate ? ref d : ref Unsafe.Add(ref bias, row0);
                    a0 += Vector128.LoadUnsafe(ref addend, 0);
                    a1 += Vector128.LoadUnsafe(ref addend, 4);
                    a2 += Vector128.LoadUnsafe(ref addend, 8);
                    a3 += Vector128.LoadUnsafe(ref addend, 12);
                    a4 += Vector128.LoadUnsafe(ref addend, 16);
                    a5 += Vector128.LoadUnsafe(ref addend, 20);
                    a6 += Vector128.LoadUnsafe(ref addend, 24);
                    a7 += Vector128.LoadUnsafe(ref addend, 28);
                    a8 += Vector128.LoadUnsafe(ref addend, 32);
                    a9 += Vector128.LoadUnsafe(ref addend, 36);
                    a10 += Vector128.LoadUnsafe(ref addend, 40);
                    a11 += Vector128.LoadUnsafe(ref addend, 44);
                    a12 += Vector128.LoadUnsafe(ref addend, 48);
                    a13 += Vector128.LoadUnsafe(ref addend, 52);
                    a14 += Vector128.LoadUnsafe(ref addend, 56);
                    a15 += Vector128.LoadUnsafe(ref addend, 60);
                }

                a0.StoreUnsafe(ref d, 0);
                a1.StoreUnsafe(ref d, 4);
                a2.StoreUnsafe(ref d, 8);
                a3.StoreUnsafe(ref d, 12);
                a4.StoreUnsafe(ref d, 16);
                a5.StoreUnsafe(ref d, 20);
                a6.StoreUnsafe(ref d, 24);
                a7.StoreUnsafe(ref d, 28);
                a8.StoreUnsafe(ref d, 32);
                a9.StoreUnsafe(ref d, 36);
                a10.StoreUnsafe(ref d, 40);
                a11.StoreUnsafe(ref d, 44);
                a12.StoreUnsafe(ref d, 48);
                a13.StoreUnsafe(ref d, 52);
                a14.StoreUnsafe(ref d, 56);
                a15.StoreUnsafe(ref d, 60);
            }
            else
            {
                Span<Vector128<float>> sums = [a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15];
                FinishPanel(MemoryMarshal.Cast<Vector128<float>, float>(sums), row0, rows, ref bias, hasBias, accumulate, ref dst);
            }
        }
    }

    // ---------------------------------------------------------------- Vector256: 1 panel x 8 accumulators
    // (machines whose widest vector is 256 bits usually have only 16 vector registers: 8 accumulators, k unrolled by 2.)

    private static void Vector256Core(PackedMatrix w, ref float x, ref float bias, bool hasBias, bool accumulate, ref float dst)
    {
        int rows = w.Rows;
        nuint columns = (nuint)w.Columns;
        ref float data = ref MemoryMarshal.GetArrayDataReference(w.Data);
        for (int p = 0; p < w.PanelCount; p++)
        {
            ref float wp = ref Unsafe.Add(ref data, (nuint)p * columns * Panel);
            Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
            nuint k = 0;
            for (; k + 2 <= columns; k += 2)
            {
                Vector256<float> xb = Vector256.Create(Unsafe.Add(ref x, k));
                ref float wk = ref Unsafe.Add(ref wp, k * Panel);
                a0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref wk, 0), xb, a0);
                a1 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref wk, 8), xb, a1);
                a2 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref wk, 16), xb, a2);
                a3 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref wk, 24), xb, a3);
                a4 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref wk, 32), xb, a4);
                a5 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref wk, 40), xb, a5);
                a6 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref wk, 48), xb, a6);
                a7 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref wk, 56), xb, a7);
                xb = Vector256.Create(Unsafe.Add(ref x, k + 1));
                a0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref wk, 64), xb, a0);
                a1 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref wk, 72), xb, a1);
                a2 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref wk, 80), xb, a2);
                a3 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref wk, 88), xb, a3);
                a4 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref wk, 96), xb, a4);
                a5 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref wk, 104), xb, a5);
                a6 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref wk, 112), xb, a6);
                a7 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref wk, 120), xb, a7);
            }

            if (k < columns)
            {
                Vector256<float> xb = Vector256.Create(Unsafe.Add(ref x, k));
                ref float wk = ref Unsafe.Add(ref wp, k * Panel);
                a0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref wk, 0), xb, a0);
                a1 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref wk, 8), xb, a1);
                a2 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref wk, 16), xb, a2);
                a3 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref wk, 24), xb, a3);
                a4 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref wk, 32), xb, a4);
                a5 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref wk, 40), xb, a5);
                a6 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref wk, 48), xb, a6);
                a7 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref wk, 56), xb, a7);
            }

            int row0 = p * Panel;
            if (rows - row0 >= Panel)
            {
                ref float d = ref Unsafe.Add(ref dst, row0);
                if (accumulate || hasBias)
                {
                    ref float addend = ref accumulate ? ref d : ref Unsafe.Add(ref bias, row0);
                    a0 += Vector256.LoadUnsafe(ref addend, 0);
                    a1 += Vector256.LoadUnsafe(ref addend, 8);
                    a2 += Vector256.LoadUnsafe(ref addend, 16);
                    a3 += Vector256.LoadUnsafe(ref addend, 24);
                    a4 += Vector256.LoadUnsafe(ref addend, 32);
                    a5 += Vector256.LoadUnsafe(ref addend, 40);
                    a6 += Vector256.LoadUnsafe(ref addend, 48);
                    a7 += Vector256.LoadUnsafe(ref addend, 56);
                }

                a0.StoreUnsafe(ref d, 0);
                a1.StoreUnsafe(ref d, 8);
                a2.StoreUnsafe(ref d, 16);
                a3.StoreUnsafe(ref d, 24);
                a4.StoreUnsafe(ref d, 32);
                a5.StoreUnsafe(ref d, 40);
                a6.StoreUnsafe(ref d, 48);
                a7.StoreUnsafe(ref d, 56);
            }
            else
            {
                Span<Vector256<float>> sums = [a0, a1, a2, a3, a4, a5, a6, a7];
                FinishPanel(MemoryMarshal.Cast<Vector256<float>, float>(sums), row0, rows, ref bias, hasBias, accumulate, ref dst);
            }
        }
    }

    // ---------------------------------------------------------------- Vector512: 4 / 2 / 1 panels x 4 accumulators

    private static void Vector512Core(PackedMatrix w, ref float x, ref float bias, bool hasBias, bool accumulate, ref float dst)
    {
        int rows = w.Rows;
        int panels = w.PanelCount;
        nuint columns = (nuint)w.Columns;
        nuint stride = columns * Panel;
        ref float data = ref MemoryMarshal.GetArrayDataReference(w.Data);
        int p = 0;
        for (; p + 4 <= panels; p += 4)
        {
            ref float w0 = ref Unsafe.Add(ref data, (nuint)p * stride);
            ref float w1 = ref Unsafe.Add(ref w0, stride);
            ref float w2 = ref Unsafe.Add(ref w1, stride);
            ref float w3 = ref Unsafe.Add(ref w2, stride);
            Vector512<float> a00 = default, a01 = default, a02 = default, a03 = default;
            Vector512<float> a10 = default, a11 = default, a12 = default, a13 = default;
            Vector512<float> a20 = default, a21 = default, a22 = default, a23 = default;
            Vector512<float> a30 = default, a31 = default, a32 = default, a33 = default;
            for (nuint k = 0; k < columns; k++)
            {
                Vector512<float> xb = Vector512.Create(Unsafe.Add(ref x, k));
                nuint o = k * Panel;
                a00 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref w0, o), xb, a00);
                a01 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref w0, o + 16), xb, a01);
                a02 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref w0, o + 32), xb, a02);
                a03 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref w0, o + 48), xb, a03);
                a10 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref w1, o), xb, a10);
                a11 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref w1, o + 16), xb, a11);
                a12 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref w1, o + 32), xb, a12);
                a13 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref w1, o + 48), xb, a13);
                a20 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref w2, o), xb, a20);
                a21 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref w2, o + 16), xb, a21);
                a22 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref w2, o + 32), xb, a22);
                a23 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref w2, o + 48), xb, a23);
                a30 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref w3, o), xb, a30);
                a31 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref w3, o + 16), xb, a31);
                a32 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref w3, o + 32), xb, a32);
                a33 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref w3, o + 48), xb, a33);
            }

            Finish512(a00, a01, a02, a03, p, rows, ref bias, hasBias, accumulate, ref dst);
            Finish512(a10, a11, a12, a13, p + 1, rows, ref bias, hasBias, accumulate, ref dst);
            Finish512(a20, a21, a22, a23, p + 2, rows, ref bias, hasBias, accumulate, ref dst);
            Finish512(a30, a31, a32, a33, p + 3, rows, ref bias, hasBias, accumulate, ref dst);
        }

        if (p + 2 <= panels)
        {
            ref float w0 = ref Unsafe.Add(ref data, (nuint)p * stride);
            ref float w1 = ref Unsafe.Add(ref w0, stride);
            Vector512<float> a00 = default, a01 = default, a02 = default, a03 = default;
            Vector512<float> a10 = default, a11 = default, a12 = default, a13 = default;
            for (nuint k = 0; k < columns; k++)
            {
                Vector512<float> xb = Vector512.Create(Unsafe.Add(ref x, k));
                nuint o = k * Panel;
                a00 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref w0, o), xb, a00);
                a01 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref w0, o + 16), xb, a01);
                a02 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref w0, o + 32), xb, a02);
                a03 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref w0, o + 48), xb, a03);
                a10 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref w1, o), xb, a10);
                a11 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref w1, o + 16), xb, a11);
                a12 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref w1, o + 32), xb, a12);
                a13 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref w1, o + 48), xb, a13);
            }

            Finish512(a00, a01, a02, a03, p, rows, ref bias, hasBias, accumulate, ref dst);
            Finish512(a10, a11, a12, a13, p + 1, rows, ref bias, hasBias, accumulate, ref dst);
            p += 2;
        }

        if (p < panels)
        {
            ref float w0 = ref Unsafe.Add(ref data, (nuint)p * stride);
            Vector512<float> a00 = default, a01 = default, a02 = default, a03 = default;
            for (nuint k = 0; k < columns; k++)
            {
                Vector512<float> xb = Vector512.Create(Unsafe.Add(ref x, k));
                nuint o = k * Panel;
                a00 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref w0, o), xb, a00);
                a01 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref w0, o + 16), xb, a01);
                a02 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref w0, o + 32), xb, a02);
                a03 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref w0, o + 48), xb, a03);
            }

            Finish512(a00, a01, a02, a03, p, rows, ref bias, hasBias, accumulate, ref dst);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Finish512(Vector512<float> a0, Vector512<float> a1, Vector512<float> a2, Vector512<float> a3, int panel, int rows, ref float bias, bool hasBias, bool accumulate, ref float dst)
    {
        int row0 = panel * Panel;
        if (rows - row0 >= Panel)
        {
            ref float d = ref Unsafe.Add(ref dst, row0);
            if (accumulate || hasBias)
            {
                ref float addend = ref accumulate ? ref d : ref Unsafe.Add(ref bias, row0);
                a0 += Vector512.LoadUnsafe(ref addend, 0);
                a1 += Vector512.LoadUnsafe(ref addend, 16);
                a2 += Vector512.LoadUnsafe(ref addend, 32);
                a3 += Vector512.LoadUnsafe(ref addend, 48);
            }

            a0.StoreUnsafe(ref d, 0);
            a1.StoreUnsafe(ref d, 16);
            a2.StoreUnsafe(ref d, 32);
            a3.StoreUnsafe(ref d, 48);
        }
        else
        {
            FinishPartial512(a0, a1, a2, a3, row0, rows, ref bias, hasBias, accumulate, ref dst);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void FinishPartial512(Vector512<float> a0, Vector512<float> a1, Vector512<float> a2, Vector512<float> a3, int row0, int rows, ref float bias, bool hasBias, bool accumulate, ref float dst)
    {
        Span<Vector512<float>> sums = [a0, a1, a2, a3];
        FinishPanel(MemoryMarshal.Cast<Vector512<float>, float>(sums), row0, rows, ref bias, hasBias, accumulate, ref dst);
    }
}
