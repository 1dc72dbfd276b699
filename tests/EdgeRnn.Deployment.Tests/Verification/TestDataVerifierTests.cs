using EdgeRnn.Deployment.Verification;
using EdgeRnn.Desktop.Models;
using EdgeRnn.Desktop.Onnx;
using EdgeRnn.Desktop.Verification;
using EdgeRnn.Runtime;

namespace EdgeRnn.Deployment.Tests.Verification;

public sealed class TestDataVerifierTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("edgernn-verify-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>A two-layer LSTM test folder with two data sets whose expected outputs come from the runtime itself.</summary>
    internal static string WriteFolder(string parent, string name, float perturb = 0, int sets = 2)
    {
        byte[] bytes = BuiltinModels.CreateStreaming(RecurrentCellKind.Lstm, inputSize: 3, hiddenSize: 8, layers: 2, seed: 7);
        RnnModel model = RnnModel.Load(bytes);
        var random = new Random(11);
        var inputs = new List<IReadOnlyDictionary<string, Tensor>>();
        var outputs = new List<IReadOnlyDictionary<string, Tensor>>();
        for (int s = 0; s < sets; s++)
        {
            var feed = new Dictionary<string, Tensor>();
            foreach (OnnxValueInfo input in model.Inputs)
            {
                int[] shape = [.. input.Shape!.Select(d => (int)d.Value)];
                feed[input.Name] = Tensor.FromFloat([.. Enumerable.Range(0, Tensor.ElementCount(shape)).Select(_ => random.NextSingle() - 0.5f)], shape);
            }

            var expected = model.Run(feed).ToDictionary(kv => kv.Key, kv => Tensor.FromFloat((float[])kv.Value.FloatData!.Clone(), kv.Value.GetShape()));
            expected["y"].FloatData![1] += perturb;
            inputs.Add(feed);
            outputs.Add(expected);
        }

        string folder = Path.Combine(parent, name);
        TestDataWriter.Write(folder, bytes, inputs, outputs);
        return folder;
    }

    [Fact]
    public void Verify_RuntimeOwnOutputs_Passes()
    {
        string folder = WriteFolder(_root, "lstm");

        VerificationResult result = new TestDataVerifier().Verify(folder);

        Assert.Equal(VerifyStatus.Passed, result.Status);
        Assert.Equal(0, result.ExitCode);
        TestFolderResult f = Assert.Single(result.Folders);
        Assert.Equal(["test_data_set_0", "test_data_set_1"], f.DataSets.Select(d => d.Name));
        Assert.Equal(["y", "hn_0", "cn_0", "hn_1", "cn_1"], f.DataSets[0].Outputs.Select(o => o.Name));
        Assert.All(f.DataSets.SelectMany(d => d.Outputs), o => Assert.Equal(0, o.MaxAbsError));
        Assert.Equal([1, 1, 3], f.DataSets[0].Outputs[0].ActualShape);
    }

    [Fact]
    public void Verify_ParentFolder_FindsEachTestFolderSorted()
    {
        WriteFolder(_root, "b");
        WriteFolder(_root, "a", sets: 1);

        VerificationResult result = new TestDataVerifier().Verify(_root);

        Assert.Equal(["a", "b"], result.Folders.Select(f => Path.GetFileName(f.Path)));
        Assert.Equal(VerifyStatus.Passed, result.Status);
    }

    [Fact]
    public void Verify_ExpectedOutputPerturbedBy1e3_FailsWithThatMaxError()
    {
        string folder = WriteFolder(_root, "perturbed", perturb: 1e-3f);

        VerificationResult result = new TestDataVerifier(atol: 1e-5, rtol: 1e-5).Verify(folder);

        Assert.Equal(VerifyStatus.Failed, result.Status);
        Assert.Equal(1, result.ExitCode);
        OutputComparison y = result.Folders[0].DataSets[0].Outputs[0];
        Assert.False(y.Passed);
        Assert.Equal(1, y.Mismatches);
        Assert.Equal(1e-3, y.MaxAbsError, 1e-6);
        Assert.True(result.Folders[0].DataSets[0].Outputs.Skip(1).All(o => o.Passed));
    }

    [Fact]
    public void Verify_PerturbedWithinLooseTolerance_Passes()
    {
        string folder = WriteFolder(_root, "perturbed", perturb: 1e-3f);

        Assert.Equal(VerifyStatus.Passed, new TestDataVerifier(atol: 2e-3, rtol: 0).Verify(folder).Status);
    }

    [Fact]
    public void Compare_FollowsNumpyAllclose()
    {
        var verifier = new TestDataVerifier(atol: 0.1, rtol: 0.5);
        Tensor expected = Tensor.FromFloat([10f, 0f, float.PositiveInfinity], 3);

        // |15 - 10| = 5 <= 0.1 + 0.5 * 10; |0.05 - 0| <= 0.1; inf == inf.
        Assert.True(verifier.Compare("v", expected, Tensor.FromFloat([15f, 0.05f, float.PositiveInfinity], 3)).Passed);
        Assert.False(verifier.Compare("v", expected, Tensor.FromFloat([15.2f, 0f, float.PositiveInfinity], 3)).Passed);
        OutputComparison nan = verifier.Compare("v", expected, Tensor.FromFloat([10f, float.NaN, float.PositiveInfinity], 3));
        Assert.False(nan.Passed);
        Assert.True(double.IsNaN(nan.MaxAbsError));
        Assert.False(verifier.Compare("v", expected, Tensor.FromFloat([10f, 0f, float.PositiveInfinity], 1, 3)).Passed);
    }

    [Fact]
    public void Verify_MissingPath_ReportsErrorNamingIt()
    {
        string missing = Path.Combine(_root, "nope");

        VerificationResult result = new TestDataVerifier().Verify(missing);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(missing, result.Folders[0].Error, StringComparison.Ordinal);
        Assert.Contains("does not exist", result.Folders[0].Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_MalformedTensorFile_ReportsErrorNamingFile()
    {
        string folder = WriteFolder(_root, "bad");
        string file = Path.Combine(folder, "test_data_set_1", "input_0.pb");
        File.WriteAllBytes(file, [0x0a, 0xff, 0xff, 0x03]);

        VerificationResult result = new TestDataVerifier().Verify(folder);

        Assert.Equal(VerifyStatus.Error, result.Status);
        Assert.Equal(2, result.ExitCode);
        Assert.Equal(VerifyStatus.Passed, result.Folders[0].DataSets[0].Status);
        DataSetResult bad = result.Folders[0].DataSets[1];
        Assert.Equal(VerifyStatus.Error, bad.Status);
        Assert.Contains("input_0.pb", bad.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_MissingInputFile_ReportsErrorNamingDataSet()
    {
        string folder = WriteFolder(_root, "missing-input", sets: 1);
        File.Delete(Path.Combine(folder, "test_data_set_0", "input_2.pb"));

        DataSetResult set = new TestDataVerifier().Verify(folder).Folders[0].DataSets[0];

        Assert.Equal(VerifyStatus.Error, set.Status);
        Assert.Contains("test_data_set_0", set.Error, StringComparison.Ordinal);
        Assert.Contains("c0_0", set.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_NoExpectedOutputs_ReportsError()
    {
        string folder = WriteFolder(_root, "no-outputs", sets: 1);
        foreach (string f in Directory.GetFiles(Path.Combine(folder, "test_data_set_0"), "output_*.pb"))
        {
            File.Delete(f);
        }

        DataSetResult set = new TestDataVerifier().Verify(folder).Folders[0].DataSets[0];

        Assert.Contains("no output_K.pb", set.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_MalformedModel_ReportsErrorNamingModelFile()
    {
        string folder = WriteFolder(_root, "bad-model", sets: 1);
        File.WriteAllBytes(Path.Combine(folder, "model.onnx"), [1, 2, 3, 4, 5]);

        TestFolderResult f = new TestDataVerifier().Verify(folder).Folders[0];

        Assert.Equal(VerifyStatus.Error, f.Status);
        Assert.Contains("model.onnx", f.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_UnnamedTensors_MatchByPosition()
    {
        string folder = WriteFolder(_root, "unnamed", sets: 1);
        foreach (string file in Directory.GetFiles(Path.Combine(folder, "test_data_set_0"), "*.pb"))
        {
            (_, Tensor t) = TestDataFiles.ReadTensor(file);
            OnnxTensorWriter.Write(file, "", t);
        }

        Assert.Equal(VerifyStatus.Passed, new TestDataVerifier().Verify(folder).Status);
    }

    [Fact]
    public void ReadTensor_MissingFile_ThrowsNamingFile()
    {
        string path = Path.Combine(_root, "absent.pb");

        FileNotFoundException e = Assert.Throws<FileNotFoundException>(() => TestDataFiles.ReadTensor(path));

        Assert.Contains("absent.pb", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WriteJson_ContainsTreeAndStatus()
    {
        string folder = WriteFolder(_root, "json", perturb: 1e-3f, sets: 1);
        var writer = new StringWriter();

        VerifyReport.WriteJson(writer, new TestDataVerifier().Verify(folder));

        using var doc = System.Text.Json.JsonDocument.Parse(writer.ToString());
        Assert.Equal("Failed", doc.RootElement.GetProperty("status").GetString());
        System.Text.Json.JsonElement y = doc.RootElement.GetProperty("folders")[0].GetProperty("dataSets")[0].GetProperty("outputs")[0];
        Assert.Equal("y", y.GetProperty("name").GetString());
        Assert.False(y.GetProperty("passed").GetBoolean());
        Assert.True(y.GetProperty("maxAbsError").GetDouble() > 9e-4);
    }
}
