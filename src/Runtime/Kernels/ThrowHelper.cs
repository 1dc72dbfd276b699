using System.Diagnostics.CodeAnalysis;

namespace EdgeRnn.Runtime.Kernels;

/// <summary>Throw helpers kept out of line so that kernel entry points stay small.</summary>
internal static class ThrowHelper
{
    [DoesNotReturn]
    public static void ThrowArgument_DestinationTooShort(string paramName = "destination") =>
        throw new ArgumentException("The destination span is too short.", paramName);

    [DoesNotReturn]
    public static void ThrowArgument_InputTooShort(string paramName) =>
        throw new ArgumentException("The input span is too short.", paramName);

    [DoesNotReturn]
    public static void ThrowArgument_SpansMustHaveSameLength(string paramName = "y") =>
        throw new ArgumentException("The input spans must have the same length.", paramName);

    [DoesNotReturn]
    public static void ThrowArgument_InputAndDestinationOverlap() =>
        throw new ArgumentException("The destination overlaps an input without starting at the same element.", "destination");

    [DoesNotReturn]
    public static void ThrowArgumentOutOfRange_Clip(float clip) =>
        throw new ArgumentOutOfRangeException(nameof(clip), clip, "The clip threshold must be positive (or +Infinity for no clipping).");
}
