using System.Diagnostics.CodeAnalysis;

namespace EdgeRnn.Runtime.Graph;

/// <summary>Throw helpers that keep hot paths small.</summary>
internal static class ThrowHelpers
{
    [DoesNotReturn]
    public static void ThrowIndexOutOfRange(string node, long index, int dim) =>
        throw new ArgumentOutOfRangeException(nameof(index), index, $"Node '{node}' looked up index {index} on an axis of size {dim}.");

    [DoesNotReturn]
    public static void ThrowLengthMismatch(string what, long expected, int actual) =>
        throw new ArgumentException($"{what} must have {expected} elements but has {actual}.");

    [DoesNotReturn]
    public static void ThrowSequenceLength(string node, long length, int max) =>
        throw new ArgumentOutOfRangeException(nameof(length), length, $"Node '{node}' got sequence length {length}; it must be between 0 and {max}.");
}
