using EdgeRnn.Runtime.Onnx;
using EdgeRnn.Runtime.Onnx.Proto;
using Google.Protobuf;

namespace EdgeRnn.Runtime.Tests.Onnx;

/// <summary>Validation of well-formed protobuf that breaks ONNX or EdgeRnn rules; models are edited via the generated classes.</summary>
public class OnnxModelReaderTests
{
    internal static ModelProto SmallProto() => OnnxTestModels.SmallLstm().BuildModel();

    internal static ModelFormatException Reject(ModelProto proto, ModelLoadOptions? options = null, params string[] fragments) =>
        Reject(proto.ToByteArray(), options, fragments);

    internal static ModelFormatException Reject(byte[] bytes, ModelLoadOptions? options = null, params string[] fragments)
    {
        var ex = Assert.Throws<ModelFormatException>(() => OnnxModelReader.Read(bytes, options ?? ModelLoadOptions.Default, "bad.onnx"));
        Assert.StartsWith("bad.onnx", ex.Message, StringComparison.Ordinal);
        foreach (string fragment in fragments)
        {
            Assert.Contains(fragment, ex.Message, StringComparison.Ordinal);
        }

        return ex;
    }

    [Fact]
    public void Read_SmallLstm_Validates()
    {
        OnnxModel m = OnnxModelReader.Read(OnnxTestModels.SmallLstmBytes(), ModelLoadOptions.Default, "small.onnx");
        Assert.Equal("small.onnx", m.SourceName);
        Assert.Single(m.Inputs);
        Assert.Equal(3, m.Outputs.Count);
        Assert.Equal("1", m.Metadata["edgernn.format"]);
    }

