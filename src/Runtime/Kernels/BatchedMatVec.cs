using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace EdgeRnn.Runtime.Kernels;

/// <summary>
/// One <see cref="PackedMatrix"/> times many vectors (a GEMM with a packed left operand): for each of
/// <c>count</c> vectors x_s, destination_s = W x_s (+ bias). Every weight loaded is used for several vectors, so the
/// product is bound by the FMA units, not by reading the matrix as <see cref="MatVec"/> on one vector is.
/// </summary>
/// <remarks>
/// <para>
/// Register blocking: a tile of 4 vectors of rows (64 rows at Vector512, a whole panel column; 32 at Vector256, 16 at
/// Vector128, 4 at the scalar width) times up to 6 vectors x_s is accumulated in 24 registers while the columns are
/// walked once; per column the tile loads 4 weight vectors and broadcasts one element of each x_s (4 + S loads for
/// 4 S fused multiply-adds). Machines with 16 vector registers (x64 without AVX-512) take at most 2 vectors per tile.
/// Tiles walk the rows of each panel in order, and for each row tile the vectors in ceil(count / S) blocks of as even
/// sizes as possible (16 = 6 + 5 + 5), so a tile's weights are read once per block.
/// </para>
/// <para>
/// Every row of every vector is summed exactly as <see cref="MatVec"/> sums it (k = 0 .. Columns - 1, one fused
/// multiply-add per term, starting from zero, the bias added last), so the result is bit-identical to
/// <c>count</c> calls of <see cref="MatVec.Multiply(PackedMatrix, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float})"/>
/// at every width. The widths are one body over <see cref="IVectorWidth{TVector}"/>. Nothing is allocated; nothing is
/// written outside destination_s[0 .. Rows).
/// </para>
/// </remarks>
internal static class BatchedMatVec
{
    /// <summary>The number of row vectors in a tile.</summary>
    private const int TileVectors = 4;

    /// <summary>The most vectors x_s a tile accumulates at once: 6 (24 accumulators) where the vector registers number 32.</summary>
    private const int MaxTileStreams = 6;

    /// <summary>
    /// The most vectors per tile on this machine: <see cref="MaxTileStreams"/> with 32 vector registers (x64 with AVX-512,
    /// whatever the preferred vector width; ARM64); 2 with 16 (x64 without AVX-512), where 4 x 6 accumulators spill inside
    /// the loop. Measured on Zen 4 with AVX-512 disabled (DOTNET_EnableAVX512=0, Vector256, 16 vector registers), 16 x
    /// [1024 x 260]: 2 vectors per tile 89-96 GFLOP/s, 3 vectors 55, 6 vectors 50-73.
    /// </summary>
    private static readonly int s_tileStreams = Avx512F.IsSupported || !Sse.IsSupported ? MaxTileStreams : 2;

    /// <summary>
    /// destination[s * destinationStride + r] = (bias.IsEmpty ? 0 : bias[r]) + Σ_k W[r, k] * x[s * xStride + k], for
    /// s in [0, <paramref name="count"/>) and r in [0, Rows).
    /// </summary>
    /// <exception cref="ArgumentException">A stride is too small, a span too short, or the bias non-empty and shorter than Rows.</exception>
    public static void Multiply(PackedMatrix w, ReadOnlySpan<float> x, int xStride, int count, ReadOnlySpan<float> bias, Span<float> destination, int destinationStride) =>
        Multiply(w, x, xStride, count, bias, destination, destinationStride, SimdWidth.Vector512);

    /// <summary>As <see cref="Multiply(PackedMatrix, ReadOnlySpan{float}, int, int, ReadOnlySpan{float}, Span{float}, int)"/>, using SIMD widths up to <paramref name="maxWidth"/> only.</summary>
    internal static void Multiply(PackedMatrix w, ReadOnlySpan<float> x, int xStride, int count, ReadOnlySpan<float> bias, Span<float> destination, int destinationStride, SimdWidth maxWidth)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfLessThan(xStride, w.Columns);
        ArgumentOutOfRangeException.ThrowIfLessThan(destinationStride, w.Rows);
        if (count == 0 || w.Rows == 0)
        {
            return;
        }

        if (x.Length < ((long)(count - 1) * xStride) + w.Columns)
        {
            ThrowHelper.ThrowArgument_InputTooShort(nameof(x));
        }

        if (!bias.IsEmpty && bias.Length < w.Rows)
        {
            ThrowHelper.ThrowArgument_InputTooShort(nameof(bias));
        }

        if (destination.Length < ((long)(count - 1) * destinationStride) + w.Rows)
        {
            ThrowHelper.ThrowArgument_DestinationTooShort();
        }

