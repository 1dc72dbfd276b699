namespace EdgeRnn.Runtime.Onnx;

/// <summary>
/// A validated graph node. <see cref="Inputs"/> keeps positions: an empty string is an omitted optional input.
/// The arrays are owned by the node; callers must not modify them.
/// </summary>
internal sealed class OnnxNode
{
    public OnnxNode(string name, string opType, string domain, int index, string[] inputs, string[] outputs,
        IReadOnlyDictionary<string, OnnxAttribute> attributes)
    {
        Name = name;
        OpType = opType;
        Domain = domain;
        Index = index;
        Inputs = inputs;
        Outputs = outputs;
        Attributes = attributes;
    }

    /// <summary>The node's name; synthesized as <c>&lt;OpType&gt;_&lt;index&gt;</c> when the file leaves it empty.</summary>
    public string Name { get; }

    public string OpType { get; }

    /// <summary>The operator domain; "" for ai.onnx (also when the file says "ai.onnx").</summary>
    public string Domain { get; }

    /// <summary>The node's position in the file.</summary>
    public int Index { get; }

#pragma warning disable CA1819 // Internal, positional lists read by the planner; copies would only cost.
    public string[] Inputs { get; }

    public string[] Outputs { get; }
#pragma warning restore CA1819

    public IReadOnlyDictionary<string, OnnxAttribute> Attributes { get; }

    /// <summary>The name of input <paramref name="index"/>, or "" when absent or omitted.</summary>
    public string InputOrEmpty(int index) => index < Inputs.Length ? Inputs[index] : "";

    public bool HasAttribute(string name) => Attributes.ContainsKey(name);

    public long GetInt(string name, long defaultValue) =>
        Find(name, OnnxAttributeKind.Int) is { } a ? a.IntValue : defaultValue;

    public float GetFloat(string name, float defaultValue) =>
        Find(name, OnnxAttributeKind.Float) is { } a ? a.FloatValue : defaultValue;

    public string GetString(string name, string defaultValue) =>
        Find(name, OnnxAttributeKind.String) is { } a ? a.StringValue! : defaultValue;

    public long[]? GetInts(string name) => Find(name, OnnxAttributeKind.Ints)?.Ints.ToArray();

    public float[]? GetFloats(string name) => Find(name, OnnxAttributeKind.Floats)?.Floats.ToArray();

    public string[]? GetStrings(string name) => Find(name, OnnxAttributeKind.Strings)?.Strings.ToArray();

    public Tensor? GetTensor(string name) => Find(name, OnnxAttributeKind.Tensor)?.TensorValue;

    /// <summary>
    /// Describes the node for error messages: <c>node 'lstm_1' (LSTM, #3)</c>, with the names from the file made safe to
    /// print (<see cref="DisplayText.Sanitize"/>).
    /// </summary>
    public string Describe() =>
        $"node '{DisplayText.Sanitize(Name)}' ({DisplayText.Sanitize(Domain.Length == 0 ? OpType : Domain + "." + OpType)}, #{Index})";

    public override string ToString() => Describe();

    private OnnxAttribute? Find(string name, OnnxAttributeKind kind)
    {
        if (!Attributes.TryGetValue(name, out OnnxAttribute? attribute))
        {
            return null;
        }

        if (attribute.Kind != kind)
        {
            throw new ModelFormatException(
                $"{Describe()}: attribute '{DisplayText.Sanitize(name)}' has type {attribute.TypeName}, but {OpType} expects {KindName(kind)}.");
        }

        return attribute;
    }

    private static string KindName(OnnxAttributeKind kind) => kind switch
    {
        OnnxAttributeKind.Float => "FLOAT",
        OnnxAttributeKind.Int => "INT",
        OnnxAttributeKind.String => "STRING",
        OnnxAttributeKind.Tensor => "TENSOR",
        OnnxAttributeKind.Floats => "FLOATS",
        OnnxAttributeKind.Ints => "INTS",
        OnnxAttributeKind.Strings => "STRINGS",
        _ => kind.ToString(),
    };
}
