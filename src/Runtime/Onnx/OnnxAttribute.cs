namespace EdgeRnn.Runtime.Onnx;

/// <summary>A node attribute, read and validated from the file. Exactly one value member matches <see cref="Kind"/>.</summary>
internal sealed class OnnxAttribute
{
    private readonly long[]? _ints;
    private readonly float[]? _floats;
    private readonly string[]? _strings;

    private OnnxAttribute(string name, OnnxAttributeKind kind, string typeName, long intValue = 0, float floatValue = 0, string? stringValue = null,
        Tensor? tensor = null, long[]? ints = null, float[]? floats = null, string[]? strings = null)
    {
        Name = name;
        Kind = kind;
        TypeName = typeName;
        IntValue = intValue;
        FloatValue = floatValue;
        StringValue = stringValue;
        TensorValue = tensor;
        _ints = ints;
        _floats = floats;
        _strings = strings;
    }

    public string Name { get; }

    public OnnxAttributeKind Kind { get; }

    /// <summary>The ONNX type name (INT, FLOATS, TENSORS ...), for messages.</summary>
    public string TypeName { get; }

    public long IntValue { get; }

    public float FloatValue { get; }

    public string? StringValue { get; }

    public Tensor? TensorValue { get; }

    public ReadOnlySpan<long> Ints => _ints;

    public ReadOnlySpan<float> Floats => _floats;

    public ReadOnlySpan<string> Strings => _strings;

    public static OnnxAttribute FromInt(string name, long value) => new(name, OnnxAttributeKind.Int, "INT", intValue: value);

    public static OnnxAttribute FromFloat(string name, float value) => new(name, OnnxAttributeKind.Float, "FLOAT", floatValue: value);

    public static OnnxAttribute FromString(string name, string value) => new(name, OnnxAttributeKind.String, "STRING", stringValue: value);

    public static OnnxAttribute FromTensor(string name, Tensor value) => new(name, OnnxAttributeKind.Tensor, "TENSOR", tensor: value);

    public static OnnxAttribute FromInts(string name, long[] values) => new(name, OnnxAttributeKind.Ints, "INTS", ints: values);

    public static OnnxAttribute FromFloats(string name, float[] values) => new(name, OnnxAttributeKind.Floats, "FLOATS", floats: values);

    public static OnnxAttribute FromStrings(string name, string[] values) => new(name, OnnxAttributeKind.Strings, "STRINGS", strings: values);

    /// <summary>An attribute of a kind EdgeRnn keeps only by name (TENSORS, SPARSE_TENSOR, TYPE_PROTO ...).</summary>
    public static OnnxAttribute FromOther(string name, string typeName) => new(name, OnnxAttributeKind.Other, typeName);

    /// <summary>Formats the attribute for messages, with strings from the file made safe to print.</summary>
    public override string ToString() => DisplayText.Sanitize(Name) + Kind switch
    {
        OnnxAttributeKind.Int => $"={IntValue}",
        OnnxAttributeKind.Float => $"={FloatValue}",
        OnnxAttributeKind.String => $"='{DisplayText.Sanitize(StringValue)}'",
        OnnxAttributeKind.Tensor => $"={TensorValue}",
        OnnxAttributeKind.Ints => $"=[{string.Join(", ", _ints!)}]",
        OnnxAttributeKind.Floats => $"=[{string.Join(", ", _floats!)}]",
        OnnxAttributeKind.Strings => $"=[{DisplayText.Sanitize(string.Join(", ", _strings!), 1024)}]",
        _ => $":{TypeName}",
    };
}
