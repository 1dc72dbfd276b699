namespace EdgeRnn.Runtime.Onnx;

/// <summary>
/// A pre-parse pass over the protobuf wire format of a ModelProto that enforces the count limits of
/// <see cref="ModelLoadOptions"/> (nodes, initializers, inputs, outputs, attributes, metadata, ranks) before the
/// generated parser allocates objects for them: a few bytes per empty message would otherwise let a 256 MiB file
/// allocate gigabytes. It walks only the fields that repeat; malformed wire data simply stops the scan and is left
/// to the real parser to report.
/// </summary>
internal ref struct OnnxWireScanner
{
    private const int WireVarint = 0;
    private const int WireFixed64 = 1;
    private const int WireLengthDelimited = 2;
    private const int WireStartGroup = 3;
    private const int WireEndGroup = 4;
    private const int WireFixed32 = 5;

    private readonly ModelLoadOptions _o;
    private readonly string _source;
    private int _depth;
    private long _nodeIndex;

    private OnnxWireScanner(ModelLoadOptions options, string sourceName)
    {
        _o = options;
        _source = sourceName;
    }

    /// <summary>Throws <see cref="ModelFormatException"/> when a count limit is exceeded.</summary>
    public static void CheckModel(ReadOnlySpan<byte> bytes, ModelLoadOptions options, string sourceName)
    {
        var scanner = new OnnxWireScanner(options, sourceName);
        scanner.ScanModel(bytes);
    }

    private void ScanModel(ReadOnlySpan<byte> data)
    {
        int metadata = 0, opsets = 0;
        foreach (Field f in new FieldReader(data))
        {
            switch (f.Number)
            {
                case 7 when f.Wire == WireLengthDelimited:
                    ScanGraph(f.Payload);
                    break;
                case 8:
                    Count(ref opsets, _o.MaxInputsOutputs, "opset imports", "MaxInputsOutputs");
                    break;
                case 14:
                    Count(ref metadata, _o.MaxMetadataEntries, "metadata entries", "MaxMetadataEntries");
                    break;
            }
        }
    }

    private void ScanGraph(ReadOnlySpan<byte> data)
    {
        if (++_depth > 1)
        {
            return; // nested graphs are refused by the validator; the parser bounds their depth
        }

        int nodes = 0, initializers = 0, inputs = 0, outputs = 0, valueInfos = 0;
        int valueInfoLimit = (int)Math.Min(int.MaxValue, 4L * _o.MaxNodes + _o.MaxInputsOutputs);
        foreach (Field f in new FieldReader(data))
        {
            switch (f.Number)
            {
                case 1:
                    Count(ref nodes, _o.MaxNodes, "nodes", "MaxNodes");
                    if (f.Wire == WireLengthDelimited)
                    {
                        ScanNode(f.Payload);
                    }

                    break;
                case 5:
                case 15:
                    Count(ref initializers, _o.MaxInitializers, "initializers", "MaxInitializers");
                    if (f.Wire == WireLengthDelimited && f.Number == 5)
                    {
                        ScanTensor(f.Payload, "initializer");
                    }

                    break;
                case 11:
                    Count(ref inputs, _o.MaxInputsOutputs, "graph inputs", "MaxInputsOutputs");
                    ScanValueInfo(f, "a graph input");
                    break;
                case 12:
                    Count(ref outputs, _o.MaxInputsOutputs, "graph outputs", "MaxInputsOutputs");
                    ScanValueInfo(f, "a graph output");
                    break;
                case 13:
                    Count(ref valueInfos, valueInfoLimit, "value_info entries", "MaxNodes (value_info may hold 4 x MaxNodes + MaxInputsOutputs entries)");
                    ScanValueInfo(f, "a value_info entry");
                    break;
            }
        }
    }

    private void ScanNode(ReadOnlySpan<byte> data)
    {
        long index = _nodeIndex++;
        int inputs = 0, outputs = 0, attributes = 0;
        string? name = null;
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
                case 3 when f.Wire == WireLengthDelimited:
                    name = DecodeName(f.Payload);
                    break;
                case 5:
                    if (++attributes <= _o.MaxAttributesPerNode && f.Wire == WireLengthDelimited)
                    {
                        ScanAttribute(f.Payload, index);
                    }

                    break;
            }
        }

        string label = string.IsNullOrEmpty(name) ? $"node #{index}" : $"node '{name}' (#{index})";
        CheckNodeCount(inputs, _o.MaxInputsOutputs, $"inputs on {label}", "MaxInputsOutputs");
        CheckNodeCount(outputs, _o.MaxInputsOutputs, $"outputs on {label}", "MaxInputsOutputs");
        CheckNodeCount(attributes, _o.MaxAttributesPerNode, $"attributes on {label}", "MaxAttributesPerNode");
    }

    private readonly void CheckNodeCount(int count, int limit, string what, string option)
    {
        if (count > limit)
        {
            throw Error($"there are {count} {what}; the limit is {limit} (ModelLoadOptions.{option})");
        }
    }

    private void ScanAttribute(ReadOnlySpan<byte> data, long nodeIndex)
    {
        int tensors = 0;
        foreach (Field f in new FieldReader(data))
        {
            switch (f.Number)
            {
                case 6:
                case 11:
                    throw Error($"node #{nodeIndex} has an attribute holding a subgraph; If/Loop/Scan subgraphs are not supported");
                case 5 when f.Wire == WireLengthDelimited:
                    ScanTensor(f.Payload, $"a tensor attribute of node #{nodeIndex}");
                    break;
                case 10:
                    Count(ref tensors, _o.MaxInitializers, $"tensors in an attribute of node #{nodeIndex}", "MaxInitializers");
                    if (f.Wire == WireLengthDelimited)
                    {
                        ScanTensor(f.Payload, $"a tensor attribute of node #{nodeIndex}");
                    }

                    break;
            }
        }
    }

    private readonly void ScanTensor(ReadOnlySpan<byte> data, string what)
    {
        int dims = 0;
        string? name = null;
        foreach (Field f in new FieldReader(data))
        {
            if (f.Number == 8 && f.Wire == WireLengthDelimited)
            {
                name = DecodeName(f.Payload);
            }
            else if (f.Number == 1 && f.Wire == WireLengthDelimited)
            {
                // Packed dims: count the varints (bytes with the high bit clear end one).
                foreach (byte b in f.Payload)
                {
                    if (b < 0x80)
                    {
                        dims++;
                    }
                }
            }
            else if (f.Number == 1)
            {
                dims++;
            }
        }

        if (dims > _o.MaxRank)
        {
            string label = name is null ? what : $"{what} '{name}'";
            throw Error($"{label} has rank {dims}; the limit is {_o.MaxRank} (ModelLoadOptions.MaxRank)");
        }
    }

    private readonly void ScanValueInfo(Field field, string what)
    {
        if (field.Wire != WireLengthDelimited)
        {
            return;
        }

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

                    int dims = 0;
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
    }

    private readonly void Count(ref int count, int limit, string what, string option)
    {
        if (++count > limit)
        {
            throw Error($"the model has more than {limit} {what}; the limit is {limit} (ModelLoadOptions.{option})");
        }
    }

    private static string DecodeName(ReadOnlySpan<byte> utf8)
    {
        string name = System.Text.Encoding.UTF8.GetString(utf8[..Math.Min(utf8.Length, 256)]);
        return utf8.Length > 256 ? name + "..." : name;
    }

    private readonly ModelFormatException Error(string message) => new($"{_source}: {message}.");

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

    /// <summary>Enumerates the top-level fields of one message; stops silently at malformed data.</summary>
    private ref struct FieldReader
    {
        private readonly ReadOnlySpan<byte> _data;
        private int _position;

        public FieldReader(ReadOnlySpan<byte> data)
        {
            _data = data;
            _position = 0;
            Current = default;
        }

        public Field Current { get; private set; }

        public readonly FieldReader GetEnumerator() => this;

        public bool MoveNext()
        {
            if (_position >= _data.Length || !TryReadVarint(out ulong tag))
            {
                return false;
            }

            int wire = (int)(tag & 7);
            ulong number = tag >> 3;
            if (number is 0 or > int.MaxValue)
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
                    if (!TryReadVarint(out ulong length) || length > (ulong)(_data.Length - _position))
                    {
                        return false;
                    }

                    Current = new Field((int)number, wire, _data.Slice(_position, (int)length));
                    _position += (int)length;
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
                if (!TryReadVarint(out ulong tag))
                {
                    return false;
                }

                int wire = (int)(tag & 7);
                ulong inner = tag >> 3;
                bool ok = wire switch
                {
                    WireVarint => TryReadVarint(out _),
                    WireFixed64 => Skip(8),
                    WireFixed32 => Skip(4),
                    WireLengthDelimited => TryReadVarint(out ulong length) && length <= (ulong)(_data.Length - _position) && Skip((int)length),
                    WireStartGroup => inner <= int.MaxValue && SkipGroup((int)inner, depth + 1),
                    WireEndGroup => inner == (ulong)number,
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
