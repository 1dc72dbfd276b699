using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace EdgeRnn.Runtime.Kernels;

/// <summary>
/// Integer matrix-vector products: int8 weights (<see cref="Int8Matrix"/>) times int8 activations with int32
/// accumulation, then one float rescale per row: destination[r] = base[r] + (Σ_k W[r, k] x[k]) * (scale[r] * xScale).
/// </summary>
/// <remarks>
/// <para>
/// The integer sums are exact on every path (no intermediate saturation), so all paths produce bit-identical int32
/// results, and the float finish is the same code for all of them:
/// </para>
/// <list type="bullet">
/// <item>x86 AVX-VNNI: <c>vpdpbusd</c> (unsigned x signed bytes, 4-way, into int32). The activations are offset to
/// unsigned (x + 128, an XOR of the sign bit) and the precomputed row sums remove the offset: Σ W (x + 128) - 128 Σ W.
/// .NET 10 exposes <c>vpdpbusd</c> only at 128/256 bits (<see cref="AvxVnni"/>); the 512-bit form needs AVX10.2.</item>
/// <item>x86 AVX2: weights sign-extended to int16 (<c>vpmovsxbw</c>) and <c>vpmaddwd</c>. Unlike <c>vpmaddubsw</c>
/// this never saturates (255 * 127 * 2 would overflow int16), so no 7-bit weight restriction is needed.</item>
/// <item>ARM64 with the dot-product extension: <c>SDOT</c> (signed x signed bytes, 4-way); without it,
/// <c>SMULL</c> + <c>SADALP</c> (widening multiply, pairwise widening accumulate).</item>
/// <item>A scalar reference.</item>
/// </list>
/// The activation operand must have <see cref="Int8Matrix.PaddedColumns"/> elements; the padding values are ignored.
/// Weights and activations may use all of int8 ([-128, 127]); every path stays exact (the largest pair sum,
/// 2 * 128 * 128, fits int16 products summed in int32, and vpdpbusd's unsigned operand is x + 128 in [0, 255]).
/// </remarks>
internal static class Int8MatVec
{
    private const int BlockRows = Int8Matrix.BlockRows;
    private const int RunBytes = Int8Matrix.RunBytes;

    /// <summary>
    /// destination[r] = (accumulate ? destination[r] : (bias.IsEmpty ? 0 : bias[r])) + acc[r] * (Scales[r] * xScale)
    /// for r in [0, Rows), where acc = W x in int32 (written to <paramref name="accumulators"/>, PaddedRows long).
    /// </summary>
    public static void Multiply(Int8Matrix w, ReadOnlySpan<sbyte> x, float xScale, ReadOnlySpan<float> bias, bool accumulate,
        Span<int> accumulators, Span<float> destination)
    {
        MultiplyInt32(w, x, accumulators);
        if (destination.Length < w.Rows)
        {
            ThrowHelper.ThrowArgument_DestinationTooShort();
        }

        if (!bias.IsEmpty && bias.Length < w.Rows)
        {
            ThrowHelper.ThrowArgument_InputTooShort(nameof(bias));
        }

        Finish(w, accumulators, xScale, bias, accumulate, destination);
    }

    /// <summary>destination[r] = Σ_k W[r, k] x[k] in int32 for r in [0, PaddedRows) (padded rows get 0).</summary>
    public static void MultiplyInt32(Int8Matrix w, ReadOnlySpan<sbyte> x, Span<int> destination)
    {
        Validate(w, x, destination);
        if (AvxVnni.IsSupported)
        {
            AvxVnniCore(w, x, destination);
        }
        else if (Avx2.IsSupported)
        {
            Avx2Core(w, x, destination);
        }
        else if (AdvSimd.Arm64.IsSupported && Dp.IsSupported)
        {
            DpCore(w, x, destination);
        }
        else if (AdvSimd.Arm64.IsSupported)
        {
            AdvSimdCore(w, x, destination);
        }
        else
        {
            ScalarCore(w, x, destination);
        }
    }

