using EdgeRnn.Desktop.Onnx;
using EdgeRnn.Runtime.Onnx;

namespace EdgeRnn.Runtime.Tests.Onnx;

public class UnknownFieldTests
{
    [Fact]
    public void Load_MillionUnknownFields_SkipsThemWithoutBloatingMemory()
    {
        var b = new OnnxGraphBuilder();
        b.AddInput("x", TensorElementType.Float, OnnxDimension.Fixed(2));
        b.AddNode("Relu", ["x"], ["y"]);
        b.AddOutput("y", TensorElementType.Float);
        byte[] model = b.ToBytes();

        // Append 1,000,000 distinct unknown varint fields (numbers 1000.. with 3-byte tags) to the ModelProto.
        var bytes = new List<byte>(model);
        for (int i = 0; i < 1_000_000; i++)
        {
            uint tag = (uint)((1000 + (i % 50_000)) << 3);
            bytes.Add((byte)(tag | 0x80));
            bytes.Add((byte)((tag >> 7) | 0x80));
            bytes.Add((byte)(tag >> 14));
            bytes.Add(1);
        }

        byte[] hostile = [.. bytes];
        long before = GC.GetAllocatedBytesForCurrentThread();
        RnnModel loaded = RnnModel.Load(hostile);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal([0f, 3f], loaded.Run(Tensor.FromFloat([-1f, 3f], 2))[0].FloatData!);
        Assert.True(allocated < 4L * hostile.Length, $"loading allocated {allocated} bytes for a {hostile.Length}-byte file");
    }
}
