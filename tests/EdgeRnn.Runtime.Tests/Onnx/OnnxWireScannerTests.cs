using EdgeRnn.Runtime.Onnx;
using EdgeRnn.Runtime.Onnx.Proto;
using Google.Protobuf;

namespace EdgeRnn.Runtime.Tests.Onnx;

/// <summary>
/// The pre-parse scan must read the wire data the way Google.Protobuf does (merged singular messages, 32-bit tags and
/// lengths), or a crafted file could hide what the parser will build from the limits.
/// </summary>
public class OnnxWireScannerTests
{
    [Fact]
    public void Read_NodesInTwoGraphFields_CountedTogether()
    {
        byte[] bytes = [.. OnnxModelReaderTests.SmallProto().ToByteArray(), .. GraphField(ReluNodes(3))];

        // Protobuf merges the second 'graph' field into the first: the parsed graph has all four nodes.
        Assert.Equal(4, OnnxModelReader.Read(bytes, ModelLoadOptions.Default, "m.onnx").Nodes.Count);
        OnnxModelReaderTests.Reject(bytes, new ModelLoadOptions { MaxNodes = 3 }, "more than 3 nodes", "MaxNodes", "2 'graph' fields");
    }

    [Fact]
    public void Read_NodeTagWithDiscardedHighBits_StillCounted()
    {
        // Field 1 (node), wire type 2, as a 6-byte varint with bit 32 set: the parser keeps the low 32 bits.
        byte[] node = new NodeProto { OpType = "Relu", Input = { "Y" }, Output = { "r" } }.ToByteArray();
        byte[] graph = [.. OnnxModelReaderTests.SmallProto().Graph.ToByteArray(), 0x8A, 0x80, 0x80, 0x80, 0x90, 0x01, (byte)node.Length, .. node];
        byte[] bytes = WithGraph(graph);

        Assert.Equal(2, OnnxModelReader.Read(bytes, ModelLoadOptions.Default, "m.onnx").Nodes.Count);
        OnnxModelReaderTests.Reject(bytes, new ModelLoadOptions { MaxNodes = 1 }, "more than 1 nodes", "MaxNodes");
    }

    [Fact]
    public void Read_NodeLengthWithDiscardedHighBits_StillScanned()
    {
        // The node's length as a varint with bit 32 set: the parser reads the low 32 bits (the real length).
        byte[] node = new NodeProto { OpType = "Relu", Input = { "Y" }, Output = { "r" } }.ToByteArray();
        byte[] length = Varint((uint)node.Length + (1UL << 32));
        byte[] graph = [.. OnnxModelReaderTests.SmallProto().Graph.ToByteArray(), 0x0A, .. length, .. node];
        byte[] bytes = WithGraph(graph);

        Assert.Equal(2, OnnxModelReader.Read(bytes, ModelLoadOptions.Default, "m.onnx").Nodes.Count);
        OnnxModelReaderTests.Reject(bytes, new ModelLoadOptions { MaxNodes = 1 }, "more than 1 nodes", "MaxNodes");
    }

    [Fact]
    public void Read_TensorAttributeSplitInTwoFields_RankOfMergedTensorChecked()
    {
        // Two 't' fields of one attribute merge into one tensor whose dims are both lists: 5 + 5 = rank 10.
        var half = new TensorProto { DataType = 1, Dims = { 1, 1, 1, 1, 1 } };
        var attribute = new AttributeProto { Name = "value", Type = AttributeProto.Types.AttributeType.Tensor, T = half };
        var second = new TensorProto { Dims = { 1, 1, 1, 1, 1 }, RawData = ByteString.CopyFrom(new byte[4]) };
        byte[] attributeBytes = [.. attribute.ToByteArray(), 0x2A, (byte)second.CalculateSize(), .. second.ToByteArray()];
        ModelProto p = OnnxModelReaderTests.SmallProto();
        var constant = new NodeProto { OpType = "Constant", Name = "c", Output = { "k" } };
        byte[] nodeBytes = [.. constant.ToByteArray(), 0x2A, .. Varint((ulong)attributeBytes.Length), .. attributeBytes];
        byte[] bytes = WithGraph([.. p.Graph.ToByteArray(), 0x0A, .. Varint((ulong)nodeBytes.Length), .. nodeBytes]);

        OnnxModel merged = OnnxModelReader.Read(bytes, new ModelLoadOptions { MaxRank = 16 }, "m.onnx");
        Assert.Equal(10, merged.Nodes[1].GetTensor("value")!.Rank);
        OnnxModelReaderTests.Reject(bytes, null, "a tensor attribute of node 'c' (#1) has rank 10", "MaxRank");
    }

