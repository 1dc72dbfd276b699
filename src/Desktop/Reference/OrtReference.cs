using EdgeRnn.Runtime;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Tensor = EdgeRnn.Runtime.Tensor;
using TensorElementType = Microsoft.ML.OnnxRuntime.Tensors.TensorElementType;

namespace EdgeRnn.Desktop.Reference;

/// <summary>
/// ONNX Runtime as the desktop reference: runs a model on EdgeRnn <see cref="Tensor"/>s (one thread, so results do
/// not depend on the machine's core count) and returns every output.
/// </summary>
internal static class OrtReference
{
    public static Dictionary<string, Tensor> Run(byte[] model, IReadOnlyDictionary<string, Tensor> inputs)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        using var session = new InferenceSession(model, options);
        var feeds = new List<NamedOnnxValue>();
        foreach ((string name, Tensor t) in inputs)
        {
            NodeMetadata meta = session.InputMetadata[name];
            if (t.IsFloat)
            {
                feeds.Add(NamedOnnxValue.CreateFromTensor(name, new DenseTensor<float>(t.FloatData, t.GetShape())));
            }
            else if (meta.ElementDataType == TensorElementType.Int32)
            {
                feeds.Add(NamedOnnxValue.CreateFromTensor(name, new DenseTensor<int>(t.Int64Data.Select(v => (int)v).ToArray(), t.GetShape())));
            }
            else
            {
                feeds.Add(NamedOnnxValue.CreateFromTensor(name, new DenseTensor<long>(t.Int64Data, t.GetShape())));
            }
        }

        using IDisposableReadOnlyCollection<DisposableNamedOnnxValue> results = session.Run(feeds);
        var outputs = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (DisposableNamedOnnxValue r in results)
        {
            outputs[r.Name] = r.Value switch
            {
                DenseTensor<float> f => Tensor.FromFloat(f.ToArray(), f.Dimensions.ToArray()),
                DenseTensor<long> l => Tensor.FromInt64(l.ToArray(), l.Dimensions.ToArray()),
                _ => throw new NotSupportedException($"Output '{r.Name}' has a type EdgeRnn test data does not hold."),
            };
        }

        return outputs;
    }
}
