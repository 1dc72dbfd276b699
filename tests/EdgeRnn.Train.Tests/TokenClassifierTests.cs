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
    [InlineData(RecurrentCellKind.Lstm, false)]
    [InlineData(RecurrentCellKind.Gru, true)]
    public void MarkerToken_TrainsToHighAccuracy_AndTorchOrtRuntimeAgree(RecurrentCellKind cell, bool bidirectional)
    {
        (List<long[]> sequences, List<long> labels) = TokenDataset.SyntheticMarker(500, vocabulary: 20, sequenceLength: 12, seed: 7);
        TokenDataset data = TokenDataset.FromSequences(sequences, labels, 12);

        TokenTrainResult result = Trainer.TrainTokens(data, new ModelConfig { Cell = cell, Hidden = 16, EmbeddingDim = 8, Bidirectional = bidirectional }, s_options);

        Assert.True(result.History.Metrics["accuracy"] >= 0.9, $"accuracy {result.History.Metrics["accuracy"]}");
        Assert.Equal(20, result.Net.Config.Vocabulary);
        ExportedModel model = OnnxExporter.Export(result.Net, new Dictionary<string, string>());
        Assert.Equal(!bidirectional, model.Step is not null);
        VerifyErrors errors = ExportVerifier.VerifyTokens(result.Net, model, result.Validation.Tokens!.AsSpan(0, 3 * 12).ToArray());
        Assert.True(errors.Max <= 1e-4, errors.ToString());
        if (model.Step is not null)
        {
            // The step graph streams int64 ids (GetInt64Input + Step) and its pairs carry every layer's state.
            RnnModel step = RnnModel.Load(model.Step);
            Assert.Equal([("x", 1)], step.StepInputs);
            Assert.Equal(cell == RecurrentCellKind.Lstm ? 2 : 1, step.StatePairs.Count);
        }
    }
}

/// <summary>
/// The weight mapping on untrained networks, whose softmax outputs are far from 0 and 1 (a trained classifier's
/// saturated probabilities could hide a misplaced gate block or direction).
/// </summary>
public sealed class UntrainedExportTests
{
    [Theory]
    [InlineData(RecurrentCellKind.Lstm, true, false, 2)]
    [InlineData(RecurrentCellKind.Gru, true, false, 2)]
    [InlineData(RecurrentCellKind.Rnn, true, false, 2)]
    [InlineData(RecurrentCellKind.Lstm, true, true, 1)]
    [InlineData(RecurrentCellKind.Gru, false, true, 2)]
    [InlineData(RecurrentCellKind.Rnn, true, true, 1)]
    public void FreshClassifier_TorchOrtRuntimeAgree(RecurrentCellKind cell, bool bidirectional, bool tokens, int layers)
    {
        TorchRuntime.Initialize(1, 17);
        var config = new ModelConfig
        {
            Task = TrainTask.Classify, Cell = cell, Bidirectional = bidirectional, Layers = layers, Hidden = 6, Features = tokens ? 1 : 3, Classes = 4, Window = 9,
            Vocabulary = tokens ? 11 : 0, EmbeddingDim = 5,
        };
        SensorNet net = TorchRuntime.Exclusive(() => new SensorNet(config));
        ExportedModel model = OnnxExporter.Export(net, new Dictionary<string, string>());
        var random = new Random(4);

        VerifyErrors errors = tokens
            ? ExportVerifier.VerifyTokens(net, model, [.. Enumerable.Range(0, 2 * 9).Select(_ => (long)random.Next(11))])
            : ExportVerifier.Verify(net, model, [.. Enumerable.Range(0, 9 * 3).Select(_ => (float)((random.NextDouble() * 4) - 2))]);

        Assert.True(errors.Max <= 1e-5, errors.ToString());
        Assert.Equal(tokens && !bidirectional, model.Step is not null);
        if (model.Step is not null)
        {
            long[] ids = [3, 1, 4, 1, 5, 9, 2, 6, 5];
            float[] streamed = ExportVerifier.RuntimeStreamTokens(RnnModel.Load(model.Step), ids);
            float[] expected = ExportVerifier.TorchForwardTokens(net, ids);
            Assert.All(expected.Zip(streamed), p => Assert.Equal(p.First, p.Second, 1e-5f));
        }

        float[] probabilities = tokens ? ExportVerifier.TorchForwardTokens(net, new long[9]) : ExportVerifier.TorchForward(net, new float[27], 9);
        Assert.True(probabilities.Max() < 0.9, "untrained outputs should not be saturated");
    }
}
