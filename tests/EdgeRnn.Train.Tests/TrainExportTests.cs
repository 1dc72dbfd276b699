using EdgeRnn.Runtime;
using EdgeRnn.Train.Data;
using EdgeRnn.Train.Export;
using EdgeRnn.Train.Models;
using EdgeRnn.Train.Training;

namespace EdgeRnn.Train.Tests;

public sealed class TrainExportTests
{
    private static readonly TrainOptions s_fast = new() { Epochs = 3, SequenceLength = 16, Stride = 4, BatchSize = 16, Threads = 1, Seed = 3 };

    [Theory]
    [InlineData(TrainTask.Forecast, RecurrentCellKind.Lstm, 2)]
    [InlineData(TrainTask.Forecast, RecurrentCellKind.Gru, 2)]
    [InlineData(TrainTask.Forecast, RecurrentCellKind.Rnn, 1)]
    [InlineData(TrainTask.Autoencoder, RecurrentCellKind.Lstm, 1)]
    [InlineData(TrainTask.Autoencoder, RecurrentCellKind.Gru, 2)]
    [InlineData(TrainTask.Classify, RecurrentCellKind.Lstm, 1)]
    [InlineData(TrainTask.Classify, RecurrentCellKind.Rnn, 2)]
    public void Train_ThenExport_TorchOrtAndRuntimeAgree(TrainTask task, RecurrentCellKind cell, int layers)
    {
        (SensorRecording recording, _) = SyntheticRecording.Generate(600, 3, seed: 11, anomalies: 20, cleanFraction: 0.1);
        if (task == TrainTask.Classify)
        {
            recording = new SensorRecording(recording.Features, recording.Timestamps, recording.Values, [.. recording.Labels!.Select(l => l == 0 ? 0 : 1)], "anomaly");
        }

        TrainResult result = Trainer.Train(recording, new ModelConfig { Task = task, Cell = cell, Hidden = 12, Layers = layers, Dropout = 0.1 }, s_fast);

        Assert.Equal(3, result.History.Epochs.Count);
        Assert.All(result.History.Epochs, e => Assert.True(double.IsFinite(e.TrainLoss) && double.IsFinite(e.ValidationLoss)));
        ExportedModel model = OnnxExporter.Export(result.Net, new Dictionary<string, string>());
        int steps = task == TrainTask.Forecast ? 120 : s_fast.SequenceLength;
        float[] heldBack = result.Normalized.AsSpan(result.TrainRows * 3, steps * 3).ToArray();
        VerifyErrors errors = ExportVerifier.Verify(result.Net, model, heldBack);
        Assert.True(errors.Max <= 1e-4, errors.ToString());
    }

    [Theory]
    [InlineData(TrainTask.Classify, RecurrentCellKind.Lstm, 2)]
    [InlineData(TrainTask.Classify, RecurrentCellKind.Gru, 1)]
    [InlineData(TrainTask.Classify, RecurrentCellKind.Rnn, 1)]
    [InlineData(TrainTask.Autoencoder, RecurrentCellKind.Lstm, 1)]
    [InlineData(TrainTask.Autoencoder, RecurrentCellKind.Gru, 2)]
    [InlineData(TrainTask.Autoencoder, RecurrentCellKind.Rnn, 1)]
    public void Bidirectional_TrainThenExport_TorchOrtAndRuntimeAgree(TrainTask task, RecurrentCellKind cell, int layers)
    {
        (SensorRecording recording, _) = SyntheticRecording.Generate(400, 3, seed: 5, anomalies: 12, cleanFraction: 0.1);
        if (task == TrainTask.Classify)
        {
            recording = new SensorRecording(recording.Features, recording.Timestamps, recording.Values, [.. recording.Labels!.Select(l => l == 0 ? 0 : 1)], "anomaly");
        }

        TrainResult result = Trainer.Train(recording, new ModelConfig { Task = task, Cell = cell, Hidden = 8, Layers = layers, Bidirectional = true }, s_fast with { Epochs = 2 });

        ExportedModel model = OnnxExporter.Export(result.Net, new Dictionary<string, string>());
        Assert.Null(model.Sequence);
        float[] heldBack = result.Normalized.AsSpan(result.TrainRows * 3, s_fast.SequenceLength * 3).ToArray();
        VerifyErrors errors = ExportVerifier.Verify(result.Net, model, heldBack);
        Assert.True(errors.Max <= 1e-4, errors.ToString());
        Assert.False(EdgeRnn.Runtime.RnnModel.Load(model.Main).CanStream);
    }

    [Fact]
    public void Bidirectional_Forecast_IsRefused()
    {
        var e = Assert.Throws<ArgumentException>(() => new SensorNet(new ModelConfig { Task = TrainTask.Forecast, Features = 2, Hidden = 4, Bidirectional = true }));
        Assert.Contains("stream", e.Message, StringComparison.Ordinal);
    }
}
