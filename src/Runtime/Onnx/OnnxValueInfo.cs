namespace EdgeRnn.Runtime;

/// <summary>A declared graph input or output: its name, element type and (when declared) shape.</summary>
public sealed class OnnxValueInfo
{
    /// <summary>Creates a value description.</summary>
    /// <param name="name">The value's name.</param>
    /// <param name="elementType">The element type.</param>
    /// <param name="shape">The declared dimensions, or null when the rank is unknown.</param>
    public OnnxValueInfo(string name, TensorElementType elementType, IReadOnlyList<OnnxDimension>? shape)
    {
        ArgumentNullException.ThrowIfNull(name);
        Name = name;
        ElementType = elementType;
        Shape = shape is null ? null : shape.ToArray().AsReadOnly();
    }

    /// <summary>The value's name.</summary>
    public string Name { get; }

    /// <summary>The element type.</summary>
    public TensorElementType ElementType { get; }

    /// <summary>The declared dimensions, outermost first; null when the rank is unknown.</summary>
    public IReadOnlyList<OnnxDimension>? Shape { get; }

    /// <summary>Formats the value as <c>name: float[seq, batch, 4]</c> (the name made safe to print, see <see cref="DisplayText"/>).</summary>
    public override string ToString() => $"{DisplayText.Sanitize(Name)}: {FormatType()}";

    /// <summary>Formats the type as <c>float[seq, batch, 4]</c>, or <c>float[?]</c> for an unknown rank.</summary>
    public string FormatType()
    {
#pragma warning disable CA1308 // ONNX and NumPy spell type names in lower case; this is display text, not a key.
        string type = ElementType.ToString().ToLowerInvariant();
#pragma warning restore CA1308
        return Shape is null ? type + "[?]" : type + "[" + string.Join(", ", Shape) + "]";
    }
}
