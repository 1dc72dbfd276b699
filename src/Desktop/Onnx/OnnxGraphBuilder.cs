using EdgeRnn.Deployment.IO;
using EdgeRnn.Runtime;
using EdgeRnn.Runtime.Onnx.Proto;
using Google.Protobuf;

namespace EdgeRnn.Desktop.Onnx;

/// <summary>
/// Builds a single-graph ONNX model in memory: inputs, outputs, initializers, nodes and metadata, then
/// <see cref="ToBytes"/> or <see cref="Save"/>. The builder checks names for duplicates as they are added; the
/// graph as a whole is validated when it is read back (by EdgeRnn or ONNX Runtime).
/// </summary>
/// <remarks>
/// The recurrent helpers (<see cref="AddRecurrent"/> for any cell, <see cref="AddLstm"/>, <see cref="AddGru"/>,
/// <see cref="AddRnn"/>) and
/// <see cref="AddGemm"/> / <see cref="AddMatMul"/> add the weights as initializers named <c>&lt;name&gt;.W</c>,
/// <c>&lt;name&gt;.R</c>, <c>&lt;name&gt;.B</c> and <c>&lt;name&gt;.P</c>; omitted optional inputs are written as
/// "" at their position and trailing omitted inputs are dropped.
/// </remarks>
public sealed class OnnxGraphBuilder
{
    private readonly GraphProto _graph;
    private readonly int _opset;
    private readonly HashSet<string> _valueNames = new(StringComparer.Ordinal);
    private readonly HashSet<string> _nodeNames = new(StringComparer.Ordinal);
    private readonly List<KeyValuePair<string, string>> _metadata = [];
    private readonly Dictionary<string, long> _extraOpsets = new(StringComparer.Ordinal);

    /// <summary>Creates a builder for a graph named <paramref name="graphName"/> importing ai.onnx <paramref name="opset"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="opset"/> is outside 7..22.</exception>
    public OnnxGraphBuilder(string graphName = "edgernn", int opset = 17)
    {
        ArgumentNullException.ThrowIfNull(graphName);
        ArgumentOutOfRangeException.ThrowIfLessThan(opset, 7);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(opset, 22);
        _graph = new GraphProto { Name = graphName };
        _opset = opset;
    }

    /// <summary>The producer name written to the model; default "EdgeRnn".</summary>
    public string ProducerName { get; set; } = "EdgeRnn";

    /// <summary>The producer version written to the model; default the runtime assembly's version.</summary>
    public string ProducerVersion { get; set; } = typeof(OnnxGraphBuilder).Assembly.GetName().Version?.ToString(3) ?? "";

    /// <summary>The imported ai.onnx opset.</summary>
    public int Opset => _opset;

    /// <summary>
    /// Declares a graph input. An empty <paramref name="shape"/> leaves the shape (and rank) unknown; a scalar input
    /// is not expressible here.
    /// </summary>
    public void AddInput(string name, TensorElementType type, params OnnxDimension[] shape)
    {
        ValueInfoProto input = ValueInfo(name, type, shape);
        AddValueName(name);
        _graph.Input.Add(input);
    }

    /// <summary>Declares a graph output. An empty <paramref name="shape"/> leaves the shape (and rank) unknown.</summary>
    public void AddOutput(string name, TensorElementType type, params OnnxDimension[] shape)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (_graph.Output.Any(o => o.Name == name))
        {
            throw new ArgumentException($"Output '{name}' is already declared.", nameof(name));
        }

