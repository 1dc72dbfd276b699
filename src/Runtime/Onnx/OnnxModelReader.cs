using System.Collections.ObjectModel;
using EdgeRnn.Runtime.Onnx.Proto;
using Google.Protobuf;

namespace EdgeRnn.Runtime.Onnx;

/// <summary>
/// Reads and validates an ONNX model into an <see cref="OnnxModel"/>. Any input bytes either give a model that
/// passed every check or a <see cref="ModelFormatException"/> that names the source and the offending item.
/// </summary>
internal static class OnnxModelReader
{
    /// <summary>The protobuf nesting limit; real models nest about 7 deep (model, graph, value, type, tensor, shape, dim).</summary>
    public const int RecursionLimit = 32;

    /// <summary>The lowest ai.onnx opset a file may import at all (ONNX's own checker floor for these operators).</summary>
    public const int MinKnownOpset = 7;

    /// <summary>The lowest ai.onnx opset whose operator semantics EdgeRnn implements (LSTM/GRU/RNN layout, opset 14).</summary>
    public const int MinSupportedOpset = 14;

    /// <summary>The highest ai.onnx opset EdgeRnn implements.</summary>
    public const int MaxSupportedOpset = 22;

    /// <summary>Reads a model file; its size is checked against <see cref="ModelLoadOptions.MaxFileBytes"/> before reading.</summary>
    public static OnnxModel ReadFile(string path, ModelLoadOptions options)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(options);
        string sourceName = Path.GetFileName(path);
        byte[] bytes = ReadAllBytesLimited(path, options.MaxFileBytes, sourceName);
        return Read(bytes, options, sourceName);
    }

    /// <summary>Reads a model from memory; <paramref name="sourceName"/> names it in messages.</summary>
    public static OnnxModel Read(byte[] bytes, ModelLoadOptions options, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(sourceName);
        if (bytes.Length > options.MaxFileBytes)
        {
            throw new ModelFormatException(
                $"{sourceName} is {bytes.Length} bytes; the limit is {options.MaxFileBytes} (ModelLoadOptions.MaxFileBytes).");
        }

        if (bytes.Length == 0)
        {
            throw new ModelFormatException($"{sourceName} is not a valid ONNX model: the file is empty.");
        }

        // One budget for the whole read: the file's bytes, the messages the parser makes, the tensors converted from them.
        var budget = new LoadBudget(options.MaxLoadBytes, sourceName);
        budget.Charge(bytes.Length, $"the file's {bytes.Length} bytes");
        OnnxWireScanner.CheckModel(bytes, options, sourceName, budget);
        ModelProto proto = Parse(bytes, ModelProto.Parser, sourceName, "ONNX model");
        return new Validator(options, sourceName, budget).Validate(proto);
    }

    /// <summary>Reads a file whose size is at most <paramref name="maxBytes"/>; refuses larger files before reading.</summary>
    internal static byte[] ReadAllBytesLimited(string path, long maxBytes, string sourceName)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new FileNotFoundException($"The model file '{path}' does not exist.", path);
        }

        if (info.Length > maxBytes)
        {
            throw new ModelFormatException(
                $"{sourceName} is {info.Length} bytes; the limit is {maxBytes} (ModelLoadOptions.MaxFileBytes).");
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        long length = stream.Length;
        if (length > maxBytes)
        {
            throw new ModelFormatException($"{sourceName} is {length} bytes; the limit is {maxBytes} (ModelLoadOptions.MaxFileBytes).");
        }

        byte[] bytes = new byte[length];
        stream.ReadExactly(bytes);
        if (stream.ReadByte() != -1)
        {
            throw new ModelFormatException($"{sourceName} grew while it was being read; the limit is {maxBytes} (ModelLoadOptions.MaxFileBytes).");
        }

        return bytes;
    }

    /// <summary>Parses a message with a small recursion limit; every protobuf failure becomes a <see cref="ModelFormatException"/>.</summary>
    internal static T Parse<T>(byte[] bytes, MessageParser<T> parser, string sourceName, string what)
        where T : IMessage<T>
    {
        using var memory = new MemoryStream(bytes, writable: false);
        using var input = CodedInputStream.CreateWithLimits(memory, bytes.Length, RecursionLimit);
        try
        {
            // Fields our subset of onnx.proto does not name are skipped, not kept: a file packed with unknown fields
            // must not cost many times its size in memory.
            T message = parser.WithDiscardUnknownFields(true).ParseFrom(input);
            return message;
        }
        catch (InvalidProtocolBufferException ex)
        {
            long position = input.Position;
            string reason =
                ex.Message.Contains("ended unexpectedly", StringComparison.Ordinal) || ex.Message.Contains("truncated", StringComparison.Ordinal)
                    ? $"the protobuf data is truncated at byte {position} (a field or embedded message runs past the end of the data; the file may be cut short or corrupt)"
                    : ex.Message.Contains("recursion", StringComparison.OrdinalIgnoreCase)
                        ? $"the protobuf messages nest deeper than {RecursionLimit} levels (at byte {position})"
                        : $"the protobuf data is invalid at byte {position} of {bytes.Length} ({ex.Message})";
            throw new ModelFormatException($"{sourceName} is not a valid {what}: {reason}", ex);
        }
    }

    private sealed class Validator
    {
        /// <summary>A validated node: the object, its arrays and attribute dictionary, the label used in messages.</summary>
        private const int NodeBytes = 512;

        /// <summary>A node input: its array slot.</summary>
        private const int InputBytes = 16;

        /// <summary>A node output: its array slot and its entries in the reader's name sets.</summary>
        private const int OutputBytes = 96;

        /// <summary>A validated attribute: the object and its dictionary entry (copied arrays are charged by size).</summary>
        private const int AttributeBytes = 256;

        private readonly ModelLoadOptions _o;
        private readonly string _source;
        private readonly LoadBudget _budget;
        private long _totalElements;

        public Validator(ModelLoadOptions options, string sourceName, LoadBudget budget)
        {
            _o = options;
            _source = sourceName;
            _budget = budget;
        }

        public OnnxModel Validate(ModelProto proto)
        {
            if (proto.Graph is null)
            {
                throw Error("the model has no graph");
            }

            GraphProto graph = proto.Graph;
            string producerName = CheckString(proto.ProducerName, "producer_name");
            string producerVersion = CheckString(proto.ProducerVersion, "producer_version");
            string graphName = CheckString(graph.Name, "the graph name");

            (Dictionary<string, long> opsets, int onnxOpset) = ReadOpsets(proto);
            Dictionary<string, string> metadata = ReadMetadata(proto);

            // Initializers.
            if (graph.SparseInitializer.Count > 0)
            {
                throw Error($"the graph has {graph.SparseInitializer.Count} sparse initializer(s); EdgeRnn does not support sparse tensors");
            }

            CheckCount(graph.Initializer.Count, _o.MaxInitializers, "initializers", "MaxInitializers");
            var initializers = new Dictionary<string, Tensor>(graph.Initializer.Count, StringComparer.Ordinal);
            foreach (TensorProto t in graph.Initializer)
            {
                string name = CheckName(t.Name, "initializer name");
                if (name.Length == 0)
                {
                    throw Error("an initializer has an empty name");
                }

                string where = $"initializer '{Quote(name)}'";
                if (initializers.ContainsKey(name))
                {
                    throw Error($"{where} is defined twice (initializer names must be unique)");
                }

                initializers.Add(name, ConvertTensor(t, where));
            }

            // Inputs.
            CheckCount(graph.Input.Count, _o.MaxInputsOutputs, "graph inputs", "MaxInputsOutputs");
            var defined = new HashSet<string>(initializers.Keys, StringComparer.Ordinal);
            var inputNames = new HashSet<string>(StringComparer.Ordinal);
            var inputs = new List<OnnxValueInfo>();
            foreach (ValueInfoProto v in graph.Input)
            {
                OnnxValueInfo info = ReadValueInfo(v, "graph input");
                if (!inputNames.Add(info.Name))
                {
                    throw Error($"graph input '{Quote(info.Name)}' is declared twice");
                }

                if (!initializers.ContainsKey(info.Name))
                {
                    inputs.Add(info);
                    defined.Add(info.Name);
                }
            }

            // Nodes, in file order: every input must already be defined, every output is defined exactly once.
            CheckCount(graph.Node.Count, _o.MaxNodes, "nodes", "MaxNodes");
            var nodes = new List<OnnxNode>(graph.Node.Count);
            var producers = new Dictionary<string, OnnxNode>(StringComparer.Ordinal);
            for (int index = 0; index < graph.Node.Count; index++)
            {
                OnnxNode node = ReadNode(graph.Node[index], index, opsets);
                for (int i = 0; i < node.Inputs.Length; i++)
                {
                    string input = node.Inputs[i];
                    if (input.Length != 0 && !defined.Contains(input))
                    {
                        bool later = graph.Node.Skip(index).Any(n => n.Output.Contains(input));
                        throw Error(later
                            ? $"{node.Describe()} reads input {i} '{Quote(input)}' before the node that produces it (the graph has a cycle or is not in topological order)"
                            : $"{node.Describe()} reads input {i} '{Quote(input)}', which is not a graph input, an initializer or an output of an earlier node");
                    }
                }

                foreach (string output in node.Outputs)
                {
                    if (output.Length == 0)
                    {
                        continue;
                    }

                    if (!defined.Add(output))
                    {
                        string previous = producers.TryGetValue(output, out OnnxNode? p) ? p.Describe()
                            : initializers.ContainsKey(output) ? "an initializer" : "a graph input";
                        throw Error($"{node.Describe()} writes '{Quote(output)}', which is already defined by {previous} (each value must be assigned once)");
                    }

                    producers.Add(output, node);
                }

                nodes.Add(node);
            }

            // Outputs.
            CheckCount(graph.Output.Count, _o.MaxInputsOutputs, "graph outputs", "MaxInputsOutputs");
            if (graph.Output.Count == 0)
            {
                throw Error("the graph declares no outputs");
            }

            var outputNames = new HashSet<string>(StringComparer.Ordinal);
            var outputs = new List<OnnxValueInfo>();
            foreach (ValueInfoProto v in graph.Output)
            {
                OnnxValueInfo info = ReadValueInfo(v, "graph output");
                if (!outputNames.Add(info.Name))
                {
                    throw Error($"graph output '{Quote(info.Name)}' is declared twice");
                }

                if (!defined.Contains(info.Name))
                {
                    throw Error($"graph output '{Quote(info.Name)}' is never produced (no node, input or initializer defines it)");
                }

                outputs.Add(info);
            }

            return new OnnxModel(proto.IrVersion, producerName, producerVersion, opsets.AsReadOnly(), onnxOpset,
                inputs.AsReadOnly(), outputs.AsReadOnly(), initializers.AsReadOnly(), nodes.AsReadOnly(), metadata.AsReadOnly(),
                graphName, _source, _budget.Used);
        }

        private (Dictionary<string, long> Opsets, int OnnxOpset) ReadOpsets(ModelProto proto)
        {
            CheckCount(proto.OpsetImport.Count, _o.MaxInputsOutputs, "opset imports", "MaxInputsOutputs");
            var opsets = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (OperatorSetIdProto opset in proto.OpsetImport)
            {
                string domain = NormalizeDomain(CheckName(opset.Domain, "opset domain"));
                if (!opsets.TryAdd(domain, opset.Version))
                {
                    throw Error($"the model imports domain '{DomainLabel(domain)}' twice");
                }
            }

            if (!opsets.TryGetValue("", out long version))
            {
                throw Error("the model does not import the ai.onnx opset (opset_import has no entry for domain '')");
            }

            if (version < MinKnownOpset || version > MaxSupportedOpset)
            {
                throw Error($"the model imports ai.onnx opset {version}; EdgeRnn supports opsets {MinSupportedOpset}..{MaxSupportedOpset}");
            }

            if (version < MinSupportedOpset)
            {
                throw Error($"the model imports ai.onnx opset {version}; EdgeRnn implements the operator semantics of opsets {MinSupportedOpset}..{MaxSupportedOpset} only (re-export with opset {MinSupportedOpset} or later)");
            }

            return (opsets, (int)version);
        }

        private Dictionary<string, string> ReadMetadata(ModelProto proto)
        {
            CheckCount(proto.MetadataProps.Count, _o.MaxMetadataEntries, "metadata entries", "MaxMetadataEntries");
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (StringStringEntryProto entry in proto.MetadataProps)
            {
                string key = CheckName(entry.Key, "metadata key");
                if (entry.Value.Length > _o.MaxMetadataValueLength)
                {
                    throw Error($"metadata '{Quote(key)}' has a value of {entry.Value.Length} characters; the limit is {_o.MaxMetadataValueLength} (ModelLoadOptions.MaxMetadataValueLength)");
                }

                if (!metadata.TryAdd(key, entry.Value))
                {
                    throw Error($"metadata key '{Quote(key)}' appears twice");
                }
            }

            return metadata;
        }

        private OnnxValueInfo ReadValueInfo(ValueInfoProto v, string what)
        {
            string name = CheckName(v.Name, what + " name");
            if (name.Length == 0)
            {
                throw Error($"a {what} has an empty name");
            }

            string where = $"{what} '{Quote(name)}'";
            if (v.Type is null || v.Type.ValueCase != TypeProto.ValueOneofCase.TensorType)
            {
                string kind = v.Type is null ? "no type" : v.Type.ValueCase switch
                {
                    TypeProto.ValueOneofCase.SequenceType => "a sequence type",
                    TypeProto.ValueOneofCase.MapType => "a map type",
                    _ => "no type",
                };
                throw Error($"{where} has {kind}; EdgeRnn supports tensor inputs and outputs only");
            }

            TypeProto.Types.Tensor tensorType = v.Type.TensorType;
            TensorElementType elementType = Wrap(() => OnnxTensorConverter.ToElementType(tensorType.ElemType, where, "element type"));
            if (tensorType.Shape is null)
            {
                return new OnnxValueInfo(name, elementType, null);
            }

            var dims = tensorType.Shape.Dim;
            if (dims.Count > _o.MaxRank)
            {
                throw Error($"{where} has rank {dims.Count}; the limit is {_o.MaxRank} (ModelLoadOptions.MaxRank)");
            }

            var shape = new OnnxDimension[dims.Count];
            for (int i = 0; i < dims.Count; i++)
            {
                TensorShapeProto.Types.Dimension d = dims[i];
                if (d.HasDimValue)
                {
                    if (d.DimValue < 0)
                    {
                        throw Error($"{where} has a negative dimension {d.DimValue} at axis {i}");
                    }

                    if (d.DimValue > _o.MaxDimension)
                    {
                        throw Error($"{where} has dimension {d.DimValue} at axis {i}; the limit is {_o.MaxDimension} (ModelLoadOptions.MaxDimension)");
                    }

                    shape[i] = new OnnxDimension(d.DimValue, null);
                }
                else if (d.HasDimParam && d.DimParam.Length > 0)
                {
                    shape[i] = new OnnxDimension(-1, CheckName(d.DimParam, $"{where} dimension name"));
                }
                else
                {
                    shape[i] = OnnxDimension.Unknown;
                }
            }

            return new OnnxValueInfo(name, elementType, shape);
        }

        private OnnxNode ReadNode(NodeProto n, int index, Dictionary<string, long> opsets)
        {
            string opType = CheckName(n.OpType, "op_type");
            string given = CheckName(n.Name, "node name");
            string name = given.Length != 0 ? given : $"{(opType.Length == 0 ? "node" : opType)}_{index}";
            string domain = NormalizeDomain(CheckName(n.Domain, "node domain"));
            string label = $"node '{Quote(name)}' ({Quote(opType)}, #{index})";
            if (opType.Length == 0)
            {
                throw Error($"{label} has an empty op_type");
            }

            if (!opsets.ContainsKey(domain))
            {
                throw Error($"{label} uses domain '{DomainLabel(domain)}', which the model does not import");
            }

            CheckCount(n.Input.Count, _o.MaxInputsOutputs, label, "inputs on", "MaxInputsOutputs");
            CheckCount(n.Output.Count, _o.MaxInputsOutputs, label, "outputs on", "MaxInputsOutputs");
            CheckCount(n.Attribute.Count, _o.MaxAttributesPerNode, label, "attributes on", "MaxAttributesPerNode");

            // What the validated node holds besides the names it shares with the parsed one (the budget's estimate).
            _budget.Charge(NodeBytes + (InputBytes * n.Input.Count) + (OutputBytes * n.Output.Count) + (AttributeBytes * n.Attribute.Count), label);
            string[] inputs = new string[n.Input.Count];
            for (int i = 0; i < inputs.Length; i++)
            {
                inputs[i] = CheckName(n.Input[i], label, "input name");
            }

            string[] outputs = new string[n.Output.Count];
            HashSet<string>? seen = outputs.Length > 4 ? new HashSet<string>(StringComparer.Ordinal) : null;
            for (int i = 0; i < outputs.Length; i++)
            {
                outputs[i] = CheckName(n.Output[i], label, "output name");
                bool twice = outputs[i].Length != 0 && (seen is null ? Array.IndexOf(outputs, outputs[i], 0, i) >= 0 : !seen.Add(outputs[i]));
                if (twice)
                {
                    throw Error($"{label} writes '{Quote(outputs[i])}' twice (each value must be assigned once)");
                }
            }

            var attributes = new Dictionary<string, OnnxAttribute>(n.Attribute.Count, StringComparer.Ordinal);
            foreach (AttributeProto a in n.Attribute)
            {
                OnnxAttribute attribute = ReadAttribute(a, label);
                if (!attributes.TryAdd(attribute.Name, attribute))
                {
                    throw Error($"{label} has attribute '{Quote(attribute.Name)}' twice");
                }
            }

            return new OnnxNode(name, opType, domain, index, inputs, outputs, attributes.AsReadOnly());
        }

        private OnnxAttribute ReadAttribute(AttributeProto a, string label)
        {
            string name = CheckName(a.Name, label, "attribute name");
            if (name.Length == 0)
            {
                throw Error($"{label} has an attribute with an empty name");
            }

            string where = $"{label} attribute '{Quote(name)}'";
            if (a.RefAttrName.Length != 0)
            {
                throw Error($"{where} refers to a function attribute ('{Quote(a.RefAttrName)}'); EdgeRnn does not support ONNX functions");
            }

            switch (a.Type)
            {
                case AttributeProto.Types.AttributeType.Float:
                    return OnnxAttribute.FromFloat(name, a.F);
                case AttributeProto.Types.AttributeType.Int:
                    return OnnxAttribute.FromInt(name, a.I);
                case AttributeProto.Types.AttributeType.String:
                    return OnnxAttribute.FromString(name, DecodeString(a.S, where));
                case AttributeProto.Types.AttributeType.Tensor:
                    if (a.T is null)
                    {
                        throw Error($"{where} has type TENSOR but no tensor");
                    }

                    return OnnxAttribute.FromTensor(name, ConvertTensor(a.T, where));
                case AttributeProto.Types.AttributeType.Floats:
                    CheckArray(a.Floats.Count, sizeof(float), where);
                    return OnnxAttribute.FromFloats(name, [.. a.Floats]);
                case AttributeProto.Types.AttributeType.Ints:
                    CheckArray(a.Ints.Count, sizeof(long), where);
                    return OnnxAttribute.FromInts(name, [.. a.Ints]);
                case AttributeProto.Types.AttributeType.Strings:
                    CheckArray(a.Strings.Count, IntPtr.Size, where);
                    return OnnxAttribute.FromStrings(name, a.Strings.Select(s => DecodeString(s, where)).ToArray());
                case AttributeProto.Types.AttributeType.Graph:
                case AttributeProto.Types.AttributeType.Graphs:
                    throw Error($"{where} holds a subgraph; If/Loop/Scan subgraphs are not supported");
                case AttributeProto.Types.AttributeType.Undefined:
                    throw Error($"{where} has no type (AttributeProto.type is UNDEFINED)");
                case AttributeProto.Types.AttributeType.Tensors:
                case AttributeProto.Types.AttributeType.SparseTensor:
                case AttributeProto.Types.AttributeType.SparseTensors:
                case AttributeProto.Types.AttributeType.TypeProto:
                case AttributeProto.Types.AttributeType.TypeProtos:
                    return OnnxAttribute.FromOther(name, a.Type.ToString().ToUpperInvariant());
                default:
                    throw Error($"{where} has unknown attribute type {(int)a.Type}");
            }
        }

        private Tensor ConvertTensor(TensorProto t, string where)
        {
            TensorElementType type = default;
            long count = Wrap(() => OnnxTensorConverter.CheckHeader(t, _o, where, out type));
            _totalElements += count;
            if (_totalElements > _o.MaxTotalElements)
            {
                throw Error($"{where} brings the model's tensors to {_totalElements} elements; the limit is {_o.MaxTotalElements} (ModelLoadOptions.MaxTotalElements)");
            }

            // Floats (and widened float16) take 4 bytes an element, integers and booleans 8 (held as long).
            long bytes = LoadBudget.Multiply(count, OnnxTensorConverter.HeldElementBytes(type));
            _budget.Charge(bytes, $"converting {where} ({count} {type} elements)");
            return Wrap(() => OnnxTensorConverter.FromProto(t, _o, where));
        }

        private string DecodeString(ByteString bytes, string where)
        {
            if (bytes.Length > _o.MaxStringLength * 4L)
            {
                throw Error($"{where} has a string of {bytes.Length} bytes; the limit is {_o.MaxStringLength} characters (ModelLoadOptions.MaxStringLength)");
            }

            if (bytes.Length > 0)
            {
                _budget.Charge(24 + (2L * bytes.Length), where); // a .NET string of at most that many characters
            }

            string s = bytes.ToStringUtf8();
            if (s.Length > _o.MaxStringLength)
            {
                throw Error($"{where} has a string of {s.Length} characters; the limit is {_o.MaxStringLength} (ModelLoadOptions.MaxStringLength)");
            }

            return s;
        }

        private void CheckArray(int count, int elementBytes, string where)
        {
            if (count > _o.MaxTensorElements)
            {
                throw Error($"{where} holds {count} values; the limit is {_o.MaxTensorElements} (ModelLoadOptions.MaxTensorElements)");
            }

            _budget.ChargeElements(count, elementBytes, $"copying {where} ({count} values)");
        }

        private string CheckString(string value, string what)
        {
            if (value.Length > _o.MaxStringLength)
            {
                throw Error($"{what} is {value.Length} characters long; the limit is {_o.MaxStringLength} (ModelLoadOptions.MaxStringLength)");
            }

            return value;
        }

        private string CheckName(string value, string what)
        {
            if (value.Length > _o.MaxStringLength)
            {
                throw Error($"{what} '{Truncate(value)}' is {value.Length} characters long; the limit is {_o.MaxStringLength} (ModelLoadOptions.MaxStringLength)");
            }

            // Names end up in messages, logs and 'edgernn-device info': a newline or an ESC sequence in one could forge a
            // log line or recolour a terminal, and no exporter writes them (ONNX names are identifiers).
            if (DisplayText.ContainsControlCharacters(value))
            {
                throw Error($"{what} '{Truncate(value)}' contains control characters (shown as \\u escapes); names must not hold newlines, tabs, ESC or other control characters");
            }

            return value;
        }

        /// <summary><see cref="CheckName(string, string)"/> for a name of <paramref name="label"/> (a node); the message is built only on failure.</summary>
        private string CheckName(string value, string label, string what) =>
            value.Length <= _o.MaxStringLength && !DisplayText.ContainsControlCharacters(value) ? value : CheckName(value, $"{label} {what}");

        private void CheckCount(int count, int limit, string label, string what, string option)
        {
            if (count > limit)
            {
                CheckCount(count, limit, $"{what} {label}", option);
            }
        }

        private void CheckCount(int count, int limit, string what, string option)
        {
            if (count > limit)
            {
                throw Error($"the graph has {count} {what}; the limit is {limit} (ModelLoadOptions.{option})");
            }
        }

        private T Wrap<T>(Func<T> action)
        {
            try
            {
                return action();
            }
            catch (ModelFormatException ex)
            {
                throw new ModelFormatException($"{_source}: {ex.Message}", ex);
            }
        }

        private ModelFormatException Error(string message) => new($"{_source}: {message}.");

        private static string NormalizeDomain(string domain) => domain == "ai.onnx" ? "" : domain;

        private static string DomainLabel(string domain) => domain.Length == 0 ? "ai.onnx" : Truncate(domain);

        /// <summary>A name from the file, made safe to print (it may hold invisible formatting characters).</summary>
        private static string Quote(string s) => DisplayText.Sanitize(s);

        /// <summary>A short, printable form of a string from the file that may be long or hold control characters.</summary>
        private static string Truncate(string s) => DisplayText.Sanitize(s, 64);
    }
}
