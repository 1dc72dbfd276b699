using System.Runtime.InteropServices;
using EdgeRnn.Runtime;
using EdgeRnn.Runtime.Onnx.Proto;
using Google.Protobuf;

namespace EdgeRnn.Quantize;

/// <summary>Small builders and readers of ONNX protobuf nodes and tensors.</summary>
internal static partial class ModelQuantizer
{
    /// <summary>
    /// Drops the initializers nothing reads any more (the float weights that were quantized), and the graph inputs that
    /// only declared such an initializer (IR 3 models list initializers as inputs): left behind, they would be inputs
    /// the int8 model demands with no default.
    /// </summary>
    private static void RemoveUnused(GraphProto g, IReadOnlyCollection<string> sourceInitializers)
    {
        var used = new HashSet<string>(g.Node.SelectMany(n => n.Input), StringComparer.Ordinal);
        used.UnionWith(g.Output.Select(o => o.Name));
        var keep = g.Initializer.Where(t => used.Contains(t.Name)).ToList();
        g.Initializer.Clear();
        g.Initializer.AddRange(keep);
        var defined = new HashSet<string>(keep.Select(t => t.Name), StringComparer.Ordinal);
        var inputs = g.Input.Where(i => defined.Contains(i.Name) || !sourceInitializers.Contains(i.Name)).ToList();
        g.Input.Clear();
        g.Input.AddRange(inputs);
    }

    private static string Unique(HashSet<string> names, string name)
    {
        string candidate = name;
        for (int i = 1; !names.Add(candidate); i++)
        {
            candidate = $"{name}_{i}";
        }

        return candidate;
    }

    /// <summary>
    /// A node the quantizer adds to feed an original one (DequantizeLinear, Cast, Pad, ConstantOfShape, static mode's
    /// QuantizeLinear): unnamed, as ONNX allows. A name would only repeat its output's name and op type, about 25
    /// bytes a node in every int8 file; tools identify it by op and position (EdgeRnn's errors call it
    /// '&lt;op&gt;_&lt;index&gt;'), and Netron by op and output.
    /// </summary>
    private static NodeProto Helper(string op, IEnumerable<string> inputs, IEnumerable<string> outputs) => Node(op, inputs, outputs, "");

    private static NodeProto Node(string op, IEnumerable<string> inputs, IEnumerable<string> outputs, string name)
    {
        var n = new NodeProto { OpType = op, Name = name };
        n.Input.AddRange(inputs);
        n.Output.AddRange(outputs);
        return n;
    }

    private static long GetInt(NodeProto node, string name, long fallback) => node.Attribute.FirstOrDefault(a => a.Name == name)?.I ?? fallback;

    private static float GetFloat(NodeProto node, string name, float fallback) => node.Attribute.FirstOrDefault(a => a.Name == name)?.F ?? fallback;

    public static float[] ReadFloats(TensorProto t)
    {
        if (t.DataLocation == TensorProto.Types.DataLocation.External)
        {
            throw new ModelFormatException($"Initializer '{t.Name}' keeps its data in an external file, which edgernn-quantize does not read.");
        }

        long count = t.Dims.Aggregate(1L, (a, d) => a * d);
        if (t.RawData.Length > 0)
        {
            if (t.RawData.Length != count * sizeof(float))
            {
                throw new ModelFormatException($"Initializer '{t.Name}' holds {t.RawData.Length} bytes; its shape needs {count * sizeof(float)}.");
            }

            return MemoryMarshal.Cast<byte, float>(t.RawData.Span).ToArray();
        }

        return t.FloatData.Count == count
            ? [.. t.FloatData]
            : throw new ModelFormatException($"Initializer '{t.Name}' holds {t.FloatData.Count} floats; its shape needs {count}.");
    }

    private static TensorProto FloatTensor(string name, float[] values, int[] dims)
    {
        var t = new TensorProto { Name = name, DataType = FloatType, RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan())) };
        t.Dims.AddRange(dims.Select(d => (long)d));
        return t;
    }

    /// <summary>A 1-D INT64 initializer (a shape or pads).</summary>
    private static TensorProto Int64Vector(string name, long[] values)
    {
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
        t.Dims.Add(values.Length);
        t.Int64Data.AddRange(values);
        return t;
    }

    private static TensorProto Int8Tensor(string name, sbyte[] values, int[] dims)
    {
        var t = new TensorProto { Name = name, DataType = Int8Type, RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan())) };
        t.Dims.AddRange(dims.Select(d => (long)d));
        return t;
    }
}