        _graph.Output.Add(ValueInfo(name, type, shape));
    }

    /// <summary>Adds a constant tensor (weights) named <paramref name="name"/>.</summary>
    public void AddInitializer(string name, Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        AddValueName(name);
        _graph.Initializer.Add(OnnxTensorWriter.ToProto(tensor, name));
    }

    /// <summary>Imports an operator domain other than ai.onnx (for example <c>com.microsoft</c>, version 1).</summary>
    public void ImportOpset(string domain, long version)
    {
        ArgumentException.ThrowIfNullOrEmpty(domain);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(version);
        _extraOpsets[domain] = version;
    }

    /// <summary>
    /// Adds a node. An empty string in <paramref name="inputs"/> or <paramref name="outputs"/> is an omitted
    /// optional value. A null <paramref name="name"/> becomes <c>&lt;opType&gt;_&lt;index&gt;</c>. Nodes must be
    /// added in topological order. A domain that is not imported is imported at version 1.
    /// </summary>
    public OnnxNodeBuilder AddNode(string opType, IReadOnlyList<string> inputs, IReadOnlyList<string> outputs, string? name = null, string domain = "")
    {
        ArgumentException.ThrowIfNullOrEmpty(opType);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(outputs);
        ArgumentNullException.ThrowIfNull(domain);
        name ??= $"{opType}_{_graph.Node.Count}";
        if (!_nodeNames.Add(name))
        {
            throw new ArgumentException($"A node named '{name}' already exists.", nameof(name));
        }

        var node = new NodeProto { OpType = opType, Name = name, Domain = domain };
        foreach (string input in inputs)
        {
            ArgumentNullException.ThrowIfNull(input, nameof(inputs));
            node.Input.Add(input);
        }

        foreach (string output in outputs)
        {
            ArgumentNullException.ThrowIfNull(output, nameof(outputs));
            if (output.Length != 0)
            {
                AddValueName(output);
            }

            node.Output.Add(output);
        }

        _graph.Node.Add(node);
        return new OnnxNodeBuilder(node);
    }

    /// <summary>Sets a <c>metadata_props</c> entry, replacing an earlier value for the same key.</summary>
    public void SetMetadata(string key, string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(value);
        int index = _metadata.FindIndex(kv => kv.Key == key);
        if (index >= 0)
        {
            _metadata[index] = new(key, value);
        }
        else
        {
            _metadata.Add(new(key, value));
        }
    }

    /// <summary>
    /// Adds an ONNX LSTM node and its weights. <paramref name="w"/> is [directions, 4*hidden, input],
    /// <paramref name="r"/> [directions, 4*hidden, hidden], <paramref name="b"/> [directions, 8*hidden] and
    /// <paramref name="peepholes"/> [directions, 3*hidden]; gate order i, o, f, c. <paramref name="outputs"/> are
    /// Y, Y_h, Y_c ("" or absent for unused ones). The graph-valued inputs (<paramref name="initialH"/>,
    /// <paramref name="initialC"/>, <paramref name="sequenceLens"/>) are value names.
    /// </summary>
    /// <remarks>ONNX Runtime 1.31 refuses LSTM with <paramref name="layout"/> = 1 (batch-first); EdgeRnn reads it.</remarks>
    public OnnxNodeBuilder AddLstm(string name, string input, int hiddenSize, Tensor w, Tensor r, Tensor? b, string[] outputs,
        string direction = "forward", int layout = 0, string? initialH = null, string? initialC = null, Tensor? peepholes = null,
        string? sequenceLens = null)
    {
        (string? wName, string? rName, string? bName) = RecurrentWeights(name, input, hiddenSize, w, r, b, outputs, direction);
        string[] inputs = Inputs(input, wName, rName, bName, sequenceLens, initialH, initialC, Weight(name, "P", peepholes));
        return Recurrent(RecurrentCellKind.Lstm, name, inputs, outputs, hiddenSize, direction, layout);
    }

    /// <summary>
    /// Adds an ONNX GRU node and its weights. <paramref name="w"/> is [directions, 3*hidden, input],
    /// <paramref name="r"/> [directions, 3*hidden, hidden], <paramref name="b"/> [directions, 6*hidden]; gate order
    /// z, r, h. <paramref name="linearBeforeReset"/> 1 matches PyTorch. <paramref name="outputs"/> are Y, Y_h.
    /// </summary>
    public OnnxNodeBuilder AddGru(string name, string input, int hiddenSize, Tensor w, Tensor r, Tensor? b, string[] outputs,
        string direction = "forward", int linearBeforeReset = 0, int layout = 0, string? initialH = null, string? sequenceLens = null)
    {
        (string? wName, string? rName, string? bName) = RecurrentWeights(name, input, hiddenSize, w, r, b, outputs, direction);
        string[] inputs = Inputs(input, wName, rName, bName, sequenceLens, initialH);
        OnnxNodeBuilder node = Recurrent(RecurrentCellKind.Gru, name, inputs, outputs, hiddenSize, direction, layout);
        if (linearBeforeReset != 0)
        {
            node.WithAttribute("linear_before_reset", (long)linearBeforeReset);
        }

        return node;
    }

    /// <summary>
    /// Adds an ONNX RNN node (tanh) and its weights. <paramref name="w"/> is [directions, hidden, input],
    /// <paramref name="r"/> [directions, hidden, hidden], <paramref name="b"/> [directions, 2*hidden].
    /// <paramref name="outputs"/> are Y, Y_h.
    /// </summary>
    public OnnxNodeBuilder AddRnn(string name, string input, int hiddenSize, Tensor w, Tensor r, Tensor? b, string[] outputs,
        string direction = "forward", int layout = 0, string? initialH = null, string? sequenceLens = null)
    {
        (string? wName, string? rName, string? bName) = RecurrentWeights(name, input, hiddenSize, w, r, b, outputs, direction);
        string[] inputs = Inputs(input, wName, rName, bName, sequenceLens, initialH);
        return Recurrent(RecurrentCellKind.Rnn, name, inputs, outputs, hiddenSize, direction, layout);
    }

    /// <summary>
    /// Adds an ONNX node of any recurrent cell (<see cref="RecurrentCell.OpType"/>) and its weights, with the ONNX
    /// default attributes (add <see cref="RecurrentCell.TorchAttributes"/> for the form a PyTorch module computes).
    /// <paramref name="w"/> is [directions, gates*hidden, input], <paramref name="r"/> [directions, gates*hidden, hidden],
    /// <paramref name="b"/> [directions, 2*gates*hidden], in the cell's ONNX gate order. <paramref name="outputs"/> are
    /// Y, Y_h and, for a cell with <see cref="RecurrentCell.HasCellState"/>, Y_c ("" or absent for unused ones).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="initialC"/> is given for a cell without a cell state.</exception>
    public OnnxNodeBuilder AddRecurrent(RecurrentCellKind cell, string name, string input, int hiddenSize, Tensor w, Tensor r, Tensor? b,
        string[] outputs, string direction = "forward", string? initialH = null, string? initialC = null)
    {
        RecurrentCell c = RecurrentCell.For(cell);
        if (initialC is not null && !c.HasCellState)
        {
            throw new ArgumentException($"{c.OpType} has no cell state; initial_c is for cells that do.", nameof(initialC));
        }

        (string? wName, string? rName, string? bName) = RecurrentWeights(name, input, hiddenSize, w, r, b, outputs, direction);
        string[] inputs = Inputs(input, wName, rName, bName, null, initialH, initialC);
        return Recurrent(cell, name, inputs, outputs, hiddenSize, direction, 0);
    }

    /// <summary>Checks a recurrent node's arguments and adds its W, R and (when given) B initializers, in that order.</summary>
    private (string? W, string? R, string? B) RecurrentWeights(string name, string input, int hiddenSize, Tensor w, Tensor r, Tensor? b,
        string[] outputs, string direction)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentException.ThrowIfNullOrEmpty(input);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(hiddenSize);
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(r);
        ArgumentNullException.ThrowIfNull(outputs);
        ArgumentNullException.ThrowIfNull(direction);
        return (Weight(name, "W", w), Weight(name, "R", r), Weight(name, "B", b));
    }

    /// <summary>
    /// Adds Y = A * B' + C (<paramref name="transB"/> true, the PyTorch Linear layout [out, in]) or A * B + C, with
    /// B as initializer <c>&lt;name&gt;.W</c> and C as <c>&lt;name&gt;.B</c>.
    /// </summary>
    public OnnxNodeBuilder AddGemm(string name, string a, Tensor b, Tensor? c, string output, bool transB = true)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentException.ThrowIfNullOrEmpty(a);
        ArgumentNullException.ThrowIfNull(b);
        ArgumentException.ThrowIfNullOrEmpty(output);
        OnnxNodeBuilder node = AddNode("Gemm", Inputs(a, Weight(name, "W", b), Weight(name, "B", c)), [output], name);
        if (transB)
        {
            node.WithAttribute("transB", 1L);
        }

        return node;
    }

    /// <summary>Adds Y = A * B with B as initializer <c>&lt;name&gt;.W</c>.</summary>
    public OnnxNodeBuilder AddMatMul(string name, string a, Tensor b, string output)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentException.ThrowIfNullOrEmpty(a);
        ArgumentNullException.ThrowIfNull(b);
        ArgumentException.ThrowIfNullOrEmpty(output);
        return AddNode("MatMul", [a, Weight(name, "W", b)!], [output], name);
    }

    /// <summary>Serializes the model.</summary>
    public byte[] ToBytes() => BuildModel().ToByteArray();

    /// <summary>Writes the model atomically: a temporary file in the same folder, flushed to disk, then renamed.</summary>
    public void Save(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        AtomicFile.WriteAllBytes(path, ToBytes());
    }

    internal ModelProto BuildModel()
    {
        var model = new ModelProto
        {
            IrVersion = IrVersionFor(_opset),
            ProducerName = ProducerName ?? "",
            ProducerVersion = ProducerVersion ?? "",
            Graph = _graph.Clone(),
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = _opset });
        var domains = new Dictionary<string, long>(_extraOpsets, StringComparer.Ordinal);
        foreach (NodeProto node in _graph.Node)
        {
            if (node.Domain.Length != 0 && node.Domain != "ai.onnx")
            {
                domains.TryAdd(node.Domain, 1);
            }
        }

        foreach (KeyValuePair<string, long> domain in domains)
        {
            model.OpsetImport.Add(new OperatorSetIdProto { Domain = domain.Key, Version = domain.Value });
        }

        foreach (KeyValuePair<string, string> kv in _metadata)
        {
            model.MetadataProps.Add(new StringStringEntryProto { Key = kv.Key, Value = kv.Value });
        }

        return model;
    }

    private OnnxNodeBuilder Recurrent(RecurrentCellKind cell, string name, string[] inputs, string[] outputs, int hiddenSize, string direction, int layout)
    {
        OnnxNodeBuilder node = AddNode(RecurrentCell.For(cell).OpType, inputs, outputs, name).WithAttribute("hidden_size", (long)hiddenSize);
        if (direction != "forward")
        {
            node.WithAttribute("direction", direction);
        }

        if (layout != 0)
        {
            node.WithAttribute("layout", (long)layout);
        }

        return node;
    }

    private string? Weight(string node, string suffix, Tensor? tensor)
    {
        if (tensor is null)
        {
            return null;
        }

        string name = $"{node}.{suffix}";
        AddInitializer(name, tensor);
        return name;
    }

    private static string[] Inputs(params string?[] inputs)
    {
        int count = inputs.Length;
        while (count > 0 && string.IsNullOrEmpty(inputs[count - 1]))
        {
            count--;
        }

        string[] result = new string[count];
        for (int i = 0; i < count; i++)
        {
            result[i] = inputs[i] ?? "";
        }

        return result;
    }

    private void AddValueName(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (!_valueNames.Add(name))
        {
            throw new ArgumentException($"A value named '{name}' is already defined (input, initializer or node output).", nameof(name));
        }
    }

    private static ValueInfoProto ValueInfo(string name, TensorElementType type, OnnxDimension[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (type is TensorElementType.Undefined or TensorElementType.Float16 || !Enum.IsDefined(type))
        {
            // Float16 is constant storage (initializers), never a graph input or output: the reader refuses those.
            throw new ArgumentException($"{type} is not a supported element type for a graph input or output.", nameof(type));
        }

        var tensorType = new TypeProto.Types.Tensor { ElemType = (int)type };
        if (shape.Length > 0)
        {
            tensorType.Shape = new TensorShapeProto();
            foreach (OnnxDimension d in shape)
            {
                var dim = new TensorShapeProto.Types.Dimension();
                if (d.IsKnown)
                {
                    dim.DimValue = d.Value;
                }
                else if (d.Param is not null)
                {
                    dim.DimParam = d.Param;
                }

                tensorType.Shape.Dim.Add(dim);
            }
        }

        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = tensorType } };
    }

    private static long IrVersionFor(int opset) => opset switch
    {
        <= 8 => 3,
        9 => 4,
        10 => 5,
        11 => 6,
        <= 14 => 7,
        <= 18 => 8,
        <= 20 => 9,
        _ => 10,
    };
}
