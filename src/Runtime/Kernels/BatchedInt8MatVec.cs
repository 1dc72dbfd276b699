using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace EdgeRnn.Runtime.Kernels;

/// <summary>
/// One <see cref="Int8Matrix"/> times many int8 vectors in int32: for each of <c>count</c> vectors x_s,
/// destination_s[r] = Σ_k W[r, k] x_s[k] for r in [0, PaddedRows). The integer half of a multi-stream int8 step; each
/// stream's float finish (its own activation scale) is <see cref="Int8MatVec.Finish"/>.
/// </summary>
/// <remarks>
/// Integer sums are exact in any order, so every path gives the same int32 results as
/// <see cref="Int8MatVec.MultiplyInt32(Int8Matrix, ReadOnlySpan{sbyte}, Span{int})"/> on each vector. The AVX2 path
/// widens each 16-row x 4-column run of weights to int16 once and multiplies it (<c>vpmaddwd</c>) with up to 4 vectors
/// (2 on machines with 16 vector registers), so the widening and the weight reads are shared by the vectors. Other
/// machines (AVX-VNNI, ARM64, scalar), where the single-vector kernel is not limited by the widening, run
/// <see cref="Int8MatVec.MultiplyInt32(Int8Matrix, ReadOnlySpan{sbyte}, Span{int})"/> per vector. Nothing is allocated.
/// </remarks>
internal static class BatchedInt8MatVec
{
    private const int BlockRows = Int8Matrix.BlockRows;
    private const int RunBytes = Int8Matrix.RunBytes;

    /// <summary>Whether <see cref="MultiplyInt32(Int8Matrix, ReadOnlySpan{sbyte}, int, int, Span{int}, int)"/> shares work between the vectors on this machine (else it loops over them).</summary>
    public static bool IsBatched => Avx2.IsSupported && !AvxVnni.IsSupported;

    /// <summary>
    /// destination[s * destinationStride + r] = Σ_k W[r, k] x[s * xStride + k] in int32, for s in [0, count) and r in
    /// [0, PaddedRows) (padded rows get 0). Each x_s needs <see cref="Int8Matrix.PaddedColumns"/> bytes (padding ignored).
    /// </summary>
    /// <exception cref="ArgumentException">A stride is too small or a span too short.</exception>
    public static void MultiplyInt32(Int8Matrix w, ReadOnlySpan<sbyte> x, int xStride, int count, Span<int> destination, int destinationStride) =>
        MultiplyInt32(w, x, xStride, count, destination, destinationStride, IsBatched);

    /// <summary>As <see cref="MultiplyInt32(Int8Matrix, ReadOnlySpan{sbyte}, int, int, Span{int}, int)"/>; <paramref name="batched"/> false loops over the vectors (tests).</summary>
    internal static void MultiplyInt32(Int8Matrix w, ReadOnlySpan<sbyte> x, int xStride, int count, Span<int> destination, int destinationStride, bool batched)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfLessThan(xStride, w.PaddedColumns);
        ArgumentOutOfRangeException.ThrowIfLessThan(destinationStride, w.PaddedRows);
        if (count == 0)
        {
            return;
        }

        if (x.Length < ((long)(count - 1) * xStride) + w.PaddedColumns)
        {
            ThrowHelper.ThrowArgument_InputTooShort(nameof(x));
        }

        if (destination.Length < ((long)(count - 1) * destinationStride) + w.PaddedRows)
        {
            ThrowHelper.ThrowArgument_DestinationTooShort();
        }

        if (!batched || !Avx2.IsSupported)
        {
            for (int s = 0; s < count; s++)
            {
                Int8MatVec.MultiplyInt32(w, x.Slice(s * xStride, w.PaddedColumns), destination.Slice(s * destinationStride, w.PaddedRows));
            }

            return;
        }

