// RecurrentCells.Vector256.cs and RecurrentCells.Vector128.cs are this file with Vector512 replaced by Vector256 /
// Vector128 (sed 's/Vector512/Vector256/g'); keep the three in step.
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace EdgeRnn.Runtime.Kernels;

internal static partial class RecurrentCells
{
    internal static void LstmUpdateVector512(ReadOnlySpan<float> gates, ReadOnlySpan<float> peephole, float clip, Span<float> c, Span<float> h)
    {
        ValidateLstm(gates, peephole, clip, c, h);
        LstmVector512Core(gates, peephole, clip, c, h);
    }

    internal static void GruUpdateLinearBeforeResetVector512(ReadOnlySpan<float> gx, ReadOnlySpan<float> gh, float clip, Span<float> h)
    {
        ValidateGruLinearBeforeReset(gx, gh, clip, h);
        GruLinearBeforeResetVector512Core(gx, gh, clip, h);
    }

    internal static void GruResetGatesVector512(ReadOnlySpan<float> gx, ReadOnlySpan<float> ghZr, float clip, ReadOnlySpan<float> h, Span<float> z, Span<float> resetHidden)
    {
        ValidateGruResetGates(gx, ghZr, clip, h, z, resetHidden);
        GruResetGatesVector512Core(gx, ghZr, clip, h, z, resetHidden);
    }

    internal static void GruFinishVector512(ReadOnlySpan<float> gxH, ReadOnlySpan<float> ghH, ReadOnlySpan<float> z, float clip, Span<float> h)
    {
        ValidateGruFinish(gxH, ghH, z, clip, h);
        GruFinishVector512Core(gxH, ghH, z, clip, h);
    }

    internal static void RnnUpdateVector512(ReadOnlySpan<float> gates, float clip, Span<float> h)
    {
        ValidateRnn(gates, clip, h);
        RnnVector512Core(gates, clip, h);
    }