    internal static void MultiplyInt32Scalar(Int8Matrix w, ReadOnlySpan<sbyte> x, Span<int> destination)
    {
        Validate(w, x, destination);
        ScalarCore(w, x, destination);
    }

    internal static void MultiplyInt32AvxVnni(Int8Matrix w, ReadOnlySpan<sbyte> x, Span<int> destination)
    {
        Validate(w, x, destination);
        AvxVnniCore(w, x, destination);
    }

    internal static void MultiplyInt32Avx2(Int8Matrix w, ReadOnlySpan<sbyte> x, Span<int> destination)
    {
        Validate(w, x, destination);
        Avx2Core(w, x, destination);
    }

    internal static void MultiplyInt32Dp(Int8Matrix w, ReadOnlySpan<sbyte> x, Span<int> destination)
    {
        Validate(w, x, destination);
        DpCore(w, x, destination);
    }

    internal static void MultiplyInt32AdvSimd(Int8Matrix w, ReadOnlySpan<sbyte> x, Span<int> destination)
    {
        Validate(w, x, destination);
        AdvSimdCore(w, x, destination);
    }

    private static void Validate(Int8Matrix w, ReadOnlySpan<sbyte> x, Span<int> destination)
    {
        ArgumentNullException.ThrowIfNull(w);
        if (x.Length < w.PaddedColumns)
        {
            ThrowHelper.ThrowArgument_InputTooShort(nameof(x));
        }

        if (destination.Length < w.PaddedRows)
        {
            ThrowHelper.ThrowArgument_DestinationTooShort();
        }
    }

    /// <summary>The float finish shared by all paths (multiply, then add: no fused multiply-add, so it is one rounding each).</summary>
    internal static void Finish(Int8Matrix w, ReadOnlySpan<int> acc, float xScale, ReadOnlySpan<float> bias, bool accumulate, Span<float> destination)
    {
        int rows = w.Rows;
        ReadOnlySpan<float> scales = w.Scales;
        int r = 0;
        if (Vector256.IsHardwareAccelerated && rows >= Vector256<float>.Count)
        {
            Vector256<float> xs = Vector256.Create(xScale);
            for (; r + Vector256<float>.Count <= rows; r += Vector256<float>.Count)
            {
                Vector256<float> product = Vector256.ConvertToSingle(Vector256.Create(acc.Slice(r, Vector256<int>.Count)))
                    * (Vector256.Create(scales.Slice(r, Vector256<float>.Count)) * xs);
                Vector256<float> start = accumulate
                    ? Vector256.Create(destination.Slice(r, Vector256<float>.Count))
                    : bias.IsEmpty ? Vector256<float>.Zero : Vector256.Create(bias.Slice(r, Vector256<float>.Count));
                (start + product).CopyTo(destination.Slice(r, Vector256<float>.Count));
            }
        }

        for (; r < rows; r++)
        {
            float product = acc[r] * (scales[r] * xScale);
            float start = accumulate ? destination[r] : bias.IsEmpty ? 0f : bias[r];
            destination[r] = start + product;
        }
    }

    private static void ScalarCore(Int8Matrix w, ReadOnlySpan<sbyte> x, Span<int> destination)
    {
        ReadOnlySpan<sbyte> data = w.Data.AsSpan(w.Offset);
        int quads = w.ColumnQuads;
        for (int b = 0; b < w.BlockCount; b++)
        {
            for (int i = 0; i < BlockRows; i++)
            {
                int sum = 0;
                for (int q = 0; q < quads; q++)
                {
                    int at = (RunBytes * ((b * quads) + q)) + (4 * i);
                    for (int j = 0; j < 4; j++)
                    {
                        sum += data[at + j] * x[(4 * q) + j];
                    }
                }

                destination[(b * BlockRows) + i] = sum;
            }
        }
    }

