using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace EdgeRnn.Runtime.Kernels;

/// <summary>
/// The shared loop driver for <see cref="IBinaryOperator"/>s: destination[i] = TOp(x[i], y[i]) or TOp(x[i], y).
/// </summary>
/// <remarks>
/// As <see cref="UnaryLoop"/>: the overlapping last vector is computed before the main loop, so destination may be the
/// very same span as x or y, but must not otherwise overlap them.
/// </remarks>
internal static class BinaryLoop
{
    public static void Invoke<TOp>(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> destination)
        where TOp : struct, IBinaryOperator
    {
        Validate(x, y, destination);
        if (TOp.Vectorizable)
        {
            if (Vector512.IsHardwareAccelerated && x.Length >= Vector512<float>.Count)
            {
                Vector512Core<TOp>(x, y, destination);
                return;
            }

            if (Vector256.IsHardwareAccelerated && x.Length >= Vector256<float>.Count)
            {
                Vector256Core<TOp>(x, y, destination);
                return;
            }

            if (Vector128.IsHardwareAccelerated && x.Length >= Vector128<float>.Count)
            {
                Vector128Core<TOp>(x, y, destination);
                return;
            }
        }

        ScalarCore<TOp>(x, y, destination);
    }

    public static void Invoke<TOp>(ReadOnlySpan<float> x, float y, Span<float> destination)
        where TOp : struct, IBinaryOperator
    {
        Validate(x, destination);
        if (TOp.Vectorizable)
        {
            if (Vector512.IsHardwareAccelerated && x.Length >= Vector512<float>.Count)
            {
                Vector512Core<TOp>(x, y, destination);
                return;
            }

            if (Vector256.IsHardwareAccelerated && x.Length >= Vector256<float>.Count)
            {
                Vector256Core<TOp>(x, y, destination);
                return;
            }

            if (Vector128.IsHardwareAccelerated && x.Length >= Vector128<float>.Count)
            {
                Vector128Core<TOp>(x, y, destination);
                return;
            }
        }

        ScalarCore<TOp>(x, y, destination);
    }

    internal static void InvokeScalar<TOp>(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> destination)
        where TOp : struct, IBinaryOperator
    {
        Validate(x, y, destination);
        ScalarCore<TOp>(x, y, destination);
    }

    internal static void InvokeScalar<TOp>(ReadOnlySpan<float> x, float y, Span<float> destination)
        where TOp : struct, IBinaryOperator
    {
        Validate(x, destination);
        ScalarCore<TOp>(x, y, destination);
    }

    internal static void InvokeVector128<TOp>(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> destination)
        where TOp : struct, IBinaryOperator
    {
        Validate(x, y, destination);
        if (x.Length >= Vector128<float>.Count)
        {
            Vector128Core<TOp>(x, y, destination);
        }
        else
        {
            ScalarCore<TOp>(x, y, destination);
        }
    }

    internal static void InvokeVector128<TOp>(ReadOnlySpan<float> x, float y, Span<float> destination)
        where TOp : struct, IBinaryOperator
    {
        Validate(x, destination);
        if (x.Length >= Vector128<float>.Count)
        {
            Vector128Core<TOp>(x, y, destination);
        }
        else
        {
            ScalarCore<TOp>(x, y, destination);
        }
    }

    internal static void InvokeVector256<TOp>(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> destination)
        where TOp : struct, IBinaryOperator
    {
        Validate(x, y, destination);
        if (x.Length >= Vector256<float>.Count)
        {
            Vector256Core<TOp>(x, y, destination);
        }
        else
        {
            ScalarCore<TOp>(x, y, destination);
        }
    }

    internal static void InvokeVector256<TOp>(ReadOnlySpan<float> x, float y, Span<float> destination)
        where TOp : struct, IBinaryOperator
    {
        Validate(x, destination);
        if (x.Length >= Vector256<float>.Count)
        {
            Vector256Core<TOp>(x, y, destination);
        }
        else
        {
            ScalarCore<TOp>(x, y, destination);
        }
    }

    internal static void InvokeVector512<TOp>(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> destination)
        where TOp : struct, IBinaryOperator
    {
        Validate(x, y, destination);
        if (x.Length >= Vector512<float>.Count)
        {
            Vector512Core<TOp>(x, y, destination);
        }
        else
        {
            ScalarCore<TOp>(x, y, destination);
        }
    }

