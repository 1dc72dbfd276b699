using EdgeRnn.Desktop.Models;

namespace EdgeRnn.Runtime.Tests.Tools;

public sealed class BuiltinModelsTests
{
    [Theory]
    [InlineData(RecurrentCellKind.Lstm, 1)]
    [InlineData(RecurrentCellKind.Lstm, 3)]
    [InlineData(RecurrentCellKind.Gru, 2)]
    [InlineData(RecurrentCellKind.Rnn, 2)]
    public void CreateStreaming_Streams_PairsEachLayersState(RecurrentCellKind cell, int layers)
    {
        RnnModel model = RnnModel.Load(BuiltinModels.CreateStreaming(cell, inputSize: 4, hiddenSize: 16, layers: layers));

        Assert.True(model.CanStream, model.StreamingError);
        Assert.Equal([("x", 4)], model.StepInputs);
        Assert.Equal([("y", 4)], model.StepOutputs);
        var expected = new List<(string, string)>();
        for (int l = 0; l < layers; l++)
        {
            expected.Add(($"h0_{l}", $"hn_{l}"));
            if (RecurrentCell.For(cell).HasCellState)
            {
                expected.Add(($"c0_{l}", $"cn_{l}"));
            }
        }

        Assert.Equal(expected.Order(), model.StatePairs.Order());
    }

    [Fact]
    public void CreateStreaming_StepMatchesRunWithCarriedState()
    {
        RnnModel model = RnnModel.Load(BuiltinModels.CreateStreaming(RecurrentCellKind.Gru, inputSize: 2, hiddenSize: 8, layers: 2));
        RnnState state = model.CreateState();
        var feed = model.Inputs.ToDictionary(i => i.Name, i => Tensor.Zeros(TensorElementType.Float, [.. i.Shape!.Select(d => (int)d.Value)]));
        var y = new float[2];
        for (int t = 0; t < 5; t++)
        {
            float[] x = [t * 0.1f, -t * 0.2f];
            model.Step(state, x, y);
            feed["x"] = Tensor.FromFloat(x, 1, 1, 2);
            IReadOnlyDictionary<string, Tensor> outputs = model.Run(feed);
            Assert.Equal(outputs["y"].FloatData!, y);
            foreach ((string input, string output) in model.StatePairs)
            {
                feed[input] = outputs[output];
            }
        }
    }
}
