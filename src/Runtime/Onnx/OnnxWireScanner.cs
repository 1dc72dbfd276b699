namespace EdgeRnn.Runtime.Onnx;

/// <summary>
/// A pre-parse pass over the protobuf wire format of a ModelProto that enforces the count limits of
/// <see cref="ModelLoadOptions"/> (nodes, initializers, inputs, outputs, attributes, attribute values, metadata,
/// ranks) and charges the <see cref="LoadBudget"/> with the memory the generated parser would allocate, before the
/// parser runs: a few bytes per empty message or string would otherwise let a small file allocate gigabytes.
/// </summary>
/// <remarks>
/// It reads the wire data the way Google.Protobuf does: tags and lengths are 32-bit varints whose extra bytes are
/// discarded, and a singular message field that appears several times is merged (two <c>graph</c> fields make one
/// graph, so their nodes and initializers are counted together). The memory estimate follows the objects the parser
/// makes for each field of the onnx.proto subset EdgeRnn compiles (unknown fields are discarded, so they cost nothing)
/// and is an upper bound: strings at two bytes a character, repeated fields at the cumulative size of their growing
/// arrays. Malformed wire data simply stops the scan and is left to the real parser to report.
/// </remarks>
internal ref struct OnnxWireScanner
{
    private const int WireVarint = 0;
    private const int WireFixed64 = 1;
    private const int WireLengthDelimited = 2;
    private const int WireStartGroup = 3;
    private const int WireEndGroup = 4;
    private const int WireFixed32 = 5;

    /// <summary>A reference in a repeated field's array, counting the arrays it grows through (up to 4 x 8 bytes).</summary>
    private const int ReferenceSlotBytes = 32;

    /// <summary>Repeated scalars read one by one grow their array by doubling: up to 4 times the final size in all.</summary>
    private const int GrowthFactor = 4;

    private readonly ModelLoadOptions _o;
    private readonly string _source;
    private readonly LoadBudget _budget;
    private long _nodeIndex;
    private int _graphFields;
    private int _nodes;
    private int _initializers;
    private int _inputs;
    private int _outputs;
    private int _valueInfos;

    private OnnxWireScanner(ModelLoadOptions options, string sourceName, LoadBudget budget)
    {
        _o = options;
        _source = sourceName;
        _budget = budget;
    }

    /// <summary>The kinds of message in onnx.proto, for the memory estimate.</summary>
    private enum MessageKind : byte
    {
        Model,
        Graph,
        Node,
        Attribute,
        ValueInfo,
        Tensor,
        Segment,
        SparseTensor,
        StringEntry,
        OperatorSetId,
        Type,
        TypeTensor,
        TypeSequence,
        TypeMap,
        TensorShape,
        Dimension,
    }

    /// <summary>How a field of onnx.proto is stored once parsed.</summary>
    private enum FieldKind : byte
    {
        /// <summary>A scalar held in its message, or a field the compiled subset does not know (discarded).</summary>
        Inline,
        String,
        Bytes,
        Message,
        RepeatedString,
        RepeatedBytes,
        RepeatedMessage,
        RepeatedFixed32,
        RepeatedFixed64,
        RepeatedVarint32,
        RepeatedVarint64,
    }

    /// <summary>
    /// Throws <see cref="ModelFormatException"/> when a count limit is exceeded or when parsing the model would allocate
    /// more than <paramref name="budget"/> has left (which it then charges).
    /// </summary>
    public static void CheckModel(ReadOnlySpan<byte> bytes, ModelLoadOptions options, string sourceName, LoadBudget budget)
    {
        CheckTopLevel(bytes, sourceName, "ONNX model");
        var scanner = new OnnxWireScanner(options, sourceName, budget);
        scanner.ScanModel(bytes);
    }

    /// <summary>
    /// Refuses a file whose outermost message is cut short or malformed before anything is parsed. The parser reads a
    /// field that runs past the end of the file as a stream until the data ends, building everything in it, and this
    /// scanner cannot count what it cannot see (a 4 MB file cut 16 bytes short reached 789 MB); every such file fails
    /// to parse anyway. Nested messages need no such check: the parser refuses a nested field longer than its parent
    /// before reading it.
    /// </summary>
    private static void CheckTopLevel(ReadOnlySpan<byte> bytes, string sourceName, string what)
    {
        var reader = new FieldReader(bytes);
        while (reader.MoveNext())
        {
        }

        if (reader.Stopped)
        {
            throw new ModelFormatException(
                $"{sourceName} is not a valid {what}: the protobuf data is truncated at byte {bytes.Length} or corrupt (the field that starts at byte "
                + $"{reader.FieldStart} has a malformed tag or length, or runs past the end of the data; the file may be cut short or corrupt)");
        }
    }

    /// <summary>
    /// Checks a file holding one TensorProto (ONNX test data): its rank, and the memory parsing it would allocate, which
    /// is charged to <paramref name="budget"/>.
    /// </summary>
    public static void CheckTensorFile(ReadOnlySpan<byte> bytes, ModelLoadOptions options, string sourceName, LoadBudget budget)
    {
        CheckTopLevel(bytes, sourceName, "ONNX tensor file");
        var scanner = new OnnxWireScanner(options, sourceName, budget);
        scanner.ScanTensor(bytes, "the tensor");
        long cost = Estimate(MessageKind.Tensor, bytes, 1);
        if (!budget.TryCharge(cost))
        {
            throw budget.Exceeded(cost, "parsing the tensor");
        }
    }

    /// <summary>The bytes Google.Protobuf allocates (at most) to parse a ModelProto from <paramref name="data"/>.</summary>
    internal static long EstimateModel(ReadOnlySpan<byte> data) => Estimate(MessageKind.Model, data, 1);

    private void ScanModel(ReadOnlySpan<byte> data)
    {
        Charge(BaseBytes(MessageKind.Model), "the model");
        int metadata = 0, opsets = 0;
        long metadataBytes = 0;
        foreach (Field f in new FieldReader(data))
        {
            switch (f.Number)
            {
                case 7 when f.Wire == WireLengthDelimited:
                    // Protobuf merges every 'graph' field into one graph: scan them all, counting into the same totals.
                    if (++_graphFields == 1)
                    {
                        Charge(BaseBytes(MessageKind.Graph), "the graph");
                    }

                    ScanGraph(f.Payload);
                    break;
                case 8:
                    Count(ref opsets, _o.MaxInputsOutputs, "opset imports", "MaxInputsOutputs");
                    Charge(FieldBytes(MessageKind.Model, f, 1), "an opset import");
                    break;
                case 14:
                    Count(ref metadata, _o.MaxMetadataEntries, "metadata entries", "MaxMetadataEntries");
                    metadataBytes += f.Payload.Length;
                    if (metadataBytes > _o.MaxMetadataBytes)
                    {
                        throw new ModelFormatException(
                            $"{_source}: metadata entry #{metadata - 1}{MetadataKeyLabel(f.Payload)} brings the metadata to {metadataBytes} bytes; the limit is {_o.MaxMetadataBytes} (ModelLoadOptions.MaxMetadataBytes).");
                    }

                    if (!_budget.TryCharge(FieldBytes(MessageKind.Model, f, 1)))
                    {
                        throw _budget.Exceeded(FieldBytes(MessageKind.Model, f, 1), $"metadata entry #{metadata - 1}{MetadataKeyLabel(f.Payload)}");
                    }

                    break;
                default:
                    Charge(FieldBytes(MessageKind.Model, f, 1), "the model's fields");
                    break;
            }
        }
    }

    private void ScanGraph(ReadOnlySpan<byte> data)
    {
        int valueInfoLimit = (int)Math.Min(int.MaxValue, 4L * _o.MaxNodes + _o.MaxInputsOutputs);
        foreach (Field f in new FieldReader(data))
        {
            switch (f.Number)
            {
                case 1:
                    CountGraph(ref _nodes, _o.MaxNodes, "nodes", "MaxNodes");
                    if (f.Wire == WireLengthDelimited)
                    {
                        ScanNode(f.Payload);
                    }

                    break;
                case 5:
                case 15:
                    CountGraph(ref _initializers, _o.MaxInitializers, "initializers", "MaxInitializers");
                    if (f.Wire == WireLengthDelimited)
                    {
                        if (f.Number == 5)
                        {
                            ScanTensor(f.Payload, "initializer");
                        }

                        long bytes = FieldBytes(MessageKind.Graph, f, 2);
                        if (!_budget.TryCharge(bytes))
                        {
                            throw _budget.Exceeded(bytes, f.Number == 5 ? $"initializer{NameLabel(f.Payload, 8)}" : "a sparse initializer");
                        }
                    }

                    break;
                case 11:
                    CountGraph(ref _inputs, _o.MaxInputsOutputs, "graph inputs", "MaxInputsOutputs");
                    ScanValueInfo(f, "a graph input");
                    break;
                case 12:
                    CountGraph(ref _outputs, _o.MaxInputsOutputs, "graph outputs", "MaxInputsOutputs");
                    ScanValueInfo(f, "a graph output");
                    break;
                case 13:
                    CountGraph(ref _valueInfos, valueInfoLimit, "value_info entries", "MaxNodes (value_info may hold 4 x MaxNodes + MaxInputsOutputs entries)");
                    ScanValueInfo(f, "a value_info entry");
                    break;
                default:
                    Charge(FieldBytes(MessageKind.Graph, f, 2), "the graph's fields");
                    break;
            }
        }
    }

    private void ScanNode(ReadOnlySpan<byte> data)
    {
        long index = _nodeIndex++;
        int inputs = 0, outputs = 0, attributes = 0;
        ReadOnlySpan<byte> name = default;
        long bytes = ReferenceSlotBytes + BaseBytes(MessageKind.Node);
        foreach (Field f in new FieldReader(data))
        {
            if (f.Number == 3 && f.Wire == WireLengthDelimited)
            {
                name = f.Payload; // the last one wins, as in the parser
            }
        }

        foreach (Field f in new FieldReader(data))
        {
            switch (f.Number)
            {
                case 1:
                    inputs++;
                    break;
                case 2:
                    outputs++;
                    break;
                case 5:
                    if (++attributes <= _o.MaxAttributesPerNode && f.Wire == WireLengthDelimited)
                    {
                        ScanAttribute(f.Payload, index, name);
                    }

                    continue;
            }

            bytes = LoadBudget.Add(bytes, FieldBytes(MessageKind.Node, f, 3));
        }

        if (inputs > _o.MaxInputsOutputs || outputs > _o.MaxInputsOutputs || attributes > _o.MaxAttributesPerNode)
        {
            string label = NodeLabel(index, name);
            CheckNodeCount(inputs, _o.MaxInputsOutputs, $"inputs on {label}", "MaxInputsOutputs");
            CheckNodeCount(outputs, _o.MaxInputsOutputs, $"outputs on {label}", "MaxInputsOutputs");
            CheckNodeCount(attributes, _o.MaxAttributesPerNode, $"attributes on {label}", "MaxAttributesPerNode");
        }

        if (!_budget.TryCharge(bytes))
        {
            throw _budget.Exceeded(bytes, NodeLabel(index, name));
        }
    }

    private readonly void CheckNodeCount(int count, int limit, string what, string option)
    {
        if (count > limit)
        {
            throw Error($"there are {count} {what}; the limit is {limit} (ModelLoadOptions.{option})");
        }
    }

    private readonly void ScanAttribute(ReadOnlySpan<byte> data, long nodeIndex, ReadOnlySpan<byte> nodeName)
    {
        int tensors = 0;
        long tensorDims = 0;
        long floats = 0, ints = 0, strings = 0;
        ReadOnlySpan<byte> name = default;
        foreach (Field f in new FieldReader(data))
        {
            switch (f.Number)
            {
                case 1 when f.Wire == WireLengthDelimited:
                    name = f.Payload;
                    break;
                case 6:
                case 11:
                    throw Error($"node #{nodeIndex} has an attribute holding a subgraph; If/Loop/Scan subgraphs are not supported");
                case 5 when f.Wire == WireLengthDelimited:
                    // A singular TensorProto: several 't' fields merge into one tensor, their dims concatenated.
                    tensorDims += CountDims(f.Payload);
                    if (tensorDims > _o.MaxRank)
                    {
                        throw Error($"a tensor attribute of {NodeLabel(nodeIndex, nodeName)} has rank {tensorDims}; the limit is {_o.MaxRank} (ModelLoadOptions.MaxRank)");
                    }

                    break;
                case 7:
                    floats += f.Wire == WireLengthDelimited ? f.Payload.Length / 4 : 1;
                    break;
                case 8:
                    ints += f.Wire == WireLengthDelimited ? CountVarints(f.Payload) : 1;
                    break;
                case 9:
                    strings++;
                    break;
                case 10:
                    if (++tensors > _o.MaxInitializers)
                    {
                        throw Error($"the model has more than {_o.MaxInitializers} tensors in an attribute of node #{nodeIndex}; the limit is {_o.MaxInitializers} (ModelLoadOptions.MaxInitializers)");
                    }

                    if (f.Wire == WireLengthDelimited)
                    {
                        ScanTensor(f.Payload, $"a tensor attribute of node #{nodeIndex}");
                    }

                    break;
            }
        }

        long values = Math.Max(floats, Math.Max(ints, strings));
        if (values > _o.MaxTensorElements)
        {
            throw Error($"{AttributeLabel(nodeIndex, nodeName, name)} holds {values} values; the limit is {_o.MaxTensorElements} (ModelLoadOptions.MaxTensorElements)");
        }

        long bytes = ReferenceSlotBytes + Estimate(MessageKind.Attribute, data, 4);
        if (!_budget.TryCharge(bytes))
        {
            string holds = strings > 0 ? $", which holds {strings} strings," : ints > 0 ? $", which holds {ints} ints," : floats > 0 ? $", which holds {floats} floats," : "";
            throw _budget.Exceeded(bytes, $"reading {AttributeLabel(nodeIndex, nodeName, name)}{holds}");
        }
    }

    private readonly void ScanTensor(ReadOnlySpan<byte> data, string what)
    {
        long dims = CountDims(data);
        if (dims > _o.MaxRank)
        {
            string? name = null;
            foreach (Field f in new FieldReader(data))
            {
                if (f.Number == 8 && f.Wire == WireLengthDelimited)
                {
                    name = DecodeName(f.Payload);
                }
            }

            string label = name is null ? what : $"{what} '{name}'";
            throw Error($"{label} has rank {dims}; the limit is {_o.MaxRank} (ModelLoadOptions.MaxRank)");
        }
    }

    /// <summary>The number of dims a TensorProto declares (packed or not).</summary>
    private static long CountDims(ReadOnlySpan<byte> tensor)
    {
        long dims = 0;
        foreach (Field f in new FieldReader(tensor))
        {
            if (f.Number == 1)
            {
                dims += f.Wire == WireLengthDelimited ? CountVarints(f.Payload) : 1;
            }
        }

        return dims;
    }

    private readonly void ScanValueInfo(Field field, string what)
    {
        if (field.Wire != WireLengthDelimited)
        {
            return;
        }

        // type, tensor_type and shape are singular messages: repeated ones merge, and their dims add up.
        int dims = 0;
        foreach (Field type in new FieldReader(field.Payload))
        {
            if (type.Number != 2 || type.Wire != WireLengthDelimited)
            {
                continue;
            }

            foreach (Field tensor in new FieldReader(type.Payload))
            {
                if (tensor.Number != 1 || tensor.Wire != WireLengthDelimited)
                {
                    continue;
                }

                foreach (Field shape in new FieldReader(tensor.Payload))
                {
                    if (shape.Number != 2 || shape.Wire != WireLengthDelimited)
                    {
                        continue;
                    }

                    foreach (Field dim in new FieldReader(shape.Payload))
                    {
                        if (dim.Number == 1 && ++dims > _o.MaxRank)
                        {
                            throw Error($"{what} has a shape of rank {dims} or more; the limit is {_o.MaxRank} (ModelLoadOptions.MaxRank)");
                        }
                    }
                }
            }
        }

        long bytes = FieldBytes(MessageKind.Graph, field, 2);
        if (!_budget.TryCharge(bytes))
        {
            throw _budget.Exceeded(bytes, $"{what}{NameLabel(field.Payload, 1)}");
        }
    }

    private readonly void Count(ref int count, int limit, string what, string option)
    {
        if (++count > limit)
        {
            throw Error($"the model has more than {limit} {what}; the limit is {limit} (ModelLoadOptions.{option})");
        }
    }

    private readonly void CountGraph(ref int count, int limit, string what, string option)
    {
        if (++count > limit)
        {
            string merged = _graphFields > 1 ? $", counted over the {_graphFields} 'graph' fields of the file, which protobuf merges into one graph" : "";
            throw Error($"the model has more than {limit} {what}; the limit is {limit} (ModelLoadOptions.{option}){merged}");
        }
    }

    private readonly void Charge(long bytes, string what)
    {
        if (!_budget.TryCharge(bytes))
        {
            throw _budget.Exceeded(bytes, what);
        }
    }

    private static string NodeLabel(long index, ReadOnlySpan<byte> name) =>
        name.IsEmpty ? $"node #{index}" : $"node '{DecodeName(name)}' (#{index})";

    private static string AttributeLabel(long nodeIndex, ReadOnlySpan<byte> nodeName, ReadOnlySpan<byte> name) =>
        $"{NodeLabel(nodeIndex, nodeName)} attribute '{DecodeName(name)}'";

    private static string MetadataKeyLabel(ReadOnlySpan<byte> entry) => NameLabel(entry, 1);

    /// <summary>" 'name'" from the last string field <paramref name="number"/> of a message, or "" when it has none.</summary>
    private static string NameLabel(ReadOnlySpan<byte> message, int number)
    {
        ReadOnlySpan<byte> name = default;
        bool found = false;
        foreach (Field f in new FieldReader(message))
        {
            if (f.Number == number && f.Wire == WireLengthDelimited)
            {
                name = f.Payload;
                found = true;
            }
        }

        return found ? $" '{DecodeName(name)}'" : "";
    }

    private static string DecodeName(ReadOnlySpan<byte> utf8)
    {
        string name = System.Text.Encoding.UTF8.GetString(utf8[..Math.Min(utf8.Length, 256)]);
        return DisplayText.Sanitize(name, 200) + (utf8.Length > 256 ? "..." : "");
    }

    private readonly ModelFormatException Error(string message) => new($"{_source}: {message}.");

    /// <summary>The number of varints in packed data: bytes with the high bit clear end one.</summary>
    private static long CountVarints(ReadOnlySpan<byte> packed)
    {
        long count = 0;
        foreach (byte b in packed)
        {
            if (b < 0x80)
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>The most bytes the parser allocates for a message of <paramref name="kind"/> at <paramref name="depth"/>.</summary>
    private static long Estimate(MessageKind kind, ReadOnlySpan<byte> data, int depth)
    {
        long bytes = BaseBytes(kind);
        if (depth > OnnxModelReader.RecursionLimit)
        {
            return bytes; // the parser refuses this nesting before it allocates more
        }

        foreach (Field f in new FieldReader(data))
        {
            bytes = LoadBudget.Add(bytes, FieldBytes(kind, f, depth));
        }

        return bytes;
    }

    /// <summary>The most bytes the parser allocates for one occurrence of field <paramref name="f"/> of a <paramref name="parent"/>.</summary>
    private static long FieldBytes(MessageKind parent, Field f, int depth)
    {
        FieldKind kind = Schema(parent, f.Number, out MessageKind child);
        bool delimited = f.Wire == WireLengthDelimited;
        int length = f.Payload.Length;
        return kind switch
        {
            FieldKind.String when delimited => StringBytes(length),
            FieldKind.Bytes when delimited => ByteStringBytes(length),
            FieldKind.Message when delimited => Estimate(child, f.Payload, depth + 1),
            FieldKind.RepeatedString when delimited => ReferenceSlotBytes + StringBytes(length),
            FieldKind.RepeatedBytes when delimited => ReferenceSlotBytes + ByteStringBytes(length),
            FieldKind.RepeatedMessage when delimited => ReferenceSlotBytes + Estimate(child, f.Payload, depth + 1),

            // Packed fixed-size values: the array sized from the length, grown again by later runs, and the packed
            // bytes copied out of the stream when they cross its buffer: three times the length covers it.
            FieldKind.RepeatedFixed32 or FieldKind.RepeatedFixed64 when delimited => 64 + (3L * length),
            FieldKind.RepeatedFixed32 when f.Wire == WireFixed32 => GrowthFactor * 4,
            FieldKind.RepeatedFixed64 when f.Wire == WireFixed64 => GrowthFactor * 8,
            FieldKind.RepeatedVarint32 when delimited => CountVarints(f.Payload) * GrowthFactor * 4,
            FieldKind.RepeatedVarint64 when delimited => CountVarints(f.Payload) * GrowthFactor * 8,
            FieldKind.RepeatedVarint32 when f.Wire == WireVarint => GrowthFactor * 4,
            FieldKind.RepeatedVarint64 when f.Wire == WireVarint => GrowthFactor * 8,

            // Scalars live in their message; a known field with another wire type is skipped like an unknown one.
            _ => 0,
        };
    }

    /// <summary>A .NET string of up to <paramref name="utf8Length"/> characters (the empty string is shared).</summary>
    private static long StringBytes(int utf8Length) => utf8Length == 0 ? 0 : Align(22L + (2L * utf8Length));

    /// <summary>
    /// A ByteString and its array (an empty one too). Read from a stream, a field longer than the parser's buffer is
    /// gathered in chunks and then copied into its array: twice its length, and the chunks' headers.
    /// </summary>
    private static long ByteStringBytes(int length) => length == 0 ? 48 : 64 + (2 * Align(24L + length)) + (length / 64);

    private static long Align(long bytes) => (bytes + 7) & ~7L;

    /// <summary>A parsed message object with its (empty) repeated-field objects: 24 bytes + 8 a field + 32 a repeated field.</summary>
    private static long BaseBytes(MessageKind kind) => kind switch
    {
        MessageKind.Model => 24 + (9 * 8) + (2 * 32),
        MessageKind.Graph => 24 + (8 * 8) + (6 * 32),
        MessageKind.Node => 24 + (7 * 8) + (3 * 32),
        MessageKind.Attribute => 24 + (16 * 8) + (6 * 32),
        MessageKind.Tensor => 24 + (15 * 8) + (8 * 32) + 112,
        MessageKind.SparseTensor => 24 + (3 * 8) + 32,
        MessageKind.TensorShape => 24 + 8 + 32,
        _ => 24 + (4 * 8),
    };

    /// <summary>How field <paramref name="number"/> of <paramref name="message"/> is stored (the compiled onnx.proto subset).</summary>
    private static FieldKind Schema(MessageKind message, int number, out MessageKind child)
    {
        child = default;
        switch (message)
        {
            case MessageKind.Model:
                switch (number)
                {
                    case 2 or 3 or 4 or 6: return FieldKind.String;
                    case 7: child = MessageKind.Graph; return FieldKind.Message;
                    case 8: child = MessageKind.OperatorSetId; return FieldKind.RepeatedMessage;
                    case 14: child = MessageKind.StringEntry; return FieldKind.RepeatedMessage;
                }

                break;
            case MessageKind.Graph:
                switch (number)
                {
                    case 1: child = MessageKind.Node; return FieldKind.RepeatedMessage;
                    case 2 or 10: return FieldKind.String;
                    case 5: child = MessageKind.Tensor; return FieldKind.RepeatedMessage;
                    case 15: child = MessageKind.SparseTensor; return FieldKind.RepeatedMessage;
                    case 11 or 12 or 13: child = MessageKind.ValueInfo; return FieldKind.RepeatedMessage;
                }

                break;
            case MessageKind.Node:
                switch (number)
                {
                    case 1 or 2: return FieldKind.RepeatedString;
                    case 3 or 4 or 6 or 7: return FieldKind.String;
                    case 5: child = MessageKind.Attribute; return FieldKind.RepeatedMessage;
                }

                break;
            case MessageKind.Attribute:
                switch (number)
                {
                    case 1 or 13 or 21: return FieldKind.String;
                    case 4: return FieldKind.Bytes;
                    case 5: child = MessageKind.Tensor; return FieldKind.Message;
                    case 6: child = MessageKind.Graph; return FieldKind.Message;
                    case 22: child = MessageKind.SparseTensor; return FieldKind.Message;
                    case 7: return FieldKind.RepeatedFixed32;
                    case 8: return FieldKind.RepeatedVarint64;
                    case 9: return FieldKind.RepeatedBytes;
                    case 10: child = MessageKind.Tensor; return FieldKind.RepeatedMessage;
                    case 11: child = MessageKind.Graph; return FieldKind.RepeatedMessage;
                    case 23: child = MessageKind.SparseTensor; return FieldKind.RepeatedMessage;
                }

                break;
            case MessageKind.ValueInfo:
                switch (number)
                {
                    case 1 or 3: return FieldKind.String;
                    case 2: child = MessageKind.Type; return FieldKind.Message;
                }

                break;
            case MessageKind.Tensor:
                switch (number)
                {
                    case 1 or 7 or 11: return FieldKind.RepeatedVarint64;
                    case 3: child = MessageKind.Segment; return FieldKind.Message;
                    case 4: return FieldKind.RepeatedFixed32;
                    case 5: return FieldKind.RepeatedVarint32;
                    case 6: return FieldKind.RepeatedBytes;
                    case 8 or 12: return FieldKind.String;
                    case 9: return FieldKind.Bytes;
                    case 10: return FieldKind.RepeatedFixed64;
                    case 13: child = MessageKind.StringEntry; return FieldKind.RepeatedMessage;
                }

                break;
            case MessageKind.SparseTensor:
                switch (number)
                {
                    case 1 or 2: child = MessageKind.Tensor; return FieldKind.Message;
                    case 3: return FieldKind.RepeatedVarint64;
                }

                break;
            case MessageKind.StringEntry:
                return number is 1 or 2 ? FieldKind.String : FieldKind.Inline;
            case MessageKind.OperatorSetId:
                return number == 1 ? FieldKind.String : FieldKind.Inline;
            case MessageKind.Type:
                switch (number)
                {
                    case 1: child = MessageKind.TypeTensor; return FieldKind.Message;
                    case 4: child = MessageKind.TypeSequence; return FieldKind.Message;
                    case 5: child = MessageKind.TypeMap; return FieldKind.Message;
                    case 6: return FieldKind.String;
                }

                break;
            case MessageKind.TypeTensor:
                child = MessageKind.TensorShape;
                return number == 2 ? FieldKind.Message : FieldKind.Inline;
            case MessageKind.TypeSequence:
                child = MessageKind.Type;
                return number == 1 ? FieldKind.Message : FieldKind.Inline;
            case MessageKind.TypeMap:
                child = MessageKind.Type;
                return number == 2 ? FieldKind.Message : FieldKind.Inline;
            case MessageKind.TensorShape:
                child = MessageKind.Dimension;
                return number == 1 ? FieldKind.RepeatedMessage : FieldKind.Inline;
            case MessageKind.Dimension:
                return number is 2 or 3 ? FieldKind.String : FieldKind.Inline;
        }

        return FieldKind.Inline;
    }

    private readonly ref struct Field
    {
        public Field(int number, int wire, ReadOnlySpan<byte> payload)
        {
            Number = number;
            Wire = wire;
            Payload = payload;
        }

        public int Number { get; }

        public int Wire { get; }

        /// <summary>The bytes of a length-delimited field; empty for other wire types.</summary>
        public ReadOnlySpan<byte> Payload { get; }
    }

    /// <summary>
    /// Enumerates the top-level fields of one message; stops at malformed data (<see cref="Stopped"/> then says where),
    /// which nested messages leave to the parser to report.
    /// </summary>
    private ref struct FieldReader
    {
        private readonly ReadOnlySpan<byte> _data;
        private int _position;

        public FieldReader(ReadOnlySpan<byte> data)
        {
            _data = data;
            _position = 0;
            Current = default;
            FieldStart = 0;
            Stopped = false;
        }

        public Field Current { get; private set; }

        /// <summary>Where the last field read (or the one that could not be read) starts.</summary>
        public int FieldStart { get; private set; }

        /// <summary>Whether reading stopped before the end of the data: a malformed tag, length or group, or a field running past the end.</summary>
        public bool Stopped { get; private set; }

        public readonly FieldReader GetEnumerator() => this;

        public bool MoveNext()
        {
            FieldStart = _position;
            if (_position >= _data.Length)
            {
                return false;
            }

            bool read = ReadField();
            Stopped = !read;
            return read;
        }

        private bool ReadField()
        {
            // Tags are 32-bit varints to the parser: up to 10 bytes, the bits past 32 discarded.
            if (_position >= _data.Length || !TryReadVarint(out ulong rawTag))
            {
                return false;
            }

            uint tag = (uint)rawTag;
            int wire = (int)(tag & 7);
            uint number = tag >> 3;
            if (number == 0)
            {
                return false;
            }

            switch (wire)
            {
                case WireVarint:
                    if (!TryReadVarint(out _))
                    {
                        return false;
                    }

                    Current = new Field((int)number, wire, default);
                    return true;
                case WireFixed64:
                case WireFixed32:
                    int size = wire == WireFixed64 ? 8 : 4;
                    if (_data.Length - _position < size)
                    {
                        return false;
                    }

                    _position += size;
                    Current = new Field((int)number, wire, default);
                    return true;
                case WireLengthDelimited:
                    if (!TryReadLength(out int length))
                    {
                        return false;
                    }

                    Current = new Field((int)number, wire, _data.Slice(_position, length));
                    _position += length;
                    return true;
                case WireStartGroup:
                    // Deprecated groups can only be unknown fields here; skip them so they cannot hide what follows.
                    if (!SkipGroup((int)number, 0))
                    {
                        return false;
                    }

                    Current = new Field((int)number, wire, default);
                    return true;
                default:
                    // End-group without a start and invalid wire types: leave them to the parser to report.
                    return false;
            }
        }

        private bool SkipGroup(int number, int depth)
        {
            if (depth > OnnxModelReader.RecursionLimit)
            {
                return false;
            }

            while (_position < _data.Length)
            {
                if (!TryReadVarint(out ulong rawTag))
                {
                    return false;
                }

                uint tag = (uint)rawTag;
                int wire = (int)(tag & 7);
                int inner = (int)(tag >> 3);
                bool ok = wire switch
                {
                    WireVarint => TryReadVarint(out _),
                    WireFixed64 => Skip(8),
                    WireFixed32 => Skip(4),
                    WireLengthDelimited => TryReadLength(out int length) && Skip(length),
                    WireStartGroup => inner != 0 && SkipGroup(inner, depth + 1),
                    WireEndGroup => inner == number,
                    _ => false,
                };
                if (!ok)
                {
                    return false;
                }

                if (wire == WireEndGroup)
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>A length as the parser reads it: a 32-bit varint (extra bytes discarded) that must not be negative.</summary>
        private bool TryReadLength(out int length)
        {
            length = 0;
            if (!TryReadVarint(out ulong raw))
            {
                return false;
            }

            int value = (int)(uint)raw;
            if (value < 0 || value > _data.Length - _position)
            {
                return false;
            }

            length = value;
            return true;
        }

        private bool Skip(int count)
        {
            if (_data.Length - _position < count)
            {
                return false;
            }

            _position += count;
            return true;
        }

        private bool TryReadVarint(out ulong value)
        {
            value = 0;
            for (int shift = 0; shift < 64 && _position < _data.Length; shift += 7)
            {
                byte b = _data[_position++];
                value |= (ulong)(b & 0x7F) << shift;

                if (b < 0x80)
                {
                    return true;
                }
            }

            return false;
        }
    }
}