        ref float xRef = ref MemoryMarshal.GetReference(x);
        ref float biasRef = ref MemoryMarshal.GetReference(bias);
        ref float dst = ref MemoryMarshal.GetReference(destination);
        bool hasBias = !bias.IsEmpty;
        if (maxWidth >= SimdWidth.Vector512 && Vector512.IsHardwareAccelerated)
        {
            Run<Vector512<float>, Vector512Width>(w, ref xRef, (nuint)xStride, count, ref biasRef, hasBias, ref dst, (nuint)destinationStride);
        }
        else if (maxWidth >= SimdWidth.Vector256 && Vector256.IsHardwareAccelerated)
        {
            Run<Vector256<float>, Vector256Width>(w, ref xRef, (nuint)xStride, count, ref biasRef, hasBias, ref dst, (nuint)destinationStride);
        }
        else if (maxWidth >= SimdWidth.Vector128 && Vector128.IsHardwareAccelerated)
        {
            Run<Vector128<float>, Vector128Width>(w, ref xRef, (nuint)xStride, count, ref biasRef, hasBias, ref dst, (nuint)destinationStride);
        }
        else
        {
            Run<float, ScalarWidth>(w, ref xRef, (nuint)xStride, count, ref biasRef, hasBias, ref dst, (nuint)destinationStride);
        }
    }

    /// <summary>Row tiles in order; in each, the vectors in blocks of at most <see cref="s_tileStreams"/>.</summary>
    private static void Run<TVector, TWidth>(PackedMatrix w, ref float x, nuint xStride, int count, ref float bias, bool hasBias, ref float dst, nuint dstStride)
        where TVector : struct
        where TWidth : IVectorWidth<TVector>
    {
        // A tile (4 vectors of rows) always lies within one panel (64 rows): 64 is a multiple of every tile height.
        int tileRows = TileVectors * TWidth.Count;
        int rows = w.Rows;
        nuint columns = (nuint)w.Columns;
        ref float data = ref w.GetDataReference();

        // As few blocks of vectors as the tile size allows, their sizes as even as possible (7 = 4 + 3, not 6 + 1: a block of
        // one vector is a mat-vec, bound by reading the weights).
        int blocks = (count + s_tileStreams - 1) / s_tileStreams;
        for (int r0 = 0; r0 < rows; r0 += tileRows)
        {
            int group = r0 / w.GroupWidth;
            nuint stride = (nuint)w.PanelsInGroup(group) * PackedMatrix.PanelWidth;
            ref float tile = ref Unsafe.Add(ref data, (nuint)w.IndexOf(r0, 0));
            int s = 0;
            for (int block = 0; block < blocks; block++)
            {
                int size = (count / blocks) + (block < count % blocks ? 1 : 0);
                ref float xs = ref Unsafe.Add(ref x, (nuint)s * xStride);
                ref float ds = ref Unsafe.Add(ref dst, (nuint)s * dstStride);
                switch (size)
                {
                    case 6:
                        Tile<TVector, TWidth, Streams6>(ref tile, stride, columns, ref xs, xStride, r0, rows, ref bias, hasBias, ref ds, dstStride);
                        break;
                    case 5:
                        Tile<TVector, TWidth, Streams5>(ref tile, stride, columns, ref xs, xStride, r0, rows, ref bias, hasBias, ref ds, dstStride);
                        break;
                    case 4:
                        Tile<TVector, TWidth, Streams4>(ref tile, stride, columns, ref xs, xStride, r0, rows, ref bias, hasBias, ref ds, dstStride);
                        break;
                    case 3:
                        Tile<TVector, TWidth, Streams3>(ref tile, stride, columns, ref xs, xStride, r0, rows, ref bias, hasBias, ref ds, dstStride);
                        break;
                    case 2:
                        Tile<TVector, TWidth, Streams2>(ref tile, stride, columns, ref xs, xStride, r0, rows, ref bias, hasBias, ref ds, dstStride);
                        break;
                    default:
                        Tile<TVector, TWidth, Streams1>(ref tile, stride, columns, ref xs, xStride, r0, rows, ref bias, hasBias, ref ds, dstStride);
                        break;
                }

                s += size;
            }
        }
    }

    /// <summary>
    /// One tile: rows r0 .. r0 + 4 Count - 1 (their column k at <paramref name="w"/> + k * <paramref name="stride"/>) times
    /// <typeparamref name="TStreams"/> vectors (x_s at <paramref name="x"/> + s * <paramref name="xStride"/>).
    /// </summary>
    [SkipLocalsInit]
    private static void Tile<TVector, TWidth, TStreams>(ref float w, nuint stride, nuint columns, ref float x, nuint xStride, int r0, int rows,
        ref float bias, bool hasBias, ref float dst, nuint dstStride)
        where TVector : struct
        where TWidth : IVectorWidth<TVector>
        where TStreams : IStreamCount
    {
        int streams = TStreams.Value;
        nuint c1 = (nuint)TWidth.Count, c2 = 2 * c1, c3 = 3 * c1;

        // Unused vectors alias x_0 (never read): no reference is formed past the caller's data.
        ref float x0 = ref x;
        ref float x1 = ref streams > 1 ? ref Unsafe.Add(ref x, xStride) : ref x;
        ref float x2 = ref streams > 2 ? ref Unsafe.Add(ref x, 2 * xStride) : ref x;
        ref float x3 = ref streams > 3 ? ref Unsafe.Add(ref x, 3 * xStride) : ref x;
        ref float x4 = ref streams > 4 ? ref Unsafe.Add(ref x, 4 * xStride) : ref x;
        ref float x5 = ref streams > 5 ? ref Unsafe.Add(ref x, 5 * xStride) : ref x;
        TVector a00 = default, a01 = default, a02 = default, a03 = default;
        TVector a10 = default, a11 = default, a12 = default, a13 = default;
        TVector a20 = default, a21 = default, a22 = default, a23 = default;
        TVector a30 = default, a31 = default, a32 = default, a33 = default;
        TVector a40 = default, a41 = default, a42 = default, a43 = default;
        TVector a50 = default, a51 = default, a52 = default, a53 = default;
        for (nuint k = 0; k < columns; k++)
        {
            TVector w0 = TWidth.Load(ref w, 0), w1 = TWidth.Load(ref w, c1), w2 = TWidth.Load(ref w, c2), w3 = TWidth.Load(ref w, c3);
            TVector b = TWidth.Create(Unsafe.Add(ref x0, k));
            a00 = TWidth.FusedMultiplyAdd(w0, b, a00);
            a01 = TWidth.FusedMultiplyAdd(w1, b, a01);
            a02 = TWidth.FusedMultiplyAdd(w2, b, a02);
            a03 = TWidth.FusedMultiplyAdd(w3, b, a03);
            if (streams > 1)
            {
                b = TWidth.Create(Unsafe.Add(ref x1, k));
                a10 = TWidth.FusedMultiplyAdd(w0, b, a10);
                a11 = TWidth.FusedMultiplyAdd(w1, b, a11);
                a12 = TWidth.FusedMultiplyAdd(w2, b, a12);
                a13 = TWidth.FusedMultiplyAdd(w3, b, a13);
            }

            if (streams > 2)
            {
                b = TWidth.Create(Unsafe.Add(ref x2, k));
                a20 = TWidth.FusedMultiplyAdd(w0, b, a20);
                a21 = TWidth.FusedMultiplyAdd(w1, b, a21);
                a22 = TWidth.FusedMultiplyAdd(w2, b, a22);
                a23 = TWidth.FusedMultiplyAdd(w3, b, a23);
            }

            if (streams > 3)
            {
                b = TWidth.Create(Unsafe.Add(ref x3, k));
                a30 = TWidth.FusedMultiplyAdd(w0, b, a30);
                a31 = TWidth.FusedMultiplyAdd(w1, b, a31);
                a32 = TWidth.FusedMultiplyAdd(w2, b, a32);
                a33 = TWidth.FusedMultiplyAdd(w3, b, a33);
            }

            if (streams > 4)
            {
                b = TWidth.Create(Unsafe.Add(ref x4, k));
                a40 = TWidth.FusedMultiplyAdd(w0, b, a40);
                a41 = TWidth.FusedMultiplyAdd(w1, b, a41);
                a42 = TWidth.FusedMultiplyAdd(w2, b, a42);
                a43 = TWidth.FusedMultiplyAdd(w3, b, a43);
            }

            if (streams > 5)
            {
                b = TWidth.Create(Unsafe.Add(ref x5, k));
                a50 = TWidth.FusedMultiplyAdd(w0, b, a50);
                a51 = TWidth.FusedMultiplyAdd(w1, b, a51);
                a52 = TWidth.FusedMultiplyAdd(w2, b, a52);
                a53 = TWidth.FusedMultiplyAdd(w3, b, a53);
            }

            w = ref Unsafe.Add(ref w, stride);
        }

        int n = Math.Min(TileVectors * TWidth.Count, rows - r0);
        Finish<TVector, TWidth>(a00, a01, a02, a03, n, r0, ref bias, hasBias, ref dst);
        if (streams > 1)
        {
            Finish<TVector, TWidth>(a10, a11, a12, a13, n, r0, ref bias, hasBias, ref Unsafe.Add(ref dst, dstStride));
        }

        if (streams > 2)
        {
            Finish<TVector, TWidth>(a20, a21, a22, a23, n, r0, ref bias, hasBias, ref Unsafe.Add(ref dst, 2 * dstStride));
        }

        if (streams > 3)
        {
            Finish<TVector, TWidth>(a30, a31, a32, a33, n, r0, ref bias, hasBias, ref Unsafe.Add(ref dst, 3 * dstStride));
        }

        if (streams > 4)
        {
            Finish<TVector, TWidth>(a40, a41, a42, a43, n, r0, ref bias, hasBias, ref Unsafe.Add(ref dst, 4 * dstStride));
        }

        if (streams > 5)
        {
            Finish<TVector, TWidth>(a50, a51, a52, a53, n, r0, ref bias, hasBias, ref Unsafe.Add(ref dst, 5 * dstStride));
        }
    }

    /// <summary>
    /// Writes the <paramref name="n"/> (1 .. 4 Count) row sums of one vector to destination rows r0 .. r0 + n - 1, each
    /// plus its bias: whole vectors when the tile is full, through a stack buffer for the last, partial tile.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Finish<TVector, TWidth>(TVector s0, TVector s1, TVector s2, TVector s3, int n, int r0, ref float bias, bool hasBias, ref float dst)
        where TVector : struct
        where TWidth : IVectorWidth<TVector>
    {
        nuint c1 = (nuint)TWidth.Count, c2 = 2 * c1, c3 = 3 * c1;
        ref float d = ref Unsafe.Add(ref dst, (nuint)r0);
        if (hasBias)
        {
            ref float b = ref Unsafe.Add(ref bias, (nuint)r0);
            if (n == TileVectors * TWidth.Count)
            {
                s0 = TWidth.Add(s0, TWidth.Load(ref b, 0));
                s1 = TWidth.Add(s1, TWidth.Load(ref b, c1));
                s2 = TWidth.Add(s2, TWidth.Load(ref b, c2));
                s3 = TWidth.Add(s3, TWidth.Load(ref b, c3));
            }
            else
            {
                Unsafe.SkipInit(out TileSums sums);
                ref float buffer = ref Unsafe.As<TileSums, float>(ref sums);
                TWidth.Store(s0, ref buffer, 0);
                TWidth.Store(s1, ref buffer, c1);
                TWidth.Store(s2, ref buffer, c2);
                TWidth.Store(s3, ref buffer, c3);
                for (int i = 0; i < n; i++)
                {
                    Unsafe.Add(ref d, i) = Unsafe.Add(ref buffer, i) + Unsafe.Add(ref b, i);
                }

                return;
            }
        }

        if (n == TileVectors * TWidth.Count)
        {
            TWidth.Store(s0, ref d, 0);
            TWidth.Store(s1, ref d, c1);
            TWidth.Store(s2, ref d, c2);
            TWidth.Store(s3, ref d, c3);
        }
        else
        {
            Unsafe.SkipInit(out TileSums sums);
            ref float buffer = ref Unsafe.As<TileSums, float>(ref sums);
            TWidth.Store(s0, ref buffer, 0);
            TWidth.Store(s1, ref buffer, c1);
            TWidth.Store(s2, ref buffer, c2);
            TWidth.Store(s3, ref buffer, c3);
            for (int i = 0; i < n; i++)
            {
                Unsafe.Add(ref d, i) = Unsafe.Add(ref buffer, i);
            }
        }
    }

    /// <summary>The row sums of one vector in the widest tile (64 floats).</summary>
    [InlineArray(TileVectors * 16)]
    private struct TileSums
    {
        private float _element0;
    }

    /// <summary>How many vectors a tile accumulates: a type parameter, so each count is its own loop with no tests inside.</summary>
    private interface IStreamCount
    {
        static abstract int Value { get; }
    }

    private readonly struct Streams1 : IStreamCount
    {
        public static int Value => 1;
    }

    private readonly struct Streams2 : IStreamCount
    {
        public static int Value => 2;
    }

    private readonly struct Streams3 : IStreamCount
    {
        public static int Value => 3;
    }

    private readonly struct Streams4 : IStreamCount
    {
        public static int Value => 4;
    }

    private readonly struct Streams5 : IStreamCount
    {
        public static int Value => 5;
    }

    private readonly struct Streams6 : IStreamCount
    {
        public static int Value => 6;
    }
}
