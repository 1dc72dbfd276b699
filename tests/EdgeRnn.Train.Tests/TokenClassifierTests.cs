using EdgeRnn.Runtime;
using EdgeRnn.Train.Data;
using EdgeRnn.Train.Export;
using EdgeRnn.Train.Models;
using EdgeRnn.Train.Training;

namespace EdgeRnn.Train.Tests;

/// <summary>Token-id classifiers: embedding (ONNX Gather over int64 ids) into the recurrent stack.</summary>
public sealed class TokenClassifierTests
{
    private static readonly TrainOptions s_options = new() { Epochs = 6, BatchSize = 16, LearningRate = 1e-2, Threads = 1, Seed = 2, Patience = 10 };

    [Theory]
    [InlineData(CellKind.Lstm, false)]
    [InlineData(CellKind.Gru, true)]
    public void MarkerToken_TrainsToHighAccuracy_AndTorchOrtRuntimeAgree(CellKind cell, bool bidirectional)
    {
        (List<long[]> sequences, List<long> labels) = TokenDataset.SyntheticMarker(500, vocabulary: 20, sequenceLength: 12, seed: 7);
        TokenDataset data = TokenDataset.FromSequences(sequences, labels, 12);

        TokenTrainResult result = Trainer.TrainTokens(data, new ModelConfig { Cell = cell, Hidden = 16, EmbeddingDim = 8, Bidirectional = bidirectional }, s_options);

        Assert.True(result.History.Metrics["accuracy"] >= 0.9, $"accuracy {result.History.Metrics["accuracy"]}");
        Assert.Equal(20, result.Net.Config.Vocabulary);
        ExportedModel model = OnnxExporter.Export(result.Net, new Dictionary<string, string>());
        for (int i = 0; i < 3; i++)
        {
            long[] ids = result.Validation.Tokens!.AsSpan(i * 12, 12).ToArray();
            VerifyErrors errors = ExportVerifier.VerifyTokens(result.Net, model, ids);
            Assert.True(errors.Max <= 1e-4, errors.ToString());
        }
    }
}