    private static void AvxVnniCore(Int8Matrix w, ReadOnlySpan<sbyte> x, Span<int> destination)
    {
        ref sbyte wRef = ref w.GetDataReference();
        ref byte xRef = ref Unsafe.As<sbyte, byte>(ref MemoryMarshal.GetReference(x));
        ref int dst = ref MemoryMarshal.GetReference(destination);
        ref int sums = ref MemoryArrayRef(w.RowSums);
        int quads = w.ColumnQuads;
        int blocks = w.BlockCount;
        int b = 0;

        // Two blocks (four independent accumulator chains) per pass hide the latency of vpdpbusd.
        for (; b + 2 <= blocks; b += 2)
        {
            ref sbyte p = ref Unsafe.Add(ref wRef, b * quads * RunBytes);
            ref sbyte p2 = ref Unsafe.Add(ref p, quads * RunBytes);
            Vector256<int> a0 = Vector256<int>.Zero, a1 = Vector256<int>.Zero, a2 = Vector256<int>.Zero, a3 = Vector256<int>.Zero;
            for (int q = 0; q < quads; q++)
            {
                Vector256<byte> xv = Vector256.Create(Unsafe.ReadUnaligned<int>(ref Unsafe.Add(ref xRef, 4 * q)) ^ unchecked((int)0x80808080)).AsByte();
                nuint at = (nuint)(q * RunBytes);
                a0 = AvxVnni.MultiplyWideningAndAdd(a0, xv, Vector256.LoadUnsafe(ref p, at));
                a1 = AvxVnni.MultiplyWideningAndAdd(a1, xv, Vector256.LoadUnsafe(ref p, at + 32));
                a2 = AvxVnni.MultiplyWideningAndAdd(a2, xv, Vector256.LoadUnsafe(ref p2, at));
                a3 = AvxVnni.MultiplyWideningAndAdd(a3, xv, Vector256.LoadUnsafe(ref p2, at + 32));
            }

            nuint row = (nuint)(b * BlockRows);
            (a0 - (Vector256.LoadUnsafe(ref sums, row) << 7)).StoreUnsafe(ref dst, row);
            (a1 - (Vector256.LoadUnsafe(ref sums, row + 8) << 7)).StoreUnsafe(ref dst, row + 8);
            (a2 - (Vector256.LoadUnsafe(ref sums, row + 16) << 7)).StoreUnsafe(ref dst, row + 16);
            (a3 - (Vector256.LoadUnsafe(ref sums, row + 24) << 7)).StoreUnsafe(ref dst, row + 24);
        }

        for (; b < blocks; b++)
        {
            ref sbyte p = ref Unsafe.Add(ref wRef, b * quads * RunBytes);
            Vector256<int> a0 = Vector256<int>.Zero, a1 = Vector256<int>.Zero;
            for (int q = 0; q < quads; q++)
            {
                Vector256<byte> xv = Vector256.Create(Unsafe.ReadUnaligned<int>(ref Unsafe.Add(ref xRef, 4 * q)) ^ unchecked((int)0x80808080)).AsByte();
                nuint at = (nuint)(q * RunBytes);
                a0 = AvxVnni.MultiplyWideningAndAdd(a0, xv, Vector256.LoadUnsafe(ref p, at));
                a1 = AvxVnni.MultiplyWideningAndAdd(a1, xv, Vector256.LoadUnsafe(ref p, at + 32));
            }

            nuint row = (nuint)(b * BlockRows);
            (a0 - (Vector256.LoadUnsafe(ref sums, row) << 7)).StoreUnsafe(ref dst, row);
            (a1 - (Vector256.LoadUnsafe(ref sums, row + 8) << 7)).StoreUnsafe(ref dst, row + 8);
        }
    }

