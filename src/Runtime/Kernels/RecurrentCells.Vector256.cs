// Generated from RecurrentCells.Vector512.cs with sed 's/Vector512/Vector256/g'; edit that file and regenerate.
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace EdgeRnn.Runtime.Kernels;

internal static partial class RecurrentCells
{
    internal static void LstmUpdateVector256(ReadOnlySpan<float> gates, ReadOnlySpan<float> peephole, float clip, Span<float> c, Span<float> h)
    {
        ValidateLstm(gates, peephole, clip, c, h);
        LstmVector256Core(gates, peephole, clip, c, h);
    }

    internal static void GruUpdateLinearBeforeResetVector256(ReadOnlySpan<float> gx, ReadOnlySpan<float> gh, float clip, Span<float> h)
    {
        ValidateGruLinearBeforeReset(gx, gh, clip, h);
        GruLinearBeforeResetVector256Core(gx, gh, clip, h);
    }

    internal static void GruResetGatesVector256(ReadOnlySpan<float> gx, ReadOnlySpan<float> ghZr, float clip, ReadOnlySpan<float> h, Span<float> z, Span<float> resetHidden)
    {
        ValidateGruResetGates(gx, ghZr, clip, h, z, resetHidden);
        GruResetGatesVector256Core(gx, ghZr, clip, h, z, resetHidden);
    }

    internal static void GruFinishVector256(ReadOnlySpan<float> gxH, ReadOnlySpan<float> ghH, ReadOnlySpan<float> z, float clip, Span<float> h)
    {
        ValidateGruFinish(gxH, ghH, z, clip, h);
        GruFinishVector256Core(gxH, ghH, z, clip, h);
    }

    internal static void RnnUpdateVector256(ReadOnlySpan<float> gates, float clip, Span<float> h)
    {
        ValidateRnn(gates, clip, h);
        RnnVector256Core(gates, clip, h);
    }

