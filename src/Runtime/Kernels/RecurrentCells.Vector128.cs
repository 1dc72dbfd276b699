// Generated from RecurrentCells.Vector512.cs with sed 's/Vector512/Vector128/g'; edit that file and regenerate.
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace EdgeRnn.Runtime.Kernels;

internal static partial class RecurrentCells
{
    internal static void LstmUpdateVector128(ReadOnlySpan<float> gates, ReadOnlySpan<float> peephole, float clip, Span<float> c, Span<float> h)
    {
        ValidateLstm(gates, peephole, clip, c, h);
        LstmVector128Core(gates, peephole, clip, c, h);
    }

    internal static void GruUpdateLinearBeforeResetVector128(ReadOnlySpan<float> gx, ReadOnlySpan<float> gh, float clip, Span<float> h)
    {
        ValidateGruLinearBeforeReset(gx, gh, clip, h);
        GruLinearBeforeResetVector128Core(gx, gh, clip, h);
    }

    internal static void GruResetGatesVector128(ReadOnlySpan<float> gx, ReadOnlySpan<float> ghZr, float clip, ReadOnlySpan<float> h, Span<float> z, Span<float> resetHidden)
    {
        ValidateGruResetGates(gx, ghZr, clip, h, z, resetHidden);
        GruResetGatesVector128Core(gx, ghZr, clip, h, z, resetHidden);
    }

    internal static void GruFinishVector128(ReadOnlySpan<float> gxH, ReadOnlySpan<float> ghH, ReadOnlySpan<float> z, float clip, Span<float> h)
    {
        ValidateGruFinish(gxH, ghH, z, clip, h);
        GruFinishVector128Core(gxH, ghH, z, clip, h);
    }

    internal static void RnnUpdateVector128(ReadOnlySpan<float> gates, float clip, Span<float> h)
    {
        ValidateRnn(gates, clip, h);
        RnnVector128Core(gates, clip, h);
    }

    private static void LstmVector128Core(ReadOnlySpan<float> gates, ReadOnlySpan<float> peephole, float clip, Span<float> c, Span<float> h)
    {
        int hidden = h.Length;
        bool hasPeephole = !peephole.IsEmpty;
        ref float g = ref MemoryMarshal.GetReference(gates);
        ref float p = ref MemoryMarshal.GetReference(peephole);
        ref float cr = ref MemoryMarshal.GetReference(c);
        ref float hr = ref MemoryMarshal.GetReference(h);
        Vector128<float> hi = Vector128.Create(clip);
        Vector128<float> lo = -hi;
        nuint n1 = (nuint)hidden, n2 = 2 * n1, n3 = 3 * n1;
        int j = 0;
        for (; j <= hidden - Vector128<float>.Count; j += Vector128<float>.Count)
        {
            nuint o = (nuint)j;
            Vector128<float> cPrev = Vector128.LoadUnsafe(ref cr, o);
            Vector128<float> gi = Vector128.LoadUnsafe(ref g, o);
            Vector128<float> go = Vector128.LoadUnsafe(ref g, n1 + o);
            Vector128<float> gf = Vector128.LoadUnsafe(ref g, n2 + o);
            Vector128<float> gc = Vector128.LoadUnsafe(ref g, n3 + o);
            if (hasPeephole)
            {
                gi = Vector128.FusedMultiplyAdd(Vector128.LoadUnsafe(ref p, o), cPrev, gi);
                gf = Vector128.FusedMultiplyAdd(Vector128.LoadUnsafe(ref p, n2 + o), cPrev, gf);
            }

            Vector128<float> i = SigmoidOperator.Invoke(Vector128.Clamp(gi, lo, hi));
            Vector128<float> f = SigmoidOperator.Invoke(Vector128.Clamp(gf, lo, hi));
            Vector128<float> ct = Vector128.FusedMultiplyAdd(f, cPrev, i * TanhOperator.Invoke(Vector128.Clamp(gc, lo, hi)));
            if (hasPeephole)
            {
                go = Vector128.FusedMultiplyAdd(Vector128.LoadUnsafe(ref p, n1 + o), ct, go);
            }

            Vector128<float> og = SigmoidOperator.Invoke(Vector128.Clamp(go, lo, hi));
            ct.StoreUnsafe(ref cr, o);
            (og * TanhOperator.Invoke(ct)).StoreUnsafe(ref hr, o);
        }

        LstmScalarCore(gates, peephole, clip, c, h, j);
    }

