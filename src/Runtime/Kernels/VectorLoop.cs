using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace EdgeRnn.Runtime.Kernels;

/// <summary>
/// The body of an elementwise kernel, written once over the width: it processes a range of elements in whole vectors
/// of one width. Implemented by ref structs holding refs to the kernel's data (<see cref="UnaryLoop"/>,
/// <see cref="BinaryLoop"/>, <see cref="RecurrentCells"/>).
/// </summary>
internal interface IVectorLoop
{
    /// <summary>Processes elements [start, end), one <typeparamref name="TVector"/> at a time; end - start is a multiple of the width's Count.</summary>
    void Run<TVector, TWidth>(nuint start, nuint end)
        where TVector : struct
        where TWidth : IVectorWidth<TVector>;
}

/// <summary>
/// The one loop driver of the elementwise kernels: the widest accelerated width no wider than the limit first, then
/// each narrower one on what is left, then a scalar tail (<see cref="ScalarWidth"/>).
/// </summary>
/// <remarks>
/// Elements are processed exactly once each, in order of index within a width (no overlapping last vector), so a
/// kernel may update its state in place and its destination may be the very same span as an input. Each width's loop
/// is a separate instantiation of <see cref="IVectorLoop.Run{TVector, TWidth}(nuint, nuint)"/>: no dispatch inside the loops.
/// The small unary and binary bodies are inlined into the driver; the recurrent-cell bodies are deliberately not marked
/// for aggressive inlining, so each width's loop is compiled on its own with the JIT's whole inlining budget for the
/// cell math (an LSTM body inlines five activations: four widths and two clip modes in one method exhaust the budget
/// and leave calls inside the loops).
/// </remarks>
internal static class VectorLoop
{
    /// <summary>Runs <paramref name="loop"/> over elements [0, <paramref name="length"/>) with SIMD widths up to <paramref name="maxWidth"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Run<TLoop>(TLoop loop, int length, SimdWidth maxWidth)
        where TLoop : IVectorLoop, allows ref struct
    {
        nuint n = (nuint)length, j = 0;
        if (Use<Vector512Width>(maxWidth, n - j))
        {
            j = Run<TLoop, Vector512<float>, Vector512Width>(ref loop, j, n);
            if (j == n)
            {
                return; // the common case of a multiple of 16 (hidden sizes), without the narrower widths' tests
            }
        }

        if (Use<Vector256Width>(maxWidth, n - j))
        {
            j = Run<TLoop, Vector256<float>, Vector256Width>(ref loop, j, n);
            if (j == n)
            {
                return;
            }
        }

        if (Use<Vector128Width>(maxWidth, n - j))
        {
            j = Run<TLoop, Vector128<float>, Vector128Width>(ref loop, j, n);
        }

        if (j < n)
        {
            loop.Run<float, ScalarWidth>(j, n);
        }
    }

    /// <summary>Whether to run the <typeparamref name="TWidth"/> loop on <paramref name="remaining"/> elements.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Use<TWidth>(SimdWidth maxWidth, nuint remaining)
        where TWidth : IVectorWidth =>
        TWidth.IsHardwareAccelerated && remaining >= (nuint)TWidth.Count && TWidth.Width <= maxWidth;

    /// <summary>Runs the whole <typeparamref name="TVector"/>s in [start, n); returns where they end.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static nuint Run<TLoop, TVector, TWidth>(scoped ref TLoop loop, nuint start, nuint n)
        where TLoop : IVectorLoop, allows ref struct
        where TVector : struct
        where TWidth : IVectorWidth<TVector>
    {
        nuint end = start + ((n - start) & ~((nuint)TWidth.Count - 1));
        loop.Run<TVector, TWidth>(start, end);
        return end;
    }
}