    private static void Avx2Core(Int8Matrix w, ReadOnlySpan<sbyte> x, Span<int> destination)
    {
        ref sbyte wRef = ref w.GetDataReference();
        ref byte xRef = ref Unsafe.As<sbyte, byte>(ref MemoryMarshal.GetReference(x));
        ref int dst = ref MemoryMarshal.GetReference(destination);
        int quads = w.ColumnQuads;
        Vector256<int> order = Vector256.Create(0, 1, 4, 5, 2, 3, 6, 7);
        for (int b = 0; b < w.BlockCount; b++)
        {
            ref sbyte p = ref Unsafe.Add(ref wRef, b * quads * RunBytes);

            // Accumulator i holds rows 4i .. 4i + 3, two int32 lanes per row (columns 0-1 and 2-3 of each quad).
            Vector256<int> a0 = Vector256<int>.Zero, a1 = Vector256<int>.Zero, a2 = Vector256<int>.Zero, a3 = Vector256<int>.Zero;
            for (int q = 0; q < quads; q++)
            {
                Vector128<short> x4 = Sse41.ConvertToVector128Int16(Vector128.CreateScalar(Unsafe.ReadUnaligned<int>(ref Unsafe.Add(ref xRef, 4 * q))).AsSByte());
                Vector256<short> xv = Vector256.Create(x4.AsInt64().ToScalar()).AsInt16();
                nuint at = (nuint)(q * RunBytes);
                a0 += Avx2.MultiplyAddAdjacent(Avx2.ConvertToVector256Int16(Vector128.LoadUnsafe(ref p, at)), xv);
                a1 += Avx2.MultiplyAddAdjacent(Avx2.ConvertToVector256Int16(Vector128.LoadUnsafe(ref p, at + 16)), xv);
                a2 += Avx2.MultiplyAddAdjacent(Avx2.ConvertToVector256Int16(Vector128.LoadUnsafe(ref p, at + 32)), xv);
                a3 += Avx2.MultiplyAddAdjacent(Avx2.ConvertToVector256Int16(Vector128.LoadUnsafe(ref p, at + 48)), xv);
            }

            // hadd(a0, a1) = [r0, r1, r4, r5 | r2, r3, r6, r7]; the permutation puts rows in order.
            nuint row = (nuint)(b * BlockRows);
            Avx2.PermuteVar8x32(Avx2.HorizontalAdd(a0, a1), order).StoreUnsafe(ref dst, row);
            Avx2.PermuteVar8x32(Avx2.HorizontalAdd(a2, a3), order).StoreUnsafe(ref dst, row + 8);
        }
    }

    private static void DpCore(Int8Matrix w, ReadOnlySpan<sbyte> x, Span<int> destination)
    {
        ref sbyte wRef = ref w.GetDataReference();
        ref byte xRef = ref Unsafe.As<sbyte, byte>(ref MemoryMarshal.GetReference(x));
        ref int dst = ref MemoryMarshal.GetReference(destination);
        int quads = w.ColumnQuads;
        for (int b = 0; b < w.BlockCount; b++)
        {
            ref sbyte p = ref Unsafe.Add(ref wRef, b * quads * RunBytes);
            Vector128<int> a0 = Vector128<int>.Zero, a1 = Vector128<int>.Zero, a2 = Vector128<int>.Zero, a3 = Vector128<int>.Zero;
            for (int q = 0; q < quads; q++)
            {
                Vector128<sbyte> xv = Vector128.Create(Unsafe.ReadUnaligned<int>(ref Unsafe.Add(ref xRef, 4 * q))).AsSByte();
                nuint at = (nuint)(q * RunBytes);
                a0 = Dp.DotProduct(a0, Vector128.LoadUnsafe(ref p, at), xv);
                a1 = Dp.DotProduct(a1, Vector128.LoadUnsafe(ref p, at + 16), xv);
                a2 = Dp.DotProduct(a2, Vector128.LoadUnsafe(ref p, at + 32), xv);
                a3 = Dp.DotProduct(a3, Vector128.LoadUnsafe(ref p, at + 48), xv);
            }

            nuint row = (nuint)(b * BlockRows);
            a0.StoreUnsafe(ref dst, row);
            a1.StoreUnsafe(ref dst, row + 4);
            a2.StoreUnsafe(ref dst, row + 8);
            a3.StoreUnsafe(ref dst, row + 12);
        }
    }