    [Fact]
    public void Read_InitializersListedAsInputs_ExcludesThemFromInputs()
    {
        ModelProto p = SmallProto();
        p.Graph.Input.Add(new ValueInfoProto
        {
            Name = "lstm.W",
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = 1 } },
        });
        OnnxModel m = OnnxModelReader.Read(p.ToByteArray(), ModelLoadOptions.Default, "ir3.onnx");
        Assert.Equal(["X"], m.Inputs.Select(i => i.Name));
    }

    [Fact]
    public void Read_NoGraph_Throws() => Reject(new ModelProto { IrVersion = 8 }, null, "no graph");

    [Fact]
    public void Read_MissingOnnxOpset_Throws()
    {
        ModelProto p = SmallProto();
        p.OpsetImport.Clear();
        Reject(p, null, "ai.onnx opset");
    }

    [Theory]
    [InlineData(6, "opsets 14..22")]
    [InlineData(12, "re-export with opset 14")]
    [InlineData(23, "opsets 14..22")]
    public void Read_OpsetOutsideSupported_Throws(long opset, string fragment)
    {
        ModelProto p = SmallProto();
        p.OpsetImport[0].Version = opset;
        Reject(p, null, $"opset {opset}", fragment);
    }

    [Fact]
    public void Read_DuplicateInitializer_Throws()
    {
        ModelProto p = SmallProto();
        p.Graph.Initializer.Add(p.Graph.Initializer[0].Clone());
        Reject(p, null, "initializer 'lstm.W'", "twice");
    }

    [Fact]
    public void Read_DuplicateNodeOutput_Throws()
    {
        ModelProto p = SmallProto();
        p.Graph.Node.Add(new NodeProto { OpType = "Relu", Name = "again", Input = { "X" }, Output = { "Y_h" } });
        Reject(p, null, "node 'again' (Relu, #1)", "'Y_h'", "already defined by node 'lstm'");
    }

    [Fact]
    public void Read_NodeOutputShadowsInput_Throws()
    {
        ModelProto p = SmallProto();
        p.Graph.Node.Add(new NodeProto { OpType = "Relu", Input = { "Y" }, Output = { "X" } });
        Reject(p, null, "node 'Relu_1'", "'X'", "graph input");
    }

    [Fact]
    public void Read_UndefinedInput_Throws()
    {
        ModelProto p = SmallProto();
        p.Graph.Node[0].Input[0] = "nowhere";
        Reject(p, null, "node 'lstm' (LSTM, #0)", "'nowhere'", "not a graph input");
    }

    [Fact]
    public void Read_Cycle_Throws()
    {
        ModelProto p = SmallProto();
        p.Graph.Node.Add(new NodeProto { OpType = "Add", Name = "a", Input = { "Y", "b_out" }, Output = { "a_out" } });
        p.Graph.Node.Add(new NodeProto { OpType = "Relu", Name = "b", Input = { "a_out" }, Output = { "b_out" } });
        Reject(p, null, "node 'a' (Add, #1)", "'b_out'", "cycle");
    }

    [Fact]
    public void Read_OutputNeverProduced_Throws()
    {
        ModelProto p = SmallProto();
        p.Graph.Output[0].Name = "ghost";
        Reject(p, null, "graph output 'ghost'", "never produced");
    }

    [Fact]
    public void Read_UnimportedDomain_Throws()
    {
        ModelProto p = SmallProto();
        p.Graph.Node[0].Domain = "com.microsoft";
        Reject(p, null, "'com.microsoft'", "does not import");
    }

    [Theory]
    [InlineData(16, "BFLOAT16")]
    [InlineData(8, "STRING")]
    [InlineData(11, "DOUBLE")]
    [InlineData(5, "INT16")]
    [InlineData(14, "COMPLEX64")]
    [InlineData(999, "#999")]
    public void Read_UnsupportedInitializerType_Throws(int dataType, string name)
    {
        ModelProto p = SmallProto();
        p.Graph.Initializer[0].DataType = dataType;
        Reject(p, null, "initializer 'lstm.W'", $"element type {name}", "EdgeRnn does not support", "supported: FLOAT");
    }

    [Fact]
    public void Read_Float16InitializerWithFloatSizedData_Throws()
    {
        // FLOAT16 initializers are read (int8 models keep scales in them), so the check that fires is the data length.
        ModelProto p = SmallProto();
        p.Graph.Initializer[0].DataType = 10;
        Reject(p, null, "initializer 'lstm.W'", "bytes of raw_data");
    }

    [Fact]
    public void Read_UnsupportedInputType_Throws()
    {
        ModelProto p = SmallProto();
        p.Graph.Input[0].Type.TensorType.ElemType = 10;
        Reject(p, null, "graph input 'X'", "FLOAT16");
    }

    [Fact]
    public void Read_SequenceInput_Throws()
    {
        ModelProto p = SmallProto();
        p.Graph.Input[0].Type = new TypeProto { SequenceType = new TypeProto.Types.Sequence() };
        Reject(p, null, "graph input 'X'", "sequence");
    }

    [Fact]
    public void Read_RawDataLengthMismatch_Throws()
    {
        ModelProto p = SmallProto();
        TensorProto w = p.Graph.Initializer[0];
        w.RawData = ByteString.CopyFrom(w.RawData.Span[..^4]);
        Reject(p, null, "initializer 'lstm.W'", "needs 128 elements", "508 bytes");
    }

    [Fact]
    public void Read_TypedDataLengthMismatch_Throws()
    {
        ModelProto p = SmallProto();
        TensorProto w = p.Graph.Initializer[0];
        w.RawData = ByteString.Empty;
        w.FloatData.AddRange(new float[127]);
        Reject(p, null, "initializer 'lstm.W'", "needs 128 elements", "float_data holds 127");
    }

    [Fact]
    public void Read_TypedFloatData_Accepted()
    {
        ModelProto p = SmallProto();
        TensorProto w = p.Graph.Initializer[0];
        w.RawData = ByteString.Empty;
        w.FloatData.AddRange(Enumerable.Range(0, 128).Select(i => (float)i));
        OnnxModel m = OnnxModelReader.Read(p.ToByteArray(), ModelLoadOptions.Default, "typed.onnx");
        Assert.Equal(127f, m.Initializers["lstm.W"].FloatData![127]);
    }

    [Fact]
    public void Read_Int8OutOfRangeInt32Data_Throws()
    {
        ModelProto p = SmallProto();
        p.Graph.Initializer.Add(new TensorProto { Name = "q", DataType = 3, Dims = { 2 }, Int32Data = { 5, 300 } });
        Reject(p, null, "initializer 'q'", "300", "INT8");
    }

    [Fact]
    public void Read_ExternalData_Throws()
    {
        ModelProto p = SmallProto();
        TensorProto w = p.Graph.Initializer[0];
        w.RawData = ByteString.Empty;
        w.DataLocation = TensorProto.Types.DataLocation.External;
        w.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = "w.bin" });
        Reject(p, null, "initializer 'lstm.W'", "external file ('w.bin')", "self-contained");
    }

    [Fact]
    public void Read_Segment_Throws()
    {
        ModelProto p = SmallProto();
        p.Graph.Initializer[0].Segment = new TensorProto.Types.Segment { Begin = 0, End = 1 };
        Reject(p, null, "initializer 'lstm.W'", "segment");
    }

    [Fact]
    public void Read_SparseInitializer_Throws()
    {
        ModelProto p = SmallProto();
        p.Graph.SparseInitializer.Add(new SparseTensorProto());
        Reject(p, null, "sparse");
    }

    [Fact]
    public void Read_HugeDeclaredDimsWithoutData_ThrowsBeforeAllocating()
    {
        ModelProto p = SmallProto();
        p.Graph.Initializer.Add(new TensorProto { Name = "W", DataType = 1, Dims = { 65536, 32768 } });
        Reject(p, null, "initializer 'W' declares 2147483648 elements", "the limit is 67108864 (ModelLoadOptions.MaxTensorElements)");
    }

    [Fact]
    public void Read_DimensionOverLimit_Throws()
    {
        ModelProto p = SmallProto();
        p.Graph.Initializer.Add(new TensorProto { Name = "W", DataType = 1, Dims = { 1L << 40 } });
        Reject(p, null, "initializer 'W'", "MaxDimension");
    }

    [Fact]
    public void Read_DimsProductOverflow_Throws()
    {
        ModelProto p = SmallProto();
        p.Graph.Initializer.Add(new TensorProto { Name = "W", DataType = 1, Dims = { 1L << 24, 1L << 24, 1L << 24, 1L << 24 } });
        Reject(p, null, "initializer 'W'", "overflows");
    }

    [Fact]
    public void Read_NegativeDim_Throws()
    {
        ModelProto p = SmallProto();
        p.Graph.Initializer.Add(new TensorProto { Name = "W", DataType = 1, Dims = { 2, -3 } });
        Reject(p, null, "initializer 'W'", "negative dimension -3");
    }

    [Fact]
    public void Read_NegativeInputDim_Throws()
    {
        ModelProto p = SmallProto();
        p.Graph.Input[0].Type.TensorType.Shape.Dim[1].DimValue = -1;
        Reject(p, null, "graph input 'X'", "negative dimension");
    }

    [Fact]
    public void Read_Rank100Initializer_Throws()
    {
        ModelProto p = SmallProto();
        var t = new TensorProto { Name = "deep", DataType = 1 };
        t.Dims.AddRange(Enumerable.Repeat(1L, 100));
        p.Graph.Initializer.Add(t);
        Reject(p, null, "initializer 'deep' has rank 100", "MaxRank");
    }

    [Fact]
    public void Read_Rank100Input_Throws()
    {
        ModelProto p = SmallProto();
        var shape = p.Graph.Input[0].Type.TensorType.Shape;
        for (int i = 0; i < 97; i++)
        {
            shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = 1 });
        }

        Reject(p, null, "graph input", "MaxRank");
    }

    [Fact]
    public void Read_TotalElementsOverLimit_Throws()
    {
        var options = new ModelLoadOptions { MaxTotalElements = 300 };
        Reject(SmallProto(), options, "MaxTotalElements");
    }

    [Fact]
    public void Read_TooManyNodes_Throws()
    {
        ModelProto p = SmallProto();
        for (int i = 0; i < 20; i++)
        {
            p.Graph.Node.Add(new NodeProto { OpType = "Relu", Input = { "Y" }, Output = { $"r{i}" } });
        }

        Reject(p, new ModelLoadOptions { MaxNodes = 10 }, "nodes", "MaxNodes");
    }

    [Fact]
    public void Read_TooManyInitializers_Throws() =>
        Reject(SmallProto(), new ModelLoadOptions { MaxInitializers = 2 }, "initializers", "MaxInitializers");

    [Fact]
    public void Read_TooManyInputs_Throws()
    {
        ModelProto p = SmallProto();
        for (int i = 0; i < 5; i++)
        {
            p.Graph.Input.Add(p.Graph.Input[0].Clone());
            p.Graph.Input[^1].Name = $"extra{i}";
        }

        Reject(p, new ModelLoadOptions { MaxInputsOutputs = 4 }, "graph inputs", "MaxInputsOutputs");
    }

    [Fact]
    public void Read_TooManyAttributes_Throws()
    {
        ModelProto p = SmallProto();
        for (int i = 0; i < 5; i++)
        {
            p.Graph.Node[0].Attribute.Add(new AttributeProto { Name = $"a{i}", Type = AttributeProto.Types.AttributeType.Int, I = i });
        }

        Reject(p, new ModelLoadOptions { MaxAttributesPerNode = 4 }, "6 attributes on node 'lstm' (#0)", "MaxAttributesPerNode");
    }

    [Fact]
    public void Read_TooManyMetadataEntries_Throws()
    {
        ModelProto p = SmallProto();
        for (int i = 0; i < 5; i++)
        {
            p.MetadataProps.Add(new StringStringEntryProto { Key = $"k{i}", Value = "v" });
        }

        Reject(p, new ModelLoadOptions { MaxMetadataEntries = 4 }, "metadata entries", "MaxMetadataEntries");
    }

    [Fact]
    public void Read_MetadataOverItsTotal_ThrowsBeforeParsing()
    {
        // Fuzz case (models seed 2, case 42865): 314 values of 40,000 characters, each within the per-value limit, made
        // a 12.6 MB file that reached 76 MB of memory before its clean error.
        ModelProto p = SmallProto();
        for (int i = 0; i < 5; i++)
        {
            p.MetadataProps.Add(new StringStringEntryProto { Key = "edgernn.golden", Value = new string('1', 1000) });
        }

        Reject(p, new ModelLoadOptions { MaxMetadataBytes = 4000 }, "metadata entry #", "'edgernn.golden' brings the metadata to", "MaxMetadataBytes");
    }

    [Fact]
    public void Read_DuplicateMetadataKey_Throws()
    {
        ModelProto p = SmallProto();
        p.MetadataProps.Add(new StringStringEntryProto { Key = "edgernn.format", Value = "2" });
        Reject(p, null, "metadata key 'edgernn.format'", "twice");
    }

    [Fact]
    public void Read_LongName_Throws()
    {
        ModelProto p = SmallProto();
        p.Graph.Node[0].Name = new string('n', 5000);
        Reject(p, null, "node name", "5000 characters", "MaxStringLength");
    }

    [Fact]
    public void Read_LongStringAttribute_Throws()
    {
        ModelProto p = SmallProto();
        p.Graph.Node[0].Attribute.Add(new AttributeProto
        {
            Name = "direction",
            Type = AttributeProto.Types.AttributeType.String,
            S = ByteString.CopyFromUtf8(new string('x', 100)),
        });
        Reject(p, new ModelLoadOptions { MaxStringLength = 64 }, "attribute 'direction'", "100 characters", "MaxStringLength");
    }

    [Fact]
    public void Read_LongMetadataValue_Throws()
    {
        ModelProto p = SmallProto();
        p.MetadataProps[0].Value = new string('v', 200);
        Reject(p, new ModelLoadOptions { MaxMetadataValueLength = 100 }, "metadata 'edgernn.format'", "MaxMetadataValueLength");
    }

    [Fact]
    public void Read_GraphAttribute_Throws()
    {
        ModelProto p = SmallProto();
        p.Graph.Node.Add(new NodeProto
        {
            OpType = "If",
            Name = "branch",
            Input = { "Y" },
            Output = { "Z" },
            Attribute = { new AttributeProto { Name = "then_branch", Type = AttributeProto.Types.AttributeType.Graph, G = new GraphProto() } },
        });
        Reject(p, null, "node #1", "subgraphs are not supported");
    }

    [Fact]
    public void Read_GraphAttributeTypeWithoutGraph_Throws()
    {
        ModelProto p = SmallProto();
        p.Graph.Node[0].Attribute.Add(new AttributeProto { Name = "body", Type = AttributeProto.Types.AttributeType.Graph });
        Reject(p, null, "node 'lstm' (LSTM, #0) attribute 'body'", "subgraphs are not supported");
    }

    [Fact]
    public void GetInt_WrongAttributeType_ThrowsNamingNodeAndAttribute()
    {
        ModelProto p = SmallProto();
        p.Graph.Node[0].Attribute[0].Type = AttributeProto.Types.AttributeType.Float;
        OnnxModel m = OnnxModelReader.Read(p.ToByteArray(), ModelLoadOptions.Default, "m.onnx");
        var ex = Assert.Throws<ModelFormatException>(() => m.Nodes[0].GetInt("hidden_size", 0));
        Assert.Contains("node 'lstm' (LSTM, #0)", ex.Message, StringComparison.Ordinal);
        Assert.Contains("'hidden_size' has type FLOAT", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ModelFormatException>(() => m.Nodes[0].GetString("hidden_size", ""));
        Assert.Throws<ModelFormatException>(() => m.Nodes[0].GetInts("hidden_size"));
        Assert.Throws<ModelFormatException>(() => m.Nodes[0].GetTensor("hidden_size"));
    }

    [Fact]
    public void Read_UndefinedAttributeType_Throws()
    {
        ModelProto p = SmallProto();
        p.Graph.Node[0].Attribute[0].Type = AttributeProto.Types.AttributeType.Undefined;
        Reject(p, null, "attribute 'hidden_size'", "UNDEFINED");
    }

    [Fact]
    public void Read_TensorAttributeWithBadData_Throws()
    {
        ModelProto p = SmallProto();
        p.Graph.Node.Add(new NodeProto
        {
            OpType = "Constant",
            Name = "c",
            Output = { "k" },
            Attribute = { new AttributeProto { Name = "value", Type = AttributeProto.Types.AttributeType.Tensor, T = new TensorProto { DataType = 11, Dims = { 1 } } } },
        });
        Reject(p, null, "node 'c' (Constant, #1) attribute 'value'", "DOUBLE");
    }

    [Fact]
    public void Read_EmptyNodeName_IsSynthesized()
    {
        ModelProto p = SmallProto();
        p.Graph.Node[0].Name = "";
        OnnxModel m = OnnxModelReader.Read(p.ToByteArray(), ModelLoadOptions.Default, "m.onnx");
        Assert.Equal("LSTM_0", m.Nodes[0].Name);
    }

    [Fact]
    public void Read_OverMaxFileBytes_Throws()
    {
        byte[] bytes = OnnxTestModels.SmallLstmBytes();
        Reject(bytes, new ModelLoadOptions { MaxFileBytes = 100 }, $"{bytes.Length} bytes", "MaxFileBytes");
    }

    [Fact]
    public void ReadFile_OverMaxFileBytes_ThrowsBeforeReading()
    {
        string path = Path.Combine(Path.GetTempPath(), $"edgernn-{Guid.NewGuid():N}.onnx");
        try
        {
            File.WriteAllBytes(path, OnnxTestModels.SmallLstmBytes());
            var ex = Assert.Throws<ModelFormatException>(() => OnnxModelReader.ReadFile(path, new ModelLoadOptions { MaxFileBytes = 10 }));
            Assert.Contains(Path.GetFileName(path), ex.Message, StringComparison.Ordinal);
            Assert.Contains("MaxFileBytes", ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