    private static void GruLinearBeforeResetVector128Core(ReadOnlySpan<float> gx, ReadOnlySpan<float> gh, float clip, Span<float> h)
    {
        int hidden = h.Length;
        ref float x = ref MemoryMarshal.GetReference(gx);
        ref float r = ref MemoryMarshal.GetReference(gh);
        ref float hr = ref MemoryMarshal.GetReference(h);
        Vector128<float> hi = Vector128.Create(clip);
        Vector128<float> lo = -hi;
        nuint n1 = (nuint)hidden, n2 = 2 * n1;
        int j = 0;
        for (; j <= hidden - Vector128<float>.Count; j += Vector128<float>.Count)
        {
            nuint o = (nuint)j;
            Vector128<float> z = SigmoidOperator.Invoke(Vector128.Clamp(Vector128.LoadUnsafe(ref x, o) + Vector128.LoadUnsafe(ref r, o), lo, hi));
            Vector128<float> reset = SigmoidOperator.Invoke(Vector128.Clamp(Vector128.LoadUnsafe(ref x, n1 + o) + Vector128.LoadUnsafe(ref r, n1 + o), lo, hi));
            Vector128<float> n = TanhOperator.Invoke(Vector128.Clamp(Vector128.FusedMultiplyAdd(reset, Vector128.LoadUnsafe(ref r, n2 + o), Vector128.LoadUnsafe(ref x, n2 + o)), lo, hi));
            Vector128.FusedMultiplyAdd(z, Vector128.LoadUnsafe(ref hr, o) - n, n).StoreUnsafe(ref hr, o);
        }

        GruLinearBeforeResetScalarCore(gx, gh, clip, h, j);
    }

    private static void GruResetGatesVector128Core(ReadOnlySpan<float> gx, ReadOnlySpan<float> ghZr, float clip, ReadOnlySpan<float> h, Span<float> z, Span<float> resetHidden)
    {
        int hidden = h.Length;
        ref float x = ref MemoryMarshal.GetReference(gx);
        ref float r = ref MemoryMarshal.GetReference(ghZr);
        ref float hr = ref MemoryMarshal.GetReference(h);
        ref float zr = ref MemoryMarshal.GetReference(z);
        ref float rh = ref MemoryMarshal.GetReference(resetHidden);
        Vector128<float> hi = Vector128.Create(clip);
        Vector128<float> lo = -hi;
        nuint n1 = (nuint)hidden;
        int j = 0;
        for (; j <= hidden - Vector128<float>.Count; j += Vector128<float>.Count)
        {
            nuint o = (nuint)j;
            Vector128<float> hPrev = Vector128.LoadUnsafe(ref hr, o);
            Vector128<float> zg = SigmoidOperator.Invoke(Vector128.Clamp(Vector128.LoadUnsafe(ref x, o) + Vector128.LoadUnsafe(ref r, o), lo, hi));
            Vector128<float> reset = SigmoidOperator.Invoke(Vector128.Clamp(Vector128.LoadUnsafe(ref x, n1 + o) + Vector128.LoadUnsafe(ref r, n1 + o), lo, hi));
            zg.StoreUnsafe(ref zr, o);
            (reset * hPrev).StoreUnsafe(ref rh, o);
        }

        GruResetGatesScalarCore(gx, ghZr, clip, h, z, resetHidden, j);
    }

    private static void GruFinishVector128Core(ReadOnlySpan<float> gxH, ReadOnlySpan<float> ghH, ReadOnlySpan<float> z, float clip, Span<float> h)
    {
        int hidden = h.Length;
        ref float x = ref MemoryMarshal.GetReference(gxH);
        ref float r = ref MemoryMarshal.GetReference(ghH);
        ref float zr = ref MemoryMarshal.GetReference(z);
        ref float hr = ref MemoryMarshal.GetReference(h);
        Vector128<float> hi = Vector128.Create(clip);
        Vector128<float> lo = -hi;
        int j = 0;
        for (; j <= hidden - Vector128<float>.Count; j += Vector128<float>.Count)
        {
            nuint o = (nuint)j;
            Vector128<float> n = TanhOperator.Invoke(Vector128.Clamp(Vector128.LoadUnsafe(ref x, o) + Vector128.LoadUnsafe(ref r, o), lo, hi));
            Vector128.FusedMultiplyAdd(Vector128.LoadUnsafe(ref zr, o), Vector128.LoadUnsafe(ref hr, o) - n, n).StoreUnsafe(ref hr, o);
        }

        GruFinishScalarCore(gxH, ghH, z, clip, h, j);
    }

    private static void RnnVector128Core(ReadOnlySpan<float> gates, float clip, Span<float> h)
    {
        int hidden = h.Length;
        ref float g = ref MemoryMarshal.GetReference(gates);
        ref float hr = ref MemoryMarshal.GetReference(h);
        Vector128<float> hi = Vector128.Create(clip);
        Vector128<float> lo = -hi;
        int j = 0;
        for (; j <= hidden - Vector128<float>.Count; j += Vector128<float>.Count)
        {
            nuint o = (nuint)j;
            TanhOperator.Invoke(Vector128.Clamp(Vector128.LoadUnsafe(ref g, o), lo, hi)).StoreUnsafe(ref hr, o);
        }

        RnnScalarCore(gates, clip, h, j);
    }
}
