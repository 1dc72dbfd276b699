using EdgeRnn.Desktop.Reference;
using static EdgeRnn.Runtime.Tests.Graph.TestModels;

namespace EdgeRnn.Runtime.Tests.Graph;

/// <summary>
/// LSTM, GRU and RNN against ONNX Runtime 1.31.1 on random weights and 100+ step sequences: every direction, both
/// layouts (ORT refuses layout 1, so it runs the layout-0 twin on transposed data), linear_before_reset 0 / 1,
/// peepholes, initial states, sequence_lens, clip, batch 1..4.
/// </summary>
public class RecurrentOrtTests
{
    private const double Tolerance = 1e-5;

    public static TheoryData<string, string, int, int, int> Matrix()
    {
        var data = new TheoryData<string, string, int, int, int>();
        int seed = 1;
        foreach (string cell in new[] { "LSTM", "GRU0", "GRU1", "RNN" })
        {
            foreach (string dir in new[] { "forward", "reverse", "bidirectional" })
            {
                foreach (int layout in new[] { 0, 1 })
                {
                    data.Add(cell, dir, layout, (seed % 4) + 1, seed);
                    seed++;
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Matrix))]
    public void Run_RandomWeights_MatchesOnnxRuntime(string cell, string direction, int layout, int batch, int seed)
    {
        var spec = new RecurrentSpec(cell[..^(cell.StartsWith("GRU", StringComparison.Ordinal) ? 1 : 0)], Input: 5, Hidden: 24,
            direction, layout, LinearBeforeReset: cell == "GRU1" ? 1 : 0, InitialState: seed % 2 == 0);
        CheckAgainstOrt(spec, seqLen: 120, batch, seed);
    }

    [Theory]
    [InlineData("LSTM", "forward", 0)]
    [InlineData("LSTM", "bidirectional", 1)]
    [InlineData("LSTM", "reverse", 0)]
    public void Run_LstmPeepholesAndClip_MatchesOnnxRuntime(string cell, string direction, int layout)
    {
        CheckAgainstOrt(new RecurrentSpec(cell, 3, 16, direction, layout, Peepholes: true, InitialState: true, Clip: 2.5f), 110, 2, 11);
    }

    [Theory]
    [InlineData("LSTM", "forward")]
    [InlineData("LSTM", "bidirectional")]
    [InlineData("GRU", "reverse")]
    [InlineData("RNN", "bidirectional")]
    public void Run_SequenceLens_MatchesOnnxRuntime(string cell, string direction)
    {
        CheckAgainstOrt(new RecurrentSpec(cell, 4, 8, direction, LinearBeforeReset: 1, SequenceLens: true, InitialState: true), 100, 4, 21);
    }

    [Theory]
    [InlineData("LSTM", 64, 4)]
    [InlineData("GRU", 64, 8)]
    [InlineData("LSTM", 130, 7)]
    public void Run_WideHidden_MatchesOnnxRuntime(string cell, int hidden, int input)
    {
        CheckAgainstOrt(new RecurrentSpec(cell, input, hidden, LinearBeforeReset: 1), 150, 1, 31);
    }

    [Theory]
    [InlineData("LSTM", 14)]
    [InlineData("GRU", 14)]
    [InlineData("LSTM", 22)]
    [InlineData("RNN", 22)]
    public void Run_OpsetRange_MatchesOnnxRuntime(string cell, int opset)
    {
        CheckAgainstOrt(new RecurrentSpec(cell, 3, 12, "bidirectional", LinearBeforeReset: 1, InitialState: true, Opset: opset), 100, 2, 51);
    }

    [Fact]
    public void Run_NoBias_MatchesOnnxRuntime()
    {
        CheckAgainstOrt(new RecurrentSpec("GRU", 3, 10, Bias: false), 100, 2, 41);
    }

    private static void CheckAgainstOrt(RecurrentSpec spec, int seqLen, int batch, int seed)
    {
        byte[] model = Recurrent(spec, seed);
        Dictionary<string, Tensor> inputs = RecurrentInputs(spec, seqLen, batch, seed);
        IReadOnlyDictionary<string, Tensor> ours = RnnModel.Load(model).Run(inputs);

        Dictionary<string, Tensor> expected;
        if (spec.Layout == 0)
        {
            expected = OrtReference.Run(model, inputs);
        }
        else
        {
            // ORT 1.31.1 refuses layout = 1: run the layout-0 twin (same weights) on transposed inputs.
            byte[] twin = Recurrent(spec with { Layout = 0 }, seed);
            var twinInputs = inputs.ToDictionary(kv => kv.Key, kv => kv.Key == "lens" ? kv.Value : SwapFirstAxes(kv.Value));
            Dictionary<string, Tensor> r = OrtReference.Run(twin, twinInputs);
            expected = r.ToDictionary(kv => kv.Key, kv => kv.Key == "Y" ? YLayout0To1(kv.Value) : SwapFirstAxes(kv.Value));
        }

        foreach ((string name, Tensor e) in expected)
        {
            Compare.MaxAbs(e, ours[name], Tolerance, $"{spec} output {name}");
        }
    }
}