        ref byte xRef = ref Unsafe.As<sbyte, byte>(ref MemoryMarshal.GetReference(x));
        ref int dst = ref MemoryMarshal.GetReference(destination);
        int maxBlock = Vector512.IsHardwareAccelerated ? 4 : 2; // 16 accumulators + 4 weights need 32 registers
        int blocks = (count + maxBlock - 1) / maxBlock;
        int s0 = 0;
        for (int block = 0; block < blocks; block++)
        {
            int size = (count / blocks) + (block < count % blocks ? 1 : 0);
            ref byte xs = ref Unsafe.Add(ref xRef, (nuint)s0 * (nuint)xStride);
            ref int ds = ref Unsafe.Add(ref dst, (nuint)s0 * (nuint)destinationStride);
            switch (size)
            {
                case 4:
                    Avx2Rows<Four>(w, ref xs, (nuint)xStride, ref ds, (nuint)destinationStride);
                    break;
                case 3:
                    Avx2Rows<Three>(w, ref xs, (nuint)xStride, ref ds, (nuint)destinationStride);
                    break;
                case 2:
                    Avx2Rows<Two>(w, ref xs, (nuint)xStride, ref ds, (nuint)destinationStride);
                    break;
                default:
                    Avx2Rows<One>(w, ref xs, (nuint)xStride, ref ds, (nuint)destinationStride);
                    break;
            }

            s0 += size;
        }
    }

    /// <summary>Every 16-row block of W times <typeparamref name="TCount"/> vectors (the AVX2 single-vector kernel's math).</summary>
    [SkipLocalsInit]
    private static void Avx2Rows<TCount>(Int8Matrix w, ref byte x, nuint xStride, ref int dst, nuint dstStride)
        where TCount : IVectorCount
    {
        int n = TCount.Value;
        ref sbyte wRef = ref w.GetDataReference();
        int quads = w.ColumnQuads;
        Vector256<int> order = Vector256.Create(0, 1, 4, 5, 2, 3, 6, 7);

        // Unused vectors alias x_0 (never read).
        ref byte x0 = ref x;
        ref byte x1 = ref n > 1 ? ref Unsafe.Add(ref x, xStride) : ref x;
        ref byte x2 = ref n > 2 ? ref Unsafe.Add(ref x, 2 * xStride) : ref x;
        ref byte x3 = ref n > 3 ? ref Unsafe.Add(ref x, 3 * xStride) : ref x;
        for (int b = 0; b < w.BlockCount; b++)
        {
            ref sbyte p = ref Unsafe.Add(ref wRef, b * quads * RunBytes);

            // Accumulator i of a vector holds rows 4i .. 4i + 3, two int32 lanes per row (columns 0-1 and 2-3 of each quad).
            Vector256<int> a00 = default, a01 = default, a02 = default, a03 = default;
            Vector256<int> a10 = default, a11 = default, a12 = default, a13 = default;
            Vector256<int> a20 = default, a21 = default, a22 = default, a23 = default;
            Vector256<int> a30 = default, a31 = default, a32 = default, a33 = default;
            for (int q = 0; q < quads; q++)
            {
                nuint at = (nuint)(q * RunBytes);
                Vector256<short> w0 = Avx2.ConvertToVector256Int16(Vector128.LoadUnsafe(ref p, at));
                Vector256<short> w1 = Avx2.ConvertToVector256Int16(Vector128.LoadUnsafe(ref p, at + 16));
                Vector256<short> w2 = Avx2.ConvertToVector256Int16(Vector128.LoadUnsafe(ref p, at + 32));
                Vector256<short> w3 = Avx2.ConvertToVector256Int16(Vector128.LoadUnsafe(ref p, at + 48));
                Vector256<short> xv = Quad(ref x0, q);
                a00 += Avx2.MultiplyAddAdjacent(w0, xv);
                a01 += Avx2.MultiplyAddAdjacent(w1, xv);
                a02 += Avx2.MultiplyAddAdjacent(w2, xv);
                a03 += Avx2.MultiplyAddAdjacent(w3, xv);
                if (n > 1)
                {
                    xv = Quad(ref x1, q);
                    a10 += Avx2.MultiplyAddAdjacent(w0, xv);
                    a11 += Avx2.MultiplyAddAdjacent(w1, xv);
                    a12 += Avx2.MultiplyAddAdjacent(w2, xv);
                    a13 += Avx2.MultiplyAddAdjacent(w3, xv);
                }

                if (n > 2)
                {
                    xv = Quad(ref x2, q);
                    a20 += Avx2.MultiplyAddAdjacent(w0, xv);
                    a21 += Avx2.MultiplyAddAdjacent(w1, xv);
                    a22 += Avx2.MultiplyAddAdjacent(w2, xv);
                    a23 += Avx2.MultiplyAddAdjacent(w3, xv);
                }

                if (n > 3)
                {
                    xv = Quad(ref x3, q);
                    a30 += Avx2.MultiplyAddAdjacent(w0, xv);
                    a31 += Avx2.MultiplyAddAdjacent(w1, xv);
                    a32 += Avx2.MultiplyAddAdjacent(w2, xv);
                    a33 += Avx2.MultiplyAddAdjacent(w3, xv);
                }
            }

            // hadd(a0, a1) = [r0, r1, r4, r5 | r2, r3, r6, r7]; the permutation puts rows in order.
            nuint row = (nuint)(b * BlockRows);
            Avx2.PermuteVar8x32(Avx2.HorizontalAdd(a00, a01), order).StoreUnsafe(ref dst, row);
            Avx2.PermuteVar8x32(Avx2.HorizontalAdd(a02, a03), order).StoreUnsafe(ref dst, row + 8);
            if (n > 1)
            {
                Avx2.PermuteVar8x32(Avx2.HorizontalAdd(a10, a11), order).StoreUnsafe(ref dst, dstStride + row);
                Avx2.PermuteVar8x32(Avx2.HorizontalAdd(a12, a13), order).StoreUnsafe(ref dst, dstStride + row + 8);
            }

            if (n > 2)
            {
                Avx2.PermuteVar8x32(Avx2.HorizontalAdd(a20, a21), order).StoreUnsafe(ref dst, (2 * dstStride) + row);
                Avx2.PermuteVar8x32(Avx2.HorizontalAdd(a22, a23), order).StoreUnsafe(ref dst, (2 * dstStride) + row + 8);
            }

            if (n > 3)
            {
                Avx2.PermuteVar8x32(Avx2.HorizontalAdd(a30, a31), order).StoreUnsafe(ref dst, (3 * dstStride) + row);
                Avx2.PermuteVar8x32(Avx2.HorizontalAdd(a32, a33), order).StoreUnsafe(ref dst, (3 * dstStride) + row + 8);
            }
        }
    }

    /// <summary>The 4 activation bytes of column quad <paramref name="q"/>, widened to int16 and repeated in every 64-bit lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<short> Quad(ref byte x, int q)
    {
        Vector128<short> x4 = Sse41.ConvertToVector128Int16(Vector128.CreateScalar(Unsafe.ReadUnaligned<int>(ref Unsafe.Add(ref x, 4 * q))).AsSByte());
        return Vector256.Create(x4.AsInt64().ToScalar()).AsInt16();
    }

    /// <summary>How many vectors a pass multiplies: a type parameter, so each count is its own loop.</summary>
    private interface IVectorCount
    {
        static abstract int Value { get; }
    }

    private readonly struct One : IVectorCount
    {
        public static int Value => 1;
    }

    private readonly struct Two : IVectorCount
    {
        public static int Value => 2;
    }

    private readonly struct Three : IVectorCount
    {
        public static int Value => 3;
    }

    private readonly struct Four : IVectorCount
    {
        public static int Value => 4;
    }
}
