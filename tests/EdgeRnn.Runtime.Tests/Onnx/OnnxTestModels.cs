using EdgeRnn.Desktop.Onnx;
using EdgeRnn.Runtime.Onnx;

namespace EdgeRnn.Runtime.Tests.Onnx;

/// <summary>Small models and weights shared by the ONNX tests; all random data uses fixed seeds.</summary>
internal static class OnnxTestModels
{
    public static Tensor RandomFloat(int seed, params int[] shape)
    {
        var random = new Random(seed);
        float[] data = new float[Tensor.ElementCount(shape)];
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = (float)(random.NextDouble() * 2 - 1);
        }

        return Tensor.FromFloat(data, shape);
    }

    /// <summary>X float[seq, 1, 4] → LSTM(hidden 8) → Y, Y_h, Y_c; about 2 KB.</summary>
    public static OnnxGraphBuilder SmallLstm(int hidden = 8, int input = 4)
    {
        var g = new OnnxGraphBuilder("small_lstm");
        g.AddInput("X", TensorElementType.Float, OnnxDimension.Symbolic("seq"), OnnxDimension.Fixed(1), OnnxDimension.Fixed(input));
        g.AddLstm("lstm", "X", hidden, RandomFloat(1, 1, 4 * hidden, input), RandomFloat(2, 1, 4 * hidden, hidden),
            RandomFloat(3, 1, 8 * hidden), ["Y", "Y_h", "Y_c"]);
        g.AddOutput("Y", TensorElementType.Float, OnnxDimension.Symbolic("seq"), OnnxDimension.Fixed(1), OnnxDimension.Fixed(1), OnnxDimension.Fixed(hidden));
        g.AddOutput("Y_h", TensorElementType.Float, OnnxDimension.Fixed(1), OnnxDimension.Fixed(1), OnnxDimension.Fixed(hidden));
        g.AddOutput("Y_c", TensorElementType.Float);
        g.SetMetadata("edgernn.format", "1");
        return g;
    }

    public static byte[] SmallLstmBytes() => SmallLstm().ToBytes();
}
