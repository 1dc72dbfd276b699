using System.Globalization;

namespace EdgeRnn.Runtime;

/// <summary>
/// One dimension of a declared input or output shape: a fixed size, a symbolic name (such as <c>seq</c> or
/// <c>batch</c>), or unknown.
/// </summary>
/// <param name="Value">The size when fixed; -1 when symbolic or unknown.</param>
/// <param name="Param">The symbolic name, or null.</param>
public readonly record struct OnnxDimension(long Value, string? Param)
{
    /// <summary>True when the dimension has a fixed size.</summary>
    public bool IsKnown => Value >= 0;

    /// <summary>A dimension with neither size nor name.</summary>
    public static OnnxDimension Unknown => new(-1, null);

    /// <summary>A fixed-size dimension.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="value"/> is negative.</exception>
    public static OnnxDimension Fixed(long value)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(value);
        return new OnnxDimension(value, null);
    }

    /// <summary>A symbolic dimension such as <c>batch</c>.</summary>
    /// <exception cref="ArgumentException"><paramref name="name"/> is null or empty.</exception>
    public static OnnxDimension Symbolic(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return new OnnxDimension(-1, name);
    }

    /// <summary>The size, the symbolic name, or <c>?</c>.</summary>
    public override string ToString() => IsKnown ? Value.ToString(CultureInfo.InvariantCulture) : Param is null ? "?" : DisplayText.Sanitize(Param);
}