    private static void LstmVector256Core(ReadOnlySpan<float> gates, ReadOnlySpan<float> peephole, float clip, Span<float> c, Span<float> h)
    {
        int hidden = h.Length;
        bool hasPeephole = !peephole.IsEmpty;
        ref float g = ref MemoryMarshal.GetReference(gates);
        ref float p = ref MemoryMarshal.GetReference(peephole);
        ref float cr = ref MemoryMarshal.GetReference(c);
        ref float hr = ref MemoryMarshal.GetReference(h);
        Vector256<float> hi = Vector256.Create(clip);
        Vector256<float> lo = -hi;
        nuint n1 = (nuint)hidden, n2 = 2 * n1, n3 = 3 * n1;
        int j = 0;
        for (; j <= hidden - Vector256<float>.Count; j += Vector256<float>.Count)
        {
            nuint o = (nuint)j;
            Vector256<float> cPrev = Vector256.LoadUnsafe(ref cr, o);
            Vector256<float> gi = Vector256.LoadUnsafe(ref g, o);
            Vector256<float> go = Vector256.LoadUnsafe(ref g, n1 + o);
            Vector256<float> gf = Vector256.LoadUnsafe(ref g, n2 + o);
            Vector256<float> gc = Vector256.LoadUnsafe(ref g, n3 + o);
            if (hasPeephole)
            {
                gi = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref p, o), cPrev, gi);
                gf = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref p, n2 + o), cPrev, gf);
            }

            Vector256<float> i = SigmoidOperator.Invoke(Vector256.Clamp(gi, lo, hi));
            Vector256<float> f = SigmoidOperator.Invoke(Vector256.Clamp(gf, lo, hi));
            Vector256<float> ct = Vector256.FusedMultiplyAdd(f, cPrev, i * TanhOperator.Invoke(Vector256.Clamp(gc, lo, hi)));
            if (hasPeephole)
            {
                go = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref p, n1 + o), ct, go);
            }

            Vector256<float> og = SigmoidOperator.Invoke(Vector256.Clamp(go, lo, hi));
            ct.StoreUnsafe(ref cr, o);
            (og * TanhOperator.Invoke(ct)).StoreUnsafe(ref hr, o);
        }

        LstmScalarCore(gates, peephole, clip, c, h, j);
    }

    private static void GruLinearBeforeResetVector256Core(ReadOnlySpan<float> gx, ReadOnlySpan<float> gh, float clip, Span<float> h)
    {
        int hidden = h.Length;
        ref float x = ref MemoryMarshal.GetReference(gx);
        ref float r = ref MemoryMarshal.GetReference(gh);
        ref float hr = ref MemoryMarshal.GetReference(h);
        Vector256<float> hi = Vector256.Create(clip);
        Vector256<float> lo = -hi;
        nuint n1 = (nuint)hidden, n2 = 2 * n1;
        int j = 0;
        for (; j <= hidden - Vector256<float>.Count; j += Vector256<float>.Count)
        {
            nuint o = (nuint)j;
            Vector256<float> z = SigmoidOperator.Invoke(Vector256.Clamp(Vector256.LoadUnsafe(ref x, o) + Vector256.LoadUnsafe(ref r, o), lo, hi));
            Vector256<float> reset = SigmoidOperator.Invoke(Vector256.Clamp(Vector256.LoadUnsafe(ref x, n1 + o) + Vector256.LoadUnsafe(ref r, n1 + o), lo, hi));
            Vector256<float> n = TanhOperator.Invoke(Vector256.Clamp(Vector256.FusedMultiplyAdd(reset, Vector256.LoadUnsafe(ref r, n2 + o), Vector256.LoadUnsafe(ref x, n2 + o)), lo, hi));
            Vector256.FusedMultiplyAdd(z, Vector256.LoadUnsafe(ref hr, o) - n, n).StoreUnsafe(ref hr, o);
        }

        GruLinearBeforeResetScalarCore(gx, gh, clip, h, j);
    }

    private static void GruResetGatesVector256Core(ReadOnlySpan<float> gx, ReadOnlySpan<float> ghZr, float clip, ReadOnlySpan<float> h, Span<float> z, Span<float> resetHidden)
    {
        int hidden = h.Length;
        ref float x = ref MemoryMarshal.GetReference(gx);
        ref float r = ref MemoryMarshal.GetReference(ghZr);
        ref float hr = ref MemoryMarshal.GetReference(h);
        ref float zr = ref MemoryMarshal.GetReference(z);
        ref float rh = ref MemoryMarshal.GetReference(resetHidden);
        Vector256<float> hi = Vector256.Create(clip);
        Vector256<float> lo = -hi;
        nuint n1 = (nuint)hidden;
        int j = 0;
        for (; j <= hidden - Vector256<float>.Count; j += Vector256<float>.Count)
        {
            nuint o = (nuint)j;
            Vector256<float> hPrev = Vector256.LoadUnsafe(ref hr, o);
            Vector256<float> zg = SigmoidOperator.Invoke(Vector256.Clamp(Vector256.LoadUnsafe(ref x, o) + Vector256.LoadUnsafe(ref r, o), lo, hi));
            Vector256<float> reset = SigmoidOperator.Invoke(Vector256.Clamp(Vector256.LoadUnsafe(ref x, n1 + o) + Vector256.LoadUnsafe(ref r, n1 + o), lo, hi));
            zg.StoreUnsafe(ref zr, o);
            (reset * hPrev).StoreUnsafe(ref rh, o);
        }

        GruResetGatesScalarCore(gx, ghZr, clip, h, z, resetHidden, j);
    }

    private static void GruFinishVector256Core(ReadOnlySpan<float> gxH, ReadOnlySpan<float> ghH, ReadOnlySpan<float> z, float clip, Span<float> h)
    {
        int hidden = h.Length;
        ref float x = ref MemoryMarshal.GetReference(gxH);
        ref float r = ref MemoryMarshal.GetReference(ghH);
        ref float zr = ref MemoryMarshal.GetReference(z);
        ref float hr = ref MemoryMarshal.GetReference(h);
        Vector256<float> hi = Vector256.Create(clip);
        Vector256<float> lo = -hi;
        int j = 0;
        for (; j <= hidden - Vector256<float>.Count; j += Vector256<float>.Count)
        {
            nuint o = (nuint)j;
            Vector256<float> n = TanhOperator.Invoke(Vector256.Clamp(Vector256.LoadUnsafe(ref x, o) + Vector256.LoadUnsafe(ref r, o), lo, hi));
            Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref zr, o), Vector256.LoadUnsafe(ref hr, o) - n, n).StoreUnsafe(ref hr, o);
        }

        GruFinishScalarCore(gxH, ghH, z, clip, h, j);
    }

    private static void RnnVector256Core(ReadOnlySpan<float> gates, float clip, Span<float> h)
    {
        int hidden = h.Length;
        ref float g = ref MemoryMarshal.GetReference(gates);
        ref float hr = ref MemoryMarshal.GetReference(h);
        Vector256<float> hi = Vector256.Create(clip);
        Vector256<float> lo = -hi;
        int j = 0;
        for (; j <= hidden - Vector256<float>.Count; j += Vector256<float>.Count)
        {
            nuint o = (nuint)j;
            TanhOperator.Invoke(Vector256.Clamp(Vector256.LoadUnsafe(ref g, o), lo, hi)).StoreUnsafe(ref hr, o);
        }

        RnnScalarCore(gates, clip, h, j);
    }
}
