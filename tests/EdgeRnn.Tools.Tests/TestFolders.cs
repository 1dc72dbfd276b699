using EdgeRnn.Desktop.Models;
using EdgeRnn.Desktop.Verification;
using EdgeRnn.Runtime;

namespace EdgeRnn.Tools.Tests;

/// <summary>A temporary folder with test-data folders whose expected outputs come from the runtime itself.</summary>
public sealed class TestFolders : IDisposable
{
    public string Root { get; } = Directory.CreateTempSubdirectory("edgernn-tools-").FullName;

    public void Dispose() => Directory.Delete(Root, recursive: true);

    public string Write(string name, float perturb = 0)
    {
        byte[] bytes = BuiltinModels.CreateStreaming(RecurrentCellKind.Gru, inputSize: 2, hiddenSize: 8, layers: 1, seed: 3);
        RnnModel model = RnnModel.Load(bytes);
        var feed = model.Inputs.ToDictionary(i => i.Name, i =>
        {
            int[] shape = [.. i.Shape!.Select(d => (int)d.Value)];
            return Tensor.FromFloat([.. Enumerable.Range(0, Tensor.ElementCount(shape)).Select(k => (k * 0.37f) - 0.5f)], shape);
        });
        var expected = model.Run(feed).ToDictionary(kv => kv.Key, kv => kv.Value);
        expected["y"].FloatData![0] += perturb;
        string folder = Path.Combine(Root, name);
        TestDataWriter.Write(folder, bytes, [feed], [expected]);
        return folder;
    }
}
