using EdgeRnn.Runtime.Onnx;
using EdgeRnn.Runtime.Onnx.Proto;
using Google.Protobuf;

namespace EdgeRnn.Runtime.Tests.Onnx;

/// <summary>Arbitrary bytes must give a validated model or a <see cref="ModelFormatException"/>, never another exception.</summary>
public class OnnxHostileInputTests
{
    private static readonly byte[] s_valid = OnnxTestModels.SmallLstm(hidden: 2, input: 2).ToBytes();

    /// <summary>Reads <paramref name="bytes"/>; true when it validated, false for a ModelFormatException naming the source.</summary>
    private static bool ReadOrReject(byte[] bytes, string label)
    {
        try
        {
            OnnxModelReader.Read(bytes, ModelLoadOptions.Default, "fuzz.onnx");
            return true;
        }
        catch (ModelFormatException ex)
        {
            Assert.True(ex.Message.StartsWith("fuzz.onnx", StringComparison.Ordinal), $"{label}: {ex.Message}");
            return false;
        }
        catch (Exception ex)
        {
            Assert.Fail($"{label}: {ex.GetType().Name} escaped: {ex}");
            return false;
        }
    }

    [Fact]
    public void Read_EmptyFile_Throws()
    {
        var ex = Assert.Throws<ModelFormatException>(() => OnnxModelReader.Read([], ModelLoadOptions.Default, "model.onnx"));
        Assert.Contains("model.onnx is not a valid ONNX model", ex.Message, StringComparison.Ordinal);
        Assert.Contains("empty", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_RandomBytes_OnlyModelFormatException()
    {
        for (int seed = 0; seed < 2000; seed++)
        {
            var random = new Random(seed);
            byte[] bytes = new byte[random.Next(1, 600)];
            random.NextBytes(bytes);
            Assert.False(ReadOrReject(bytes, $"seed {seed}"), $"seed {seed}: random bytes validated");
        }
    }

    [Fact]
    public void Read_EveryTruncation_OnlyModelFormatException()
    {
        for (int length = 0; length < s_valid.Length; length++)
        {
            ReadOrReject(s_valid[..length], $"prefix {length}");
        }
    }

    [Fact]
    public void Read_TruncatedInsideField_SaysTruncatedAtByte()
    {
        var ex = Assert.Throws<ModelFormatException>(() => OnnxModelReader.Read(s_valid[..(s_valid.Length / 2)], ModelLoadOptions.Default, "model.onnx"));
        Assert.Contains("model.onnx is not a valid ONNX model: the protobuf data is truncated at byte", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_BitFlips_OnlyModelFormatException()
    {
        for (int seed = 0; seed < 3000; seed++)
        {
            var random = new Random(seed);
            byte[] bytes = (byte[])s_valid.Clone();
            int flips = 1 + random.Next(4);
            for (int i = 0; i < flips; i++)
            {
                int bit = random.Next(bytes.Length * 8);
                bytes[bit / 8] ^= (byte)(1 << (bit % 8));
            }

            ReadOrReject(bytes, $"seed {seed}");
        }
    }

    [Fact]
    public void Read_ByteOverwrites_OnlyModelFormatException()
    {
        // Overwrite single bytes with values that are interesting to a varint or tag reader.
        byte[] values = [0x00, 0x01, 0x7F, 0x80, 0xFF, 0x0A, 0x12, 0x3A, 0x08];
        for (int position = 0; position < s_valid.Length; position += 3)
        {
            foreach (byte value in values)
            {
                byte[] bytes = (byte[])s_valid.Clone();
                bytes[position] = value;
                ReadOrReject(bytes, $"byte {position} = 0x{value:X2}");
            }
        }
    }

    [Fact]
    public void Read_DeeplyNestedMessage_ThrowsRecursion()
    {
        // TypeProto.sequence_type nests TypeProto without bound in the schema.
        var type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = 1 } };
        for (int i = 0; i < 200; i++)
        {
            type = new TypeProto { SequenceType = new TypeProto.Types.Sequence { ElemType = type } };
        }

        ModelProto p = OnnxModelReaderTests.SmallProto();
        p.Graph.Input[0].Type = type;
        byte[] bytes = p.ToByteArray();

        var ex = Assert.Throws<ModelFormatException>(() => OnnxModelReader.Read(bytes, ModelLoadOptions.Default, "deep.onnx"));
        Assert.Contains("deep.onnx is not a valid ONNX model", ex.Message, StringComparison.Ordinal);
        Assert.Contains("nest deeper than 32", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_DeeplyNestedGroups_OnlyModelFormatException()
    {
        // Unknown start-group fields nested 10 000 deep at the top level of ModelProto (field 99).
        var stream = new MemoryStream();
        var output = new CodedOutputStream(stream);
        for (int i = 0; i < 10_000; i++)
        {
            output.WriteTag(99, WireFormat.WireType.StartGroup);
        }

        for (int i = 0; i < 10_000; i++)
        {
            output.WriteTag(99, WireFormat.WireType.EndGroup);
        }

        output.Flush();
        Assert.False(ReadOrReject(stream.ToArray(), "nested groups"));
    }

    [Fact]
    public void Read_ManyEmptyNodes_RefusedBeforeParsing()
    {
        // One million empty NodeProto entries cost 2 bytes each in the file.
        byte[] graph = new byte[2_000_000];
        for (int i = 0; i < graph.Length; i += 2)
        {
            graph[i] = 0x0A; // GraphProto.node, length-delimited
        }

        var stream = new MemoryStream();
        var output = new CodedOutputStream(stream);
        output.WriteTag(ModelProto.GraphFieldNumber, WireFormat.WireType.LengthDelimited);
        output.WriteLength(graph.Length);
        output.Flush();
        stream.Write(graph);

        var ex = Assert.Throws<ModelFormatException>(() => OnnxModelReader.Read(stream.ToArray(), ModelLoadOptions.Default, "nodes.onnx"));
        Assert.Contains("more than 10000 nodes", ex.Message, StringComparison.Ordinal);
        Assert.Contains("MaxNodes", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_GroupCannotHideNodesFromScanner()
    {
        var options = new ModelLoadOptions { MaxNodes = 3 };
        ModelProto p = OnnxModelReaderTests.SmallProto();
        for (int i = 0; i < 5; i++)
        {
            p.Graph.Node.Add(new NodeProto { OpType = "Relu", Input = { "Y" }, Output = { $"r{i}" } });
        }

        byte[] graph = p.Graph.ToByteArray();
        var stream = new MemoryStream();
        var output = new CodedOutputStream(stream);
        output.WriteTag(99, WireFormat.WireType.StartGroup);
        output.WriteTag(99, WireFormat.WireType.EndGroup);
        output.WriteTag(ModelProto.GraphFieldNumber, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(ByteString.CopyFrom(graph));
        output.Flush();
        var ex = Assert.Throws<ModelFormatException>(() => OnnxModelReader.Read(stream.ToArray(), options, "g.onnx"));
        Assert.Contains("MaxNodes", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_HugeLengthPrefix_ThrowsTruncated()
    {
        // graph field claiming 2 GiB of content.
        byte[] bytes = [0x3A, 0xFF, 0xFF, 0xFF, 0xFF, 0x07, 0x0A, 0x00];
        var ex = Assert.Throws<ModelFormatException>(() => OnnxModelReader.Read(bytes, ModelLoadOptions.Default, "len.onnx"));
        Assert.Contains("len.onnx is not a valid ONNX model", ex.Message, StringComparison.Ordinal);
    }
}
