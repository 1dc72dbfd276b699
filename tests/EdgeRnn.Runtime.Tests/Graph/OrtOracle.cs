using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace EdgeRnn.Runtime.Tests.Graph;

/// <summary>ONNX Runtime 1.31.1 as the reference: one thread, all optimizations off except the basic ones.</summary>
internal static class OrtOracle
{
    public static Dictionary<string, Tensor> Run(byte[] model, IReadOnlyDictionary<string, Tensor> inputs)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        using var session = new InferenceSession(model, options);
        var feeds = new List<NamedOnnxValue>();
        foreach ((string name, Tensor t) in inputs)
        {
            if (t.IsFloat)
            {
                feeds.Add(NamedOnnxValue.CreateFromTensor(name, new DenseTensor<float>(t.FloatData, t.GetShape())));
            }
            else if (t.ElementType == TensorElementType.Int32)
            {
                feeds.Add(NamedOnnxValue.CreateFromTensor(name, new DenseTensor<int>(t.Int64Data.Select(v => (int)v).ToArray(), t.GetShape())));
            }
            else
            {
                feeds.Add(NamedOnnxValue.CreateFromTensor(name, new DenseTensor<long>(t.Int64Data, t.GetShape())));
            }
        }

        using IDisposableReadOnlyCollection<DisposableNamedOnnxValue> results = session.Run(feeds);
        var map = new Dictionary<string, Tensor>();
        foreach (DisposableNamedOnnxValue r in results)
        {
            if (r.Value is DenseTensor<float> f)
            {
                map[r.Name] = Tensor.FromFloat(f.ToArray(), f.Dimensions.ToArray());
            }
            else if (r.Value is DenseTensor<long> l)
            {
                map[r.Name] = Tensor.FromInt64(l.ToArray(), l.Dimensions.ToArray());
            }
        }

        return map;
    }
}

internal static class Compare
{
    /// <summary>Asserts equal shapes and max |a - b| within <paramref name="atol"/>; returns the max error.</summary>
    public static double MaxAbs(Tensor expected, Tensor actual, double atol, string what)
    {
        Assert.True(expected.Shape.SequenceEqual(actual.Shape), $"{what}: shape {Tensor.FormatShape(actual.Shape)} != expected {Tensor.FormatShape(expected.Shape)}");
        double max = 0;
        int worst = -1;
        for (int i = 0; i < expected.Length; i++)
        {
            double e = Math.Abs((double)expected.FloatData![i] - actual.FloatData![i]);
            if (!(e <= max))
            {
                max = e;
                worst = i;
            }
        }

        Assert.True(max <= atol, $"{what}: max abs error {max:E3} at {worst} (expected {(worst >= 0 ? expected.FloatData![worst] : 0)}, got {(worst >= 0 ? actual.FloatData![worst] : 0)}) > {atol:E1}");
        return max;
    }
}
