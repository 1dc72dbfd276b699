using EdgeRnn.Runtime;
using EdgeRnn.Desktop.Reference;

namespace EdgeRnn.Quantize.Tests;

/// <summary>Quantizing in memory and comparing runtimes.</summary>
internal static class QuantizeTestHelpers
{
    public static byte[] QuantizeBytes(byte[] model, QuantizeOptions options, IReadOnlyDictionary<string, float>? ranges = null) =>
        ModelQuantizer.Quantize(ModelQuantizer.Parse(model), options, ranges).Model;

    public static double MaxAbs(Tensor a, Tensor b)
    {
        Assert.Equal(a.GetShape(), b.GetShape());
        double max = 0;
        for (int i = 0; i < a.Length; i++)
        {
            max = Math.Max(max, Math.Abs(a.FloatData![i] - (double)b.FloatData![i]));
        }

        return max;
    }

    public static double Rms(Tensor a, Tensor b)
    {
        double sq = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double d = a.FloatData![i] - (double)b.FloatData![i];
            sq += d * d;
        }

        return Math.Sqrt(sq / Math.Max(1, a.Length));
    }

    /// <summary>The outputs of ORT on the float model, ORT on the int8 model, and EdgeRnn on the int8 model.</summary>
    public static (Dictionary<string, Tensor> OrtFloat, Dictionary<string, Tensor> OrtInt8, IReadOnlyDictionary<string, Tensor> OursInt8) RunAll(
        byte[] fp32, byte[] int8, Dictionary<string, Tensor> inputs)
    {
        Dictionary<string, Tensor> ortFloat = OrtReference.Run(fp32, inputs);
        Dictionary<string, Tensor> ortInt8 = OrtReference.Run(int8, inputs);
        IReadOnlyDictionary<string, Tensor> ours = RnnModel.Load(int8).Run(inputs);
        return (ortFloat, ortInt8, ours);
    }

    public static string TempDirectory()
    {
        string dir = Path.Combine(Path.GetTempPath(), "edgernn-quantize-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }
}
