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

    [Theory]
    [InlineData(RecurrentCellKind.Lstm, 2)]
    [InlineData(RecurrentCellKind.Gru, 2)]
    [InlineData(RecurrentCellKind.Rnn, 1)]
    public void Ensemble_ForecastsTheMembersAverage_AndExportsAsOneVerifiedModel(RecurrentCellKind cell, int layers)
    {
        (SensorRecording recording, _) = SyntheticRecording.Generate(500, 2, seed: 13, anomalies: 10, cleanFraction: 0.1);
        var shape = new ModelConfig { Task = TrainTask.Forecast, Cell = cell, Hidden = 6, Layers = layers };
        TrainOptions options = s_fast with { Epochs = 2, Seed = 2 };
        TrainResult ensemble = Trainer.Train(recording, shape, options with { Ensemble = 3 });
        Assert.Equal(18, ensemble.Net.Config.Hidden);
        Assert.Equal(3, ensemble.History.Members.Count);

        // The members, trained on their own with the seeds the ensemble gives them (seed x 3 + k), are what it averages.
        TrainResult[] members = [.. Enumerable.Range(0, 3).Select(k => Trainer.Train(recording, shape, options with { Seed = (2 * 3) + k }))];
        float[] input = ensemble.Normalized.AsSpan(ensemble.TrainRows * 2, 40 * 2).ToArray();
        float[] Forecast(SensorNet net) => TorchRuntime.Exclusive(() =>
        {
            using var scope = TorchSharp.torch.NewDisposeScope();
            using var noGrad = TorchSharp.torch.no_grad();
            net.eval();
            return net.call(TorchSharp.torch.tensor(input).reshape(40, 1, 2)).data<float>().ToArray();
        });
        float[] together = Forecast(ensemble.Net);
        float[][] apart = [.. members.Select(m => Forecast(m.Net))];
        for (int i = 0; i < together.Length; i++)
        {
            float mean = (apart[0][i] + apart[1][i] + apart[2][i]) / 3;
            Assert.True(Math.Abs(together[i] - mean) <= 1e-5, $"element {i}: ensemble {together[i]}, members' mean {mean}");
        }

        Assert.True(apart[0].Zip(apart[1]).Any(p => Math.Abs(p.First - p.Second) > 1e-3), "the members differ, so the average is not one of them");
        ExportedModel model = OnnxExporter.Export(ensemble.Net, new Dictionary<string, string>());
        VerifyErrors errors = ExportVerifier.Verify(ensemble.Net, model, input);
        Assert.True(errors.Max <= 1e-4, errors.ToString());
    }

    [Fact]
    public void Ensemble_OfAWindowTask_IsRefused()
    {
        (SensorRecording recording, _) = SyntheticRecording.Generate(300, 2, seed: 1, anomalies: 5, cleanFraction: 0.1);
        var e = Assert.Throws<ArgumentException>(() => Trainer.Train(recording, new ModelConfig { Task = TrainTask.Autoencoder, Hidden = 4 }, s_fast with { Ensemble = 2, Epochs = 1 }));
        Assert.Contains("--ensemble is for forecast models", e.Message, StringComparison.Ordinal);
    }
}
