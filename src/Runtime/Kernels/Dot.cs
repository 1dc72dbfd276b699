using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace EdgeRnn.Runtime.Kernels;

/// <summary>
/// Dot product: computes Σ_i x[i] * y[i]. Used for thin dense layers (a few outputs, e.g. a forecast head), where the
/// 64-row panels of <see cref="MatVec"/> would mostly multiply padding.
/// </summary>
/// <remarks>
/// Every path computes the same thing in the same order, so results are bit-identical across widths (as in
/// <see cref="MatVec"/>): 16 partial sums, lane j accumulating x[i] * y[i] for i ≡ j (mod 16) over the first
/// 16·⌊n/16⌋ elements with one fused multiply-add per term (one Vector512, two Vector256, four Vector128 or sixteen
/// scalars), then the 16 lanes added as a tree, t_j = (l_j + l_{j+8}) + (l_{j+4} + l_{j+12}) for j &lt; 4 and
/// (t_0 + t_2) + (t_1 + t_3) (four dependent adds instead of sixteen: a forecast head of hidden 16 is a few of these
/// dots per step), then the remaining elements one by one.
/// </remarks>
internal static class Dot
{
    private const int Lanes = 16;

    /// <summary>Σ_i x[i] * y[i].</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static float Compute(ReadOnlySpan<float> x, ReadOnlySpan<float> y) => Compute(x, y, SimdWidth.Vector512);

    /// <summary>Like <see cref="Compute(ReadOnlySpan{float}, ReadOnlySpan{float})"/> on the widest accelerated path no wider than <paramref name="maxWidth"/>.</summary>
    internal static float Compute(ReadOnlySpan<float> x, ReadOnlySpan<float> y, SimdWidth maxWidth)
    {
        if (x.Length != y.Length)
        {
            ThrowHelper.ThrowArgument_InputTooShort(nameof(y));
        }

        return Compute(ref MemoryMarshal.GetReference(x), ref MemoryMarshal.GetReference(y), x.Length, maxWidth);
    }

    /// <summary>
    /// Σ_i x[i] * y[i] for i in [0, <paramref name="n"/>), unchecked: the caller guarantees n elements behind both
    /// references. Kernels call this form: passing two spans to a method that is not inlined makes the JIT spill them and
    /// reload them as one 16-byte vector, a store-forwarding stall that cost a hidden-16 forecast head more than its
    /// arithmetic (28% of the dot's samples in perf on Zen 4).
    /// </summary>
    internal static float Compute(ref float xr, ref float yr, int n, SimdWidth maxWidth = SimdWidth.Vector512)
    {
        int blocks = n / Lanes * Lanes;
        float sum;
        if (maxWidth >= SimdWidth.Vector512 && Vector512.IsHardwareAccelerated)
        {
            Vector512<float> a = default;
            for (int i = 0; i < blocks; i += Lanes)
            {
                a = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref xr, (nuint)i), Vector512.LoadUnsafe(ref yr, (nuint)i), a);
            }

            Vector256<float> s = a.GetLower() + a.GetUpper();
            sum = Finish(s.GetLower() + s.GetUpper());
        }
        else if (maxWidth >= SimdWidth.Vector256 && Vector256.IsHardwareAccelerated)
        {
            Vector256<float> a0 = default, a1 = default;
            for (int i = 0; i < blocks; i += Lanes)
            {
                a0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref xr, (nuint)i), Vector256.LoadUnsafe(ref yr, (nuint)i), a0);
                a1 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref xr, (nuint)(i + 8)), Vector256.LoadUnsafe(ref yr, (nuint)(i + 8)), a1);
            }

            Vector256<float> s = a0 + a1;
            sum = Finish(s.GetLower() + s.GetUpper());
        }
        else if (maxWidth >= SimdWidth.Vector128 && Vector128.IsHardwareAccelerated)
        {
            Vector128<float> a0 = default, a1 = default, a2 = default, a3 = default;
            for (int i = 0; i < blocks; i += Lanes)
            {
                a0 = Vector128.FusedMultiplyAdd(Vector128.LoadUnsafe(ref xr, (nuint)i), Vector128.LoadUnsafe(ref yr, (nuint)i), a0);
                a1 = Vector128.FusedMultiplyAdd(Vector128.LoadUnsafe(ref xr, (nuint)(i + 4)), Vector128.LoadUnsafe(ref yr, (nuint)(i + 4)), a1);
                a2 = Vector128.FusedMultiplyAdd(Vector128.LoadUnsafe(ref xr, (nuint)(i + 8)), Vector128.LoadUnsafe(ref yr, (nuint)(i + 8)), a2);
                a3 = Vector128.FusedMultiplyAdd(Vector128.LoadUnsafe(ref xr, (nuint)(i + 12)), Vector128.LoadUnsafe(ref yr, (nuint)(i + 12)), a3);
            }

            sum = Finish((a0 + a2) + (a1 + a3));
        }
        else
        {
            Span<float> lanes = stackalloc float[Lanes];
            lanes.Clear();
            for (int i = 0; i < blocks; i += Lanes)
            {
                for (int j = 0; j < Lanes; j++)
                {
                    lanes[j] = MathF.FusedMultiplyAdd(Unsafe.Add(ref xr, i + j), Unsafe.Add(ref yr, i + j), lanes[j]);
                }
            }

            Span<float> t = stackalloc float[4];
            for (int j = 0; j < 4; j++)
            {
                t[j] = (lanes[j] + lanes[j + 8]) + (lanes[j + 4] + lanes[j + 12]);
            }

            sum = (t[0] + t[2]) + (t[1] + t[3]);
        }

        for (int i = blocks; i < n; i++)
        {
            sum = MathF.FusedMultiplyAdd(Unsafe.Add(ref xr, i), Unsafe.Add(ref yr, i), sum);
        }

        return sum;
    }

    /// <summary>The last two levels of the tree: (t0 + t2) + (t1 + t3).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Finish(Vector128<float> t) => (t.GetElement(0) + t.GetElement(2)) + (t.GetElement(1) + t.GetElement(3));
}
