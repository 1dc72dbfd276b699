using EdgeRnn.Desktop.Reference;
using static EdgeRnn.Runtime.Tests.Graph.TestModels;

namespace EdgeRnn.Runtime.Tests.Graph;

/// <summary>Graphs shaped like torch.onnx.export output load, and run as ONNX Runtime runs them.</summary>
public class TorchShapedOrtTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Run_StackedLstmWithStateIo_MatchesOnnxRuntime(int batch)
    {
        byte[] bytes = TorchShapedModels.StackedLstm(5, 32, 3, 17);
        var rng = new Random(batch);
        var inputs = new Dictionary<string, Tensor>
        {
            ["input"] = RandomTensor(rng, 1.2f, batch, 110, 5),
            ["h0"] = RandomTensor(rng, 0.3f, 2, batch, 32),
            ["c0"] = RandomTensor(rng, 0.3f, 2, batch, 32),
        };
        IReadOnlyDictionary<string, Tensor> ours = RnnModel.Load(bytes).Run(inputs);
        foreach ((string name, Tensor expected) in OrtReference.Run(bytes, inputs))
        {
            Compare.MaxAbs(expected, ours[name], 1e-5, name);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public void Run_BidirectionalClassifierWithShapeGlue_MatchesOnnxRuntime(int batch)
    {
        byte[] bytes = TorchShapedModels.BidirectionalClassifier(6, 24, 5, 23);
        var inputs = new Dictionary<string, Tensor> { ["input"] = RandomTensor(new Random(batch), 1f, batch, 100, 6) };
        IReadOnlyDictionary<string, Tensor> ours = RnnModel.Load(bytes).Run(inputs);
        Compare.MaxAbs(OrtReference.Run(bytes, inputs)["probs"], ours["probs"], 1e-5, "probs");
    }
}
