using EdgeRnn.Train.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace EdgeRnn.Train.Tests;

/// <summary>
/// libtorch's recurrent layers stay off oneDNN, whose LSTM kernels compute wrong outputs on some AVX-512 CPUs (issue
/// 10: AMD Zen 5, hidden 16, max |diff| 0.23). The switch must reach the libtorch TorchSharp loaded: these tests read
/// libtorch's own flag, show that flipping it changes the kernel that runs, and hold the result to a float64 reference.
/// </summary>
[Collection(TorchGlobalState.Name)]
public sealed class LibTorchNumericsTests
{
    private const int Input = 3;
    private const int Steps = 200;

    [Fact]
    public void Initialize_SwitchesOneDnnOffInLoadedLibTorch()
    {
        TorchRuntime.Initialize(threads: 1, seed: 3);

        Assert.False(LibTorchNumerics.IsOneDnnEnabled);
    }

    [Theory]
    [InlineData(16, 1)]
    [InlineData(16, 2)]
    [InlineData(64, 1)]
    [InlineData(64, 2)]
    public void LstmForward_AfterInitialize_MatchesFloat64Reference(int hidden, int layers)
    {
        TorchRuntime.Initialize(threads: 1, seed: 5);
        using var lstm = nn.LSTM(Input, hidden, numLayers: layers);
        float[] x = RandomInput(seed: hidden + layers);

        float[] ours = Forward(lstm, x, hidden);
        double[] reference = Reference(lstm, x, hidden, layers);

        double max = ours.Select((v, i) => Math.Abs(v - reference[i])).Max();
        Assert.True(max < 1e-5, $"LSTM hidden {hidden} x {layers}: max |torch - float64 reference| = {max:E2}");
    }

    [Fact]
    public void LstmForward_OneDnnSwitch_ChangesTheKernelThatRuns()
    {
        TorchRuntime.Initialize(threads: 1, seed: 9);
        using var lstm = nn.LSTM(Input, 16);
        float[] x = RandomInput(seed: 9);
        float[] aten = Forward(lstm, x, 16);
        try
        {
            LibTorchNumerics.EnableOneDnnForTesting();
            Assert.True(LibTorchNumerics.IsOneDnnEnabled);
            float[] oneDnn = Forward(lstm, x, 16);

            // Another kernel sums in another order: some of the 3,200 outputs differ in their last bits (or by far more,
            // on the CPUs where oneDNN is wrong). Equal bits would mean the switch did not reach the kernel choice.
            Assert.NotEqual(aten, oneDnn);
        }
        finally
        {
            LibTorchNumerics.DisableOneDnn();
        }

        Assert.Equal(aten, Forward(lstm, x, 16));
    }

    private static float[] RandomInput(int seed)
    {
        var rng = new Random(seed);
        return [.. Enumerable.Range(0, Steps * Input).Select(_ => (float)((rng.NextDouble() * 4) - 2))];
    }

    private static float[] Forward(TorchSharp.Modules.LSTM lstm, float[] x, int hidden)
    {
        using var _ = no_grad();
        using Tensor input = tensor(x, [Steps, 1, Input]);
        (Tensor y, Tensor h, Tensor c) = lstm.call(input, null);
        using (h)
        using (c)
        using (y)
        {
            float[] result = y.data<float>().ToArray();
            Assert.Equal(Steps * hidden, result.Length);
            return result;
        }
    }

    /// <summary>PyTorch's LSTM in float64: gates (i, f, g, o) = W_ih x + b_ih + W_hh h + b_hh.</summary>
    private static double[] Reference(TorchSharp.Modules.LSTM lstm, float[] x, int hidden, int layers)
    {
        double[] sequence = [.. x.Select(v => (double)v)];
        int width = Input;
        for (int layer = 0; layer < layers; layer++)
        {
            float[] wih = Parameter(lstm, $"weight_ih_l{layer}");
            float[] whh = Parameter(lstm, $"weight_hh_l{layer}");
            float[] bih = Parameter(lstm, $"bias_ih_l{layer}");
            float[] bhh = Parameter(lstm, $"bias_hh_l{layer}");
            var h = new double[hidden];
            var c = new double[hidden];
            var gates = new double[4 * hidden];
            var output = new double[Steps * hidden];
            for (int t = 0; t < Steps; t++)
            {
                for (int r = 0; r < 4 * hidden; r++)
                {
                    double sum = bih[r] + (double)bhh[r];
                    for (int k = 0; k < width; k++)
                    {
                        sum += wih[(r * width) + k] * sequence[(t * width) + k];
                    }

                    for (int k = 0; k < hidden; k++)
                    {
                        sum += whh[(r * hidden) + k] * h[k];
                    }

                    gates[r] = sum;
                }

                for (int j = 0; j < hidden; j++)
                {
                    double i = Sigmoid(gates[j]), f = Sigmoid(gates[hidden + j]), g = Math.Tanh(gates[(2 * hidden) + j]), o = Sigmoid(gates[(3 * hidden) + j]);
                    c[j] = (f * c[j]) + (i * g);
                    h[j] = o * Math.Tanh(c[j]);
                    output[(t * hidden) + j] = h[j];
                }
            }

            sequence = output;
            width = hidden;
        }

        return sequence;
    }

    private static float[] Parameter(TorchSharp.Modules.LSTM lstm, string name)
    {
        foreach ((string n, TorchSharp.Modules.Parameter p) in lstm.named_parameters())
        {
            if (n == name)
            {
                return p.data<float>().ToArray();
            }
        }

        throw new InvalidOperationException($"the LSTM has no parameter {name}");
    }

    private static double Sigmoid(double v) => 1 / (1 + Math.Exp(-v));
}

/// <summary>
/// Tests that flip libtorch's process-wide oneDNN switch: xunit runs this collection alone, after the parallel ones, so
/// no training in another test class ever sees the switch on.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TorchGlobalState
{
    public const string Name = "libtorch global state";
}
