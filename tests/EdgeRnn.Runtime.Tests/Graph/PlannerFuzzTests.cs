using EdgeRnn.Runtime.Onnx.Proto;
using Google.Protobuf;

namespace EdgeRnn.Runtime.Tests.Graph;

/// <summary>
/// Structured mutations of valid torch-shaped models (attributes, shape constants, initializer dims, wiring): loading
/// and running must end in a result, a <see cref="ModelFormatException"/>, or an <see cref="ArgumentException"/> about
/// the inputs; never another exception or a hang.
/// </summary>
public class PlannerFuzzTests
{
    public static TheoryData<string> Models() => ["stacked", "bidirectional"];

    [Theory]
    [MemberData(nameof(Models))]
    public void LoadAndRun_MutatedGraph_OnlyModelFormatOrArgumentErrors(string which)
    {
        byte[] original = which == "stacked" ? TorchShapedModels.StackedLstm(3, 6, 2, 1) : TorchShapedModels.BidirectionalClassifier(3, 5, 4, 1);
        int loaded = 0, refused = 0;
        for (int seed = 0; seed < 400; seed++)
        {
            var rng = new Random(seed);
            ModelProto proto = ModelProto.Parser.ParseFrom(original);
            for (int m = rng.Next(1, 4); m > 0; m--)
            {
                Mutate(proto, rng);
            }

            byte[] bytes = proto.ToByteArray();
            try
            {
                RnnModel model = RnnModel.Load(bytes);
                loaded++;
                var inputs = new Dictionary<string, Tensor>();
                foreach (OnnxValueInfo info in model.Inputs)
                {
                    int[] shape = [.. (info.Shape ?? []).Select(d => d.IsKnown ? (int)Math.Min(d.Value, 64) : 3)];
                    inputs[info.Name] = info.ElementType == TensorElementType.Float
                        ? Tensor.FromFloat(new float[Tensor.ElementCount(shape)], shape)
                        : Tensor.FromInt64(info.ElementType, new long[Tensor.ElementCount(shape)], shape);
                }

                model.Run(inputs);
                if (model.CanStream)
                {
                    model.Step(model.CreateState());
                }
            }
            catch (ModelFormatException)
            {
                refused++;
            }
            catch (ArgumentException)
            {
                refused++;
            }
            catch (Exception e)
            {
                Assert.Fail($"seed {seed}: {e.GetType().Name}: {e.Message}\n{e.StackTrace}");
            }
        }

        Assert.True(loaded > 20 && refused > 20, $"the mutations should both keep and break models: loaded {loaded}, refused {refused}");
    }

    private static void Mutate(ModelProto proto, Random rng)
    {
        GraphProto g = proto.Graph;
        switch (rng.Next(5))
        {
            case 0 when g.Node.Count > 0:
            {
                NodeProto node = g.Node[rng.Next(g.Node.Count)];
                if (node.Attribute.Count == 0)
                {
                    break;
                }

                AttributeProto a = node.Attribute[rng.Next(node.Attribute.Count)];
                if (a.Type == AttributeProto.Types.AttributeType.Int)
                {
                    a.I = rng.Next(-4, 6);
                }
                else if (a.Type == AttributeProto.Types.AttributeType.Ints)
                {
                    a.Ints.Clear();
                    a.Ints.AddRange(Enumerable.Range(0, rng.Next(0, 5)).Select(_ => (long)rng.Next(-3, 5)));
                }
                else if (a.Type == AttributeProto.Types.AttributeType.Float)
                {
                    a.F = (float)(rng.NextDouble() * 4 - 2);
                }

                break;
            }

            case 1:
            {
                // Shape, axes, starts/ends constants: small random integers.
                var ints = g.Initializer.Where(t => t.DataType == (int)TensorProto.Types.DataType.Int64).ToList();
                if (ints.Count == 0)
                {
                    break;
                }

                TensorProto t = ints[rng.Next(ints.Count)];
                int n = rng.Next(0, 4);
                t.Dims.Clear();
                t.Dims.Add(n);
                t.RawData = ByteString.CopyFrom([.. Enumerable.Range(0, n).SelectMany(_ => BitConverter.GetBytes((long)rng.Next(-3, 6)))]);
                t.Int64Data.Clear();
                break;
            }

            case 2:
            {
                // An initializer with other dims (data resized to match).
                var floats = g.Initializer.Where(t => t.DataType == (int)TensorProto.Types.DataType.Float).ToList();
                if (floats.Count == 0)
                {
                    break;
                }

                TensorProto t = floats[rng.Next(floats.Count)];
                long[] dims = [.. Enumerable.Range(0, rng.Next(0, 4)).Select(_ => (long)rng.Next(1, 9))];
                t.Dims.Clear();
                t.Dims.AddRange(dims);
                t.RawData = ByteString.CopyFrom(new byte[4 * dims.Aggregate(1L, (x, y) => x * y)]);
                t.FloatData.Clear();
                break;
            }

            case 3 when g.Node.Count > 1:
            {
                // Rewire an input to another value defined earlier (keeps topological order).
                int i = rng.Next(1, g.Node.Count);
                NodeProto node = g.Node[i];
                if (node.Input.Count == 0)
                {
                    break;
                }

                var earlier = g.Node.Take(i).SelectMany(n => n.Output).Concat(g.Input.Select(v => v.Name)).Concat(g.Initializer.Select(t => t.Name)).Where(s => s.Length > 0).ToList();
                node.Input[rng.Next(node.Input.Count)] = earlier[rng.Next(earlier.Count)];
                break;
            }

            default:
            {
                // A graph input with another fixed dimension.
                ValueInfoProto v = g.Input[rng.Next(g.Input.Count)];
                var dims = v.Type?.TensorType?.Shape?.Dim;
                if (dims is { Count: > 0 })
                {
                    dims[rng.Next(dims.Count)] = new TensorShapeProto.Types.Dimension { DimValue = rng.Next(0, 5) };
                }

                break;
            }
        }
    }
}
