namespace EdgeRnn.Runtime.Onnx;

/// <summary>The kind of value an <see cref="OnnxAttribute"/> holds.</summary>
internal enum OnnxAttributeKind
{
    Float,
    Int,
    String,
    Tensor,
    Floats,
    Ints,
    Strings,
    Graph,
    Other,
}