    private static void AdvSimdCore(Int8Matrix w, ReadOnlySpan<sbyte> x, Span<int> destination)
    {
        ref sbyte wRef = ref w.GetDataReference();
        ref byte xRef = ref Unsafe.As<sbyte, byte>(ref MemoryMarshal.GetReference(x));
        ref int dst = ref MemoryMarshal.GetReference(destination);
        int quads = w.ColumnQuads;
        for (int b = 0; b < w.BlockCount; b++)
        {
            ref sbyte p = ref Unsafe.Add(ref wRef, b * quads * RunBytes);

            // Accumulator 2i holds rows 4i, 4i + 1 and 2i + 1 rows 4i + 2, 4i + 3: two int32 lanes per row.
            Vector128<int> a0 = Vector128<int>.Zero, a1 = Vector128<int>.Zero, a2 = Vector128<int>.Zero, a3 = Vector128<int>.Zero;
            Vector128<int> a4 = Vector128<int>.Zero, a5 = Vector128<int>.Zero, a6 = Vector128<int>.Zero, a7 = Vector128<int>.Zero;
            for (int q = 0; q < quads; q++)
            {
                Vector128<sbyte> xv = Vector128.Create(Unsafe.ReadUnaligned<int>(ref Unsafe.Add(ref xRef, 4 * q))).AsSByte();
                Vector64<sbyte> xl = xv.GetLower();
                nuint at = (nuint)(q * RunBytes);
                Vector128<sbyte> w0 = Vector128.LoadUnsafe(ref p, at);
                Vector128<sbyte> w1 = Vector128.LoadUnsafe(ref p, at + 16);
                Vector128<sbyte> w2 = Vector128.LoadUnsafe(ref p, at + 32);
                Vector128<sbyte> w3 = Vector128.LoadUnsafe(ref p, at + 48);
                a0 = AdvSimd.AddPairwiseWideningAndAdd(a0, AdvSimd.MultiplyWideningLower(w0.GetLower(), xl));
                a1 = AdvSimd.AddPairwiseWideningAndAdd(a1, AdvSimd.MultiplyWideningUpper(w0, xv));
                a2 = AdvSimd.AddPairwiseWideningAndAdd(a2, AdvSimd.MultiplyWideningLower(w1.GetLower(), xl));
                a3 = AdvSimd.AddPairwiseWideningAndAdd(a3, AdvSimd.MultiplyWideningUpper(w1, xv));
                a4 = AdvSimd.AddPairwiseWideningAndAdd(a4, AdvSimd.MultiplyWideningLower(w2.GetLower(), xl));
                a5 = AdvSimd.AddPairwiseWideningAndAdd(a5, AdvSimd.MultiplyWideningUpper(w2, xv));
                a6 = AdvSimd.AddPairwiseWideningAndAdd(a6, AdvSimd.MultiplyWideningLower(w3.GetLower(), xl));
                a7 = AdvSimd.AddPairwiseWideningAndAdd(a7, AdvSimd.MultiplyWideningUpper(w3, xv));
            }

            nuint row = (nuint)(b * BlockRows);
            AdvSimd.Arm64.AddPairwise(a0, a1).StoreUnsafe(ref dst, row);
            AdvSimd.Arm64.AddPairwise(a2, a3).StoreUnsafe(ref dst, row + 4);
            AdvSimd.Arm64.AddPairwise(a4, a5).StoreUnsafe(ref dst, row + 8);
            AdvSimd.Arm64.AddPairwise(a6, a7).StoreUnsafe(ref dst, row + 12);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ref int MemoryArrayRef(int[] array) => ref MemoryMarshal.GetArrayDataReference(array);
}
