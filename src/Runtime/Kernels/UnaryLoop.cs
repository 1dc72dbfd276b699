using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace EdgeRnn.Runtime.Kernels;

/// <summary>
/// The shared loop driver for <see cref="IUnaryOperator"/>s: destination[i] = TOp(x[i]).
/// </summary>
/// <remarks>
/// Validates, picks the widest accelerated width the input fills, and finishes with an overlapping last vector that
/// is computed from the input before the main loop runs, so x and destination may be the very same span. They must not
/// otherwise overlap. Each width is also reachable on its own (for tests); a width given fewer elements than one vector
/// falls back to the scalar loop.
/// </remarks>
internal static class UnaryLoop
{
    public static void Invoke<TOp>(ReadOnlySpan<float> x, Span<float> destination)
        where TOp : struct, IUnaryOperator
    {
        Validate(x, destination);
        if (TOp.Vectorizable)
        {
            if (Vector512.IsHardwareAccelerated && x.Length >= Vector512<float>.Count)
            {
                Vector512Core<TOp>(x, destination);
                return;
            }

            if (Vector256.IsHardwareAccelerated && x.Length >= Vector256<float>.Count)
            {
                Vector256Core<TOp>(x, destination);
                return;
            }

            if (Vector128.IsHardwareAccelerated && x.Length >= Vector128<float>.Count)
            {
                Vector128Core<TOp>(x, destination);
                return;
            }
        }

        ScalarCore<TOp>(x, destination);
    }

    internal static void InvokeScalar<TOp>(ReadOnlySpan<float> x, Span<float> destination)
        where TOp : struct, IUnaryOperator
    {
        Validate(x, destination);
        ScalarCore<TOp>(x, destination);
    }

    internal static void InvokeVector128<TOp>(ReadOnlySpan<float> x, Span<float> destination)
        where TOp : struct, IUnaryOperator
    {
        Validate(x, destination);
        if (x.Length >= Vector128<float>.Count)
        {
            Vector128Core<TOp>(x, destination);
        }
        else
        {
            ScalarCore<TOp>(x, destination);
        }
    }

    internal static void InvokeVector256<TOp>(ReadOnlySpan<float> x, Span<float> destination)
        where TOp : struct, IUnaryOperator
    {
        Validate(x, destination);
        if (x.Length >= Vector256<float>.Count)
        {
            Vector256Core<TOp>(x, destination);
        }
        else
        {
            ScalarCore<TOp>(x, destination);
        }
    }

    internal static void InvokeVector512<TOp>(ReadOnlySpan<float> x, Span<float> destination)
        where TOp : struct, IUnaryOperator
    {
        Validate(x, destination);
        if (x.Length >= Vector512<float>.Count)
        {
            Vector512Core<TOp>(x, destination);
        }
        else
        {
            ScalarCore<TOp>(x, destination);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Validate(ReadOnlySpan<float> x, Span<float> destination)
    {
        if (destination.Length < x.Length)
        {
            ThrowHelper.ThrowArgument_DestinationTooShort();
        }

        if (x.Overlaps(destination, out int offset) && offset != 0)
        {
            ThrowHelper.ThrowArgument_InputAndDestinationOverlap();
        }
    }

    private static void ScalarCore<TOp>(ReadOnlySpan<float> x, Span<float> destination)
        where TOp : struct, IUnaryOperator
    {
        destination = destination[..x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            destination[i] = TOp.Invoke(x[i]);
        }
    }

    private static void Vector128Core<TOp>(ReadOnlySpan<float> x, Span<float> destination)
        where TOp : struct, IUnaryOperator
    {
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float dr = ref MemoryMarshal.GetReference(destination);
        nuint n = (nuint)x.Length;
        nuint last = n - (nuint)Vector128<float>.Count;
        Vector128<float> end = TOp.Invoke(Vector128.LoadUnsafe(ref xr, last));
        for (nuint i = 0; i < last; i += (nuint)Vector128<float>.Count)
        {
            TOp.Invoke(Vector128.LoadUnsafe(ref xr, i)).StoreUnsafe(ref dr, i);
        }

        end.StoreUnsafe(ref dr, last);
    }

    private static void Vector256Core<TOp>(ReadOnlySpan<float> x, Span<float> destination)
        where TOp : struct, IUnaryOperator
    {
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float dr = ref MemoryMarshal.GetReference(destination);
        nuint n = (nuint)x.Length;
        nuint last = n - (nuint)Vector256<float>.Count;
        Vector256<float> end = TOp.Invoke(Vector256.LoadUnsafe(ref xr, last));
        for (nuint i = 0; i < last; i += (nuint)Vector256<float>.Count)
        {
            TOp.Invoke(Vector256.LoadUnsafe(ref xr, i)).StoreUnsafe(ref dr, i);
        }

        end.StoreUnsafe(ref dr, last);
    }

    private static void Vector512Core<TOp>(ReadOnlySpan<float> x, Span<float> destination)
        where TOp : struct, IUnaryOperator
    {
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float dr = ref MemoryMarshal.GetReference(destination);
        nuint n = (nuint)x.Length;
        nuint last = n - (nuint)Vector512<float>.Count;
        Vector512<float> end = TOp.Invoke(Vector512.LoadUnsafe(ref xr, last));
        for (nuint i = 0; i < last; i += (nuint)Vector512<float>.Count)
        {
            TOp.Invoke(Vector512.LoadUnsafe(ref xr, i)).StoreUnsafe(ref dr, i);
        }

        end.StoreUnsafe(ref dr, last);
    }
}