    private static void LstmVector512Core(ReadOnlySpan<float> gates, ReadOnlySpan<float> peephole, float clip, Span<float> c, Span<float> h)
    {
        int hidden = h.Length;
        bool hasPeephole = !peephole.IsEmpty;
        ref float g = ref MemoryMarshal.GetReference(gates);
        ref float p = ref MemoryMarshal.GetReference(peephole);
        ref float cr = ref MemoryMarshal.GetReference(c);
        ref float hr = ref MemoryMarshal.GetReference(h);
        Vector512<float> hi = Vector512.Create(clip);
        Vector512<float> lo = -hi;
        nuint n1 = (nuint)hidden, n2 = 2 * n1, n3 = 3 * n1;
        int j = 0;
        for (; j <= hidden - Vector512<float>.Count; j += Vector512<float>.Count)
        {
            nuint o = (nuint)j;
            Vector512<float> cPrev = Vector512.LoadUnsafe(ref cr, o);
            Vector512<float> gi = Vector512.LoadUnsafe(ref g, o);
            Vector512<float> go = Vector512.LoadUnsafe(ref g, n1 + o);
            Vector512<float> gf = Vector512.LoadUnsafe(ref g, n2 + o);
            Vector512<float> gc = Vector512.LoadUnsafe(ref g, n3 + o);
            if (hasPeephole)
            {
                gi = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref p, o), cPrev, gi);
                gf = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref p, n2 + o), cPrev, gf);
            }

            Vector512<float> i = SigmoidOperator.Invoke(Vector512.Clamp(gi, lo, hi));
            Vector512<float> f = SigmoidOperator.Invoke(Vector512.Clamp(gf, lo, hi));
            Vector512<float> ct = Vector512.FusedMultiplyAdd(f, cPrev, i * TanhOperator.Invoke(Vector512.Clamp(gc, lo, hi)));
            if (hasPeephole)
            {
                go = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref p, n1 + o), ct, go);
            }

            Vector512<float> og = SigmoidOperator.Invoke(Vector512.Clamp(go, lo, hi));
            ct.StoreUnsafe(ref cr, o);
            (og * TanhOperator.Invoke(ct)).StoreUnsafe(ref hr, o);
        }

        LstmScalarCore(gates, peephole, clip, c, h, j);
    }

    private static void GruLinearBeforeResetVector512Core(ReadOnlySpan<float> gx, ReadOnlySpan<float> gh, float clip, Span<float> h)
    {
        int hidden = h.Length;
        ref float x = ref MemoryMarshal.GetReference(gx);
        ref float r = ref MemoryMarshal.GetReference(gh);
        ref float hr = ref MemoryMarshal.GetReference(h);
        Vector512<float> hi = Vector512.Create(clip);
        Vector512<float> lo = -hi;
        nuint n1 = (nuint)hidden, n2 = 2 * n1;
        int j = 0;
        for (; j <= hidden - Vector512<float>.Count; j += Vector512<float>.Count)
        {
            nuint o = (nuint)j;
            Vector512<float> z = SigmoidOperator.Invoke(Vector512.Clamp(Vector512.LoadUnsafe(ref x, o) + Vector512.LoadUnsafe(ref r, o), lo, hi));
            Vector512<float> reset = SigmoidOperator.Invoke(Vector512.Clamp(Vector512.LoadUnsafe(ref x, n1 + o) + Vector512.LoadUnsafe(ref r, n1 + o), lo, hi));
            Vector512<float> n = TanhOperator.Invoke(Vector512.Clamp(Vector512.FusedMultiplyAdd(reset, Vector512.LoadUnsafe(ref r, n2 + o), Vector512.LoadUnsafe(ref x, n2 + o)), lo, hi));
            Vector512.FusedMultiplyAdd(z, Vector512.LoadUnsafe(ref hr, o) - n, n).StoreUnsafe(ref hr, o);
        }

        GruLinearBeforeResetScalarCore(gx, gh, clip, h, j);
    }

    private static void GruResetGatesVector512Core(ReadOnlySpan<float> gx, ReadOnlySpan<float> ghZr, float clip, ReadOnlySpan<float> h, Span<float> z, Span<float> resetHidden)
    {
        int hidden = h.Length;
        ref float x = ref MemoryMarshal.GetReference(gx);
        ref float r = ref MemoryMarshal.GetReference(ghZr);
        ref float hr = ref MemoryMarshal.GetReference(h);
        ref float zr = ref MemoryMarshal.GetReference(z);
        ref float rh = ref MemoryMarshal.GetReference(resetHidden);
        Vector512<float> hi = Vector512.Create(clip);
        Vector512<float> lo = -hi;
        nuint n1 = (nuint)hidden;
        int j = 0;
        for (; j <= hidden - Vector512<float>.Count; j += Vector512<float>.Count)
        {
            nuint o = (nuint)j;
            Vector512<float> hPrev = Vector512.LoadUnsafe(ref hr, o);
            Vector512<float> zg = SigmoidOperator.Invoke(Vector512.Clamp(Vector512.LoadUnsafe(ref x, o) + Vector512.LoadUnsafe(ref r, o), lo, hi));
            Vector512<float> reset = SigmoidOperator.Invoke(Vector512.Clamp(Vector512.LoadUnsafe(ref x, n1 + o) + Vector512.LoadUnsafe(ref r, n1 + o), lo, hi));
            zg.StoreUnsafe(ref zr, o);
            (reset * hPrev).StoreUnsafe(ref rh, o);
        }

        GruResetGatesScalarCore(gx, ghZr, clip, h, z, resetHidden, j);
    }

    private static void GruFinishVector512Core(ReadOnlySpan<float> gxH, ReadOnlySpan<float> ghH, ReadOnlySpan<float> z, float clip, Span<float> h)
    {
        int hidden = h.Length;
        ref float x = ref MemoryMarshal.GetReference(gxH);
        ref float r = ref MemoryMarshal.GetReference(ghH);
        ref float zr = ref MemoryMarshal.GetReference(z);
        ref float hr = ref MemoryMarshal.GetReference(h);
        Vector512<float> hi = Vector512.Create(clip);
        Vector512<float> lo = -hi;
        int j = 0;
        for (; j <= hidden - Vector512<float>.Count; j += Vector512<float>.Count)
        {
            nuint o = (nuint)j;
            Vector512<float> n = TanhOperator.Invoke(Vector512.Clamp(Vector512.LoadUnsafe(ref x, o) + Vector512.LoadUnsafe(ref r, o), lo, hi));
            Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref zr, o), Vector512.LoadUnsafe(ref hr, o) - n, n).StoreUnsafe(ref hr, o);
        }

        GruFinishScalarCore(gxH, ghH, z, clip, h, j);
    }

    private static void RnnVector512Core(ReadOnlySpan<float> gates, float clip, Span<float> h)
    {
        int hidden = h.Length;
        ref float g = ref MemoryMarshal.GetReference(gates);
        ref float hr = ref MemoryMarshal.GetReference(h);
        Vector512<float> hi = Vector512.Create(clip);
        Vector512<float> lo = -hi;
        int j = 0;
        for (; j <= hidden - Vector512<float>.Count; j += Vector512<float>.Count)
        {
            nuint o = (nuint)j;
            TanhOperator.Invoke(Vector512.Clamp(Vector512.LoadUnsafe(ref g, o), lo, hi)).StoreUnsafe(ref hr, o);
        }

        RnnScalarCore(gates, clip, h, j);
    }
}
