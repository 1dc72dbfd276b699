using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace EdgeRnn.Runtime.Kernels;

/// <summary>Dynamic symmetric int8 quantization of an activation vector, once per step, without allocating.</summary>
internal static class Int8Quantize
{
    /// <summary>
    /// Computes scale = max_i |x[i]| / 127 and destination[i] = round_half_even(x[i] / scale) in [-127, 127];
    /// returns the scale (1 when x is all zeros; NaN when x holds a NaN or an infinity). x ≈ destination * scale.
    /// </summary>
    /// <remarks>The vector and scalar paths give identical bytes: one multiply by 127 / max, one round-to-even.</remarks>
    public static float QuantizeSymmetric(ReadOnlySpan<float> x, Span<sbyte> destination)
    {
        if (destination.Length < x.Length)
        {
            ThrowHelper.ThrowArgument_DestinationTooShort();
        }

        float max = MaxAbs(x);
        if (!(max > 0) || !float.IsFinite(max))
        {
            // All zeros: scale 1. A NaN or infinite element: scale NaN, so every product is NaN, as in the float path
            // (a sensor fault must not turn into plausible numbers).
            destination[..x.Length].Clear();
            return max == 0 ? 1f : float.NaN;
        }

        float inverse = 127f / max;
        int i = 0;
        if (Vector256.IsHardwareAccelerated && x.Length >= Vector256<float>.Count * 4)
        {
            ref float xRef = ref MemoryMarshal.GetReference(x);
            ref sbyte dRef = ref MemoryMarshal.GetReference(destination);
            Vector256<float> inv = Vector256.Create(inverse);
            Vector256<float> hi = Vector256.Create(127f);
            Vector256<float> lo = Vector256.Create(-127f);
            for (; i + (4 * Vector256<float>.Count) <= x.Length; i += 4 * Vector256<float>.Count)
            {
                Vector256<int> q0 = Convert(Vector256.LoadUnsafe(ref xRef, (nuint)i), inv, lo, hi);
                Vector256<int> q1 = Convert(Vector256.LoadUnsafe(ref xRef, (nuint)(i + 8)), inv, lo, hi);
                Vector256<int> q2 = Convert(Vector256.LoadUnsafe(ref xRef, (nuint)(i + 16)), inv, lo, hi);
                Vector256<int> q3 = Convert(Vector256.LoadUnsafe(ref xRef, (nuint)(i + 24)), inv, lo, hi);
                Vector256.Narrow(Vector256.Narrow(q0, q1), Vector256.Narrow(q2, q3)).StoreUnsafe(ref dRef, (nuint)i);
            }
        }

        for (; i < x.Length; i++)
        {
            destination[i] = (sbyte)Math.Clamp(MathF.Round(x[i] * inverse), -127f, 127f);
        }

        return max / 127f;
    }

    /// <summary>
    /// destination[i] = clamp(round_half_even(x[i] / scale), -128, 127) for a fixed (calibrated) scale (ONNX
    /// QuantizeLinear's saturation); returns the scale. A value computed as DequantizeLinear(QuantizeLinear(v, scale),
    /// scale) maps back to its exact int8 code.
    /// </summary>
    public static float QuantizeWithScale(ReadOnlySpan<float> x, float scale, Span<sbyte> destination)
    {
        if (destination.Length < x.Length)
        {
            ThrowHelper.ThrowArgument_DestinationTooShort();
        }

        bool finite = true;
        for (int i = 0; i < x.Length; i++)
        {
            float v = x[i];
            finite &= float.IsFinite(v);
            destination[i] = (sbyte)Math.Clamp(MathF.Round(v / scale), -128f, 127f);
        }

        return finite ? scale : float.NaN;
    }

    private static Vector256<int> Convert(Vector256<float> x, Vector256<float> inverse, Vector256<float> lo, Vector256<float> hi) =>
        Vector256.ConvertToInt32(Vector256.Min(Vector256.Max(Vector256.Round(x * inverse), lo), hi));

    /// <summary>max_i |x[i]| (0 for an empty span; NaN propagates as a non-finite result check).</summary>
    public static float MaxAbs(ReadOnlySpan<float> x)
    {
        int i = 0;
        float max = 0;
        if (Vector256.IsHardwareAccelerated && x.Length >= Vector256<float>.Count)
        {
            ref float xRef = ref MemoryMarshal.GetReference(x);
            Vector256<float> m = Vector256<float>.Zero;
            Vector256<float> nan = Vector256<float>.Zero;
            for (; i + Vector256<float>.Count <= x.Length; i += Vector256<float>.Count)
            {
                Vector256<float> v = Vector256.LoadUnsafe(ref xRef, (nuint)i);
                nan |= ~Vector256.Equals(v, v);
                m = Vector256.Max(m, Vector256.Abs(v));
            }

            if (nan != Vector256<float>.Zero)
            {
                return float.NaN;
            }

            for (int j = 0; j < Vector256<float>.Count; j++)
            {
                max = MathF.Max(max, m.GetElement(j));
            }
        }

        for (; i < x.Length; i++)
        {
            float a = MathF.Abs(x[i]);
            if (float.IsNaN(a))
            {
                return float.NaN;
            }

            max = MathF.Max(max, a);
        }

        return max;
    }
}