    [Fact]
    public void Read_AttributeWithMoreValuesThanATensorMayHold_RefusedBeforeParsing()
    {
        ModelProto p = OnnxModelReaderTests.SmallProto();
        var ints = new AttributeProto { Name = "many", Type = AttributeProto.Types.AttributeType.Ints };
        for (int i = 0; i < 1000; i++)
        {
            ints.Ints.Add(i);
        }

        p.Graph.Node[0].Attribute.Add(ints);
        OnnxModelReaderTests.Reject(p, new ModelLoadOptions { MaxTensorElements = 100 }, "node 'lstm' (#0) attribute 'many' holds 1000 values", "MaxTensorElements");
    }

    [Fact]
    public void Read_ManyEmptyStrings_RefusedByBudgetBeforeParsing()
    {
        ModelProto p = OnnxModelReaderTests.SmallProto();
        var strings = new AttributeProto { Name = "s", Type = AttributeProto.Types.AttributeType.Strings };
        for (int i = 0; i < 200_000; i++)
        {
            strings.Strings.Add(ByteString.Empty);
        }

        p.Graph.Node[0].Attribute.Add(strings);
        byte[] bytes = p.ToByteArray();
        long before = GC.GetAllocatedBytesForCurrentThread();
        ModelFormatException e = OnnxModelReaderTests.Reject(bytes, new ModelLoadOptions { MaxLoadBytes = 4L << 20 },
            "reading node 'lstm' (#0) attribute 's', which holds 200000 strings,", "ModelLoadOptions.MaxLoadBytes");
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 1L << 20, $"{allocated} bytes allocated before the error (the parser would have made ~16 MB): {e.Message}");
    }

    [Fact]
    public void Read_NameWithControlCharacters_RefusedAndQuotedPrintably()
    {
        ModelProto p = OnnxModelReaderTests.SmallProto();
        p.Graph.Node[0].Name = "lstm\r\n\u001b]0;owned\u0007";
        ModelFormatException e = OnnxModelReaderTests.Reject(p, null, "node name 'lstm\\u000D\\u000A\\u001B]0;owned\\u0007' contains control characters");
        Assert.DoesNotContain(e.Message, c => char.IsControl(c));
    }

    [Fact]
    public void Read_NameWithBidiOverride_AcceptedButDescribedPrintably()
    {
        ModelProto p = OnnxModelReaderTests.SmallProto();
        p.Graph.Node[0].Name = "lstm\u202Eevil";
        OnnxModel m = OnnxModelReader.Read(p.ToByteArray(), ModelLoadOptions.Default, "m.onnx");
        Assert.Equal("node 'lstm\\u202Eevil' (LSTM, #0)", m.Nodes[0].Describe());
    }

    private static byte[] ReluNodes(int count)
    {
        var graph = new GraphProto();
        for (int i = 0; i < count; i++)
        {
            graph.Node.Add(new NodeProto { OpType = "Relu", Name = $"relu{i}", Input = { "Y" }, Output = { $"r{i}" } });
        }

        return graph.ToByteArray();
    }

    private static byte[] GraphField(byte[] graph) => [0x3A, .. Varint((ulong)graph.Length), .. graph];

    /// <summary>SmallProto's model fields with <paramref name="graph"/> as its graph's bytes.</summary>
    private static byte[] WithGraph(byte[] graph)
    {
        ModelProto p = OnnxModelReaderTests.SmallProto();
        p.Graph = null;
        return [.. p.ToByteArray(), .. GraphField(graph)];
    }

    private static byte[] Varint(ulong value)
    {
        var bytes = new List<byte>();
        while (value >= 0x80)
        {
            bytes.Add((byte)(value | 0x80));
            value >>= 7;
        }

        bytes.Add((byte)value);
        return [.. bytes];
    }
}