    internal static void InvokeVector512<TOp>(ReadOnlySpan<float> x, float y, Span<float> destination)
        where TOp : struct, IBinaryOperator
    {
        Validate(x, destination);
        if (x.Length >= Vector512<float>.Count)
        {
            Vector512Core<TOp>(x, y, destination);
        }
        else
        {
            ScalarCore<TOp>(x, y, destination);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Validate(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> destination)
    {
        if (x.Length != y.Length)
        {
            ThrowHelper.ThrowArgument_SpansMustHaveSameLength();
        }

        if (y.Overlaps(destination, out int offset) && offset != 0)
        {
            ThrowHelper.ThrowArgument_InputAndDestinationOverlap();
        }

        Validate(x, destination);
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

    private static void ScalarCore<TOp>(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> destination)
        where TOp : struct, IBinaryOperator
    {
        y = y[..x.Length];
        destination = destination[..x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            destination[i] = TOp.Invoke(x[i], y[i]);
        }
    }

    private static void ScalarCore<TOp>(ReadOnlySpan<float> x, float y, Span<float> destination)
        where TOp : struct, IBinaryOperator
    {
        destination = destination[..x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            destination[i] = TOp.Invoke(x[i], y);
        }
    }

    private static void Vector128Core<TOp>(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> destination)
        where TOp : struct, IBinaryOperator
    {
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(y);
        ref float dr = ref MemoryMarshal.GetReference(destination);
        nuint last = (nuint)x.Length - (nuint)Vector128<float>.Count;
        Vector128<float> end = TOp.Invoke(Vector128.LoadUnsafe(ref xr, last), Vector128.LoadUnsafe(ref yr, last));
        for (nuint i = 0; i < last; i += (nuint)Vector128<float>.Count)
        {
            TOp.Invoke(Vector128.LoadUnsafe(ref xr, i), Vector128.LoadUnsafe(ref yr, i)).StoreUnsafe(ref dr, i);
        }

        end.StoreUnsafe(ref dr, last);
    }

    private static void Vector128Core<TOp>(ReadOnlySpan<float> x, float y, Span<float> destination)
        where TOp : struct, IBinaryOperator
    {
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float dr = ref MemoryMarshal.GetReference(destination);
        Vector128<float> yv = Vector128.Create(y);
        nuint last = (nuint)x.Length - (nuint)Vector128<float>.Count;
        Vector128<float> end = TOp.Invoke(Vector128.LoadUnsafe(ref xr, last), yv);
        for (nuint i = 0; i < last; i += (nuint)Vector128<float>.Count)
        {
            TOp.Invoke(Vector128.LoadUnsafe(ref xr, i), yv).StoreUnsafe(ref dr, i);
        }

        end.StoreUnsafe(ref dr, last);
    }

    private static void Vector256Core<TOp>(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> destination)
        where TOp : struct, IBinaryOperator
    {
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(y);
        ref float dr = ref MemoryMarshal.GetReference(destination);
        nuint last = (nuint)x.Length - (nuint)Vector256<float>.Count;
        Vector256<float> end = TOp.Invoke(Vector256.LoadUnsafe(ref xr, last), Vector256.LoadUnsafe(ref yr, last));
        for (nuint i = 0; i < last; i += (nuint)Vector256<float>.Count)
        {
            TOp.Invoke(Vector256.LoadUnsafe(ref xr, i), Vector256.LoadUnsafe(ref yr, i)).StoreUnsafe(ref dr, i);
        }

        end.StoreUnsafe(ref dr, last);
    }

    private static void Vector256Core<TOp>(ReadOnlySpan<float> x, float y, Span<float> destination)
        where TOp : struct, IBinaryOperator
    {
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float dr = ref MemoryMarshal.GetReference(destination);
        Vector256<float> yv = Vector256.Create(y);
        nuint last = (nuint)x.Length - (nuint)Vector256<float>.Count;
        Vector256<float> end = TOp.Invoke(Vector256.LoadUnsafe(ref xr, last), yv);
        for (nuint i = 0; i < last; i += (nuint)Vector256<float>.Count)
        {
            TOp.Invoke(Vector256.LoadUnsafe(ref xr, i), yv).StoreUnsafe(ref dr, i);
        }

        end.StoreUnsafe(ref dr, last);
    }

    private static void Vector512Core<TOp>(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> destination)
        where TOp : struct, IBinaryOperator
    {
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(y);
        ref float dr = ref MemoryMarshal.GetReference(destination);
        nuint last = (nuint)x.Length - (nuint)Vector512<float>.Count;
        Vector512<float> end = TOp.Invoke(Vector512.LoadUnsafe(ref xr, last), Vector512.LoadUnsafe(ref yr, last));
        for (nuint i = 0; i < last; i += (nuint)Vector512<float>.Count)
        {
            TOp.Invoke(Vector512.LoadUnsafe(ref xr, i), Vector512.LoadUnsafe(ref yr, i)).StoreUnsafe(ref dr, i);
        }

        end.StoreUnsafe(ref dr, last);
    }

    private static void Vector512Core<TOp>(ReadOnlySpan<float> x, float y, Span<float> destination)
        where TOp : struct, IBinaryOperator
    {
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float dr = ref MemoryMarshal.GetReference(destination);
        Vector512<float> yv = Vector512.Create(y);
        nuint last = (nuint)x.Length - (nuint)Vector512<float>.Count;
        Vector512<float> end = TOp.Invoke(Vector512.LoadUnsafe(ref xr, last), yv);
        for (nuint i = 0; i < last; i += (nuint)Vector512<float>.Count)
        {
            TOp.Invoke(Vector512.LoadUnsafe(ref xr, i), yv).StoreUnsafe(ref dr, i);
        }

        end.StoreUnsafe(ref dr, last);
    }
}
