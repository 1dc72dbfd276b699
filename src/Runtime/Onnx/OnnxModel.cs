namespace EdgeRnn.Runtime.Onnx;

/// <summary>
/// A validated, immutable, protobuf-free view of an ONNX model, produced by <see cref="OnnxModelReader"/>.
/// Every node input is defined before use, every graph output is produced, names are unique, and all tensors are
/// within the <see cref="ModelLoadOptions"/> limits.
/// </summary>
internal sealed class OnnxModel
{
    public OnnxModel(long irVersion, string producerName, string producerVersion, IReadOnlyDictionary<string, long> opsets,
        int onnxOpset, IReadOnlyList<OnnxValueInfo> inputs, IReadOnlyList<OnnxValueInfo> outputs,
        IReadOnlyDictionary<string, Tensor> initializers, IReadOnlyList<OnnxNode> nodes,
        IReadOnlyDictionary<string, string> metadata, string graphName, string sourceName, long loadedBytes)
    {
        IrVersion = irVersion;
        ProducerName = producerName;
        ProducerVersion = producerVersion;
        Opsets = opsets;
        OnnxOpset = onnxOpset;
        Inputs = inputs;
        Outputs = outputs;
        Initializers = initializers;
        Nodes = nodes;
        Metadata = metadata;
        GraphName = graphName;
        SourceName = sourceName;
        LoadedBytes = loadedBytes;
    }

    public long IrVersion { get; }

    public string ProducerName { get; }

    public string ProducerVersion { get; }

    /// <summary>Imported opsets by domain; "" is ai.onnx.</summary>
    public IReadOnlyDictionary<string, long> Opsets { get; }

    /// <summary>The imported ai.onnx opset version (14..22).</summary>
    public int OnnxOpset { get; }

    /// <summary>Graph inputs that are not initializers, in file order.</summary>
    public IReadOnlyList<OnnxValueInfo> Inputs { get; }

    public IReadOnlyList<OnnxValueInfo> Outputs { get; }

    public IReadOnlyDictionary<string, Tensor> Initializers { get; }

    /// <summary>The nodes in file order (which the reader has checked is a valid topological order).</summary>
    public IReadOnlyList<OnnxNode> Nodes { get; }

    /// <summary>The model's <c>metadata_props</c>.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    public string GraphName { get; }

    /// <summary>The file name or label the model was read from, for messages.</summary>
    public string SourceName { get; }

    /// <summary>
    /// The bytes reading the model took from its <see cref="LoadBudget"/> (the file, the parsed messages, the tensors):
    /// one budget covers loading and planning, so each plan's budget starts with it.
    /// </summary>
    public long LoadedBytes { get; }

    /// <summary>
    /// The same graph with some graph inputs turned into initializers holding <paramref name="values"/> (which the
    /// caller has checked against the inputs' declared types and shapes).
    /// </summary>
    public OnnxModel WithInputsBound(IReadOnlyDictionary<string, Tensor> values)
    {
        var initializers = new Dictionary<string, Tensor>(Initializers, StringComparer.Ordinal);
        long loadedBytes = LoadedBytes;
        foreach (KeyValuePair<string, Tensor> v in values)
        {
            initializers[v.Key] = v.Value;
            loadedBytes = LoadBudget.Add(loadedBytes, LoadBudget.Multiply(v.Value.Length, OnnxTensorConverter.HeldElementBytes(v.Value.ElementType)));
        }

        return new OnnxModel(IrVersion, ProducerName, ProducerVersion, Opsets, OnnxOpset,
            [.. Inputs.Where(i => !values.ContainsKey(i.Name))], Outputs, initializers, Nodes, Metadata, GraphName, SourceName, loadedBytes);
    }
}
