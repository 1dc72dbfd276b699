using EdgeRnn.Runtime;
using EdgeRnn.Runtime.Onnx.Proto;
using Google.Protobuf;

namespace EdgeRnn.Desktop.Onnx;

/// <summary>
/// Adds attributes to a node created by <see cref="OnnxGraphBuilder.AddNode"/>; every method returns the builder so
/// calls chain.
/// </summary>
public sealed class OnnxNodeBuilder
{
    private readonly NodeProto _node;

    internal OnnxNodeBuilder(NodeProto node)
    {
        _node = node;
    }

    /// <summary>The node's name.</summary>
    public string Name => _node.Name;

    /// <summary>The node's operator type.</summary>
    public string OpType => _node.OpType;

    /// <summary>Adds an INT attribute.</summary>
    public OnnxNodeBuilder WithAttribute(string name, long value) =>
        Add(name, AttributeProto.Types.AttributeType.Int, a => a.I = value);

    /// <summary>Adds a FLOAT attribute.</summary>
    public OnnxNodeBuilder WithAttribute(string name, float value) =>
        Add(name, AttributeProto.Types.AttributeType.Float, a => a.F = value);

    /// <summary>Adds a STRING attribute (UTF-8 encoded).</summary>
    public OnnxNodeBuilder WithAttribute(string name, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return Add(name, AttributeProto.Types.AttributeType.String, a => a.S = ByteString.CopyFromUtf8(value));
    }

    /// <summary>Adds an INTS attribute.</summary>
    public OnnxNodeBuilder WithAttribute(string name, long[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return Add(name, AttributeProto.Types.AttributeType.Ints, a => a.Ints.AddRange(values));
    }

    /// <summary>Adds a FLOATS attribute.</summary>
    public OnnxNodeBuilder WithAttribute(string name, float[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return Add(name, AttributeProto.Types.AttributeType.Floats, a => a.Floats.AddRange(values));
    }

    /// <summary>Adds a STRINGS attribute (each UTF-8 encoded).</summary>
    public OnnxNodeBuilder WithAttribute(string name, string[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return Add(name, AttributeProto.Types.AttributeType.Strings, a =>
        {
            foreach (string s in values)
            {
                ArgumentNullException.ThrowIfNull(s, nameof(values));
                a.Strings.Add(ByteString.CopyFromUtf8(s));
            }
        });
    }

    /// <summary>Adds a TENSOR attribute (for example the <c>value</c> of a Constant node).</summary>
    public OnnxNodeBuilder WithAttribute(string name, Tensor value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return Add(name, AttributeProto.Types.AttributeType.Tensor, a => a.T = OnnxTensorWriter.ToProto(value, ""));
    }

    private OnnxNodeBuilder Add(string name, AttributeProto.Types.AttributeType type, Action<AttributeProto> set)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (_node.Attribute.Any(a => a.Name == name))
        {
            throw new ArgumentException($"Node '{_node.Name}' already has attribute '{name}'.", nameof(name));
        }

        var attribute = new AttributeProto { Name = name, Type = type };
        set(attribute);
        _node.Attribute.Add(attribute);
        return this;
    }
}
