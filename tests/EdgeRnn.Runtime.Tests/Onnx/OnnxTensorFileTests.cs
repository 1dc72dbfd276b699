using EdgeRnn.Desktop.Onnx;
using EdgeRnn.Runtime.Onnx.Proto;
using EdgeRnn.Runtime.Onnx;
using Google.Protobuf;

namespace EdgeRnn.Runtime.Tests.Onnx;

public sealed class OnnxTensorFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("edgernn-tensor-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Write_ThenRead_RoundTripsFloat()
    {
        string path = Path.Combine(_dir, "input_0.pb");
        Tensor t = OnnxTestModels.RandomFloat(7, 5, 1, 3);
        OnnxTensorWriter.Write(path, "X", t);
        OnnxTensorWriter.Write(path, "X", t); // overwrite in place

        (string name, Tensor read) = OnnxTensorFile.Read(path, ModelLoadOptions.Default);

        Assert.Equal("X", name);
        Assert.Equal([5, 1, 3], read.GetShape());
        Assert.Equal(t.FloatData, read.FloatData);
        Assert.Equal(["input_0.pb"], Directory.GetFiles(_dir).Select(Path.GetFileName));
    }

    [Fact]
    public void Write_ThenRead_RoundTripsBool()
    {
        string path = Path.Combine(_dir, "output_0.pb");
        OnnxTensorWriter.Write(path, "mask", Tensor.FromInt64(TensorElementType.Bool, [1, 0, 0, 1], 2, 2));
        (_, Tensor read) = OnnxTensorFile.Read(path, ModelLoadOptions.Default);
        Assert.Equal(TensorElementType.Bool, read.ElementType);
        Assert.Equal(new long[] { 1, 0, 0, 1 }, read.Int64Data);
    }

    [Fact]
    public void Read_Int32Data_ForInt32Tensor()
    {
        string path = Path.Combine(_dir, "input_1.pb");
        File.WriteAllBytes(path, new TensorProto { Name = "lens", DataType = 6, Dims = { 3 }, Int32Data = { 4, 5, -6 } }.ToByteArray());
        (_, Tensor read) = OnnxTensorFile.Read(path, ModelLoadOptions.Default);
        Assert.Equal(TensorElementType.Int32, read.ElementType);
        Assert.Equal(new long[] { 4, 5, -6 }, read.Int64Data);
    }

    [Fact]
    public void Read_Truncated_ThrowsNamingFile()
    {
        string path = Path.Combine(_dir, "input_0.pb");
        OnnxTensorWriter.Write(path, "X", OnnxTestModels.RandomFloat(1, 4, 4));
        byte[] bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^5]);
        var ex = Assert.Throws<ModelFormatException>(() => OnnxTensorFile.Read(path, ModelLoadOptions.Default));
        Assert.Contains("input_0.pb is not a valid ONNX tensor file", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_Float16_ThrowsNamingTensor()
    {
        string path = Path.Combine(_dir, "input_0.pb");
        File.WriteAllBytes(path, new TensorProto { Name = "h", DataType = 10, Dims = { 1 }, RawData = ByteString.CopyFrom(0, 0) }.ToByteArray());
        var ex = Assert.Throws<ModelFormatException>(() => OnnxTensorFile.Read(path, ModelLoadOptions.Default));
        Assert.Contains("tensor 'h'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("FLOAT16", ex.Message, StringComparison.Ordinal);
    }
}
