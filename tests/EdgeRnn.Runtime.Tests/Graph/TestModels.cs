using EdgeRnn.Desktop.Onnx;
using EdgeRnn.Runtime.Onnx;

namespace EdgeRnn.Runtime.Tests.Graph;

/// <summary>Seeded random recurrent models built with <see cref="OnnxGraphBuilder"/>.</summary>
internal static class TestModels
{
    public static float[] Uniform(Random rng, int count, float scale)
    {
        var a = new float[count];
        for (int i = 0; i < a.Length; i++)
        {
            a[i] = (float)(((rng.NextDouble() * 2) - 1) * scale);
        }

        return a;
    }

    public static Tensor RandomTensor(Random rng, float scale, params int[] shape) => Tensor.FromFloat(Uniform(rng, Tensor.ElementCount(shape), scale), shape);

    public sealed record RecurrentSpec(
        string Cell, int Input, int Hidden, string Direction = "forward", int Layout = 0, int LinearBeforeReset = 0,
        bool Peepholes = false, bool InitialState = false, bool SequenceLens = false, bool Bias = true, float Clip = 0, int Opset = 17);

    /// <summary>
    /// One recurrent node with graph inputs X (and initial_h / initial_c / sequence_lens when asked) and outputs Y,
    /// Y_h (and Y_c for LSTM). Dimensions seq and batch are symbolic.
    /// </summary>
    public static byte[] Recurrent(RecurrentSpec s, int seed)
    {
        var rng = new Random(seed);
        int dirs = s.Direction == "bidirectional" ? 2 : 1;
        int gates = s.Cell switch { "LSTM" => 4, "GRU" => 3, _ => 1 };
        float scale = 1f / MathF.Sqrt(s.Hidden);
        var b = new OnnxGraphBuilder("test", s.Opset);
        OnnxDimension seq = OnnxDimension.Symbolic("seq");
        OnnxDimension batch = OnnxDimension.Symbolic("batch");
        OnnxDimension dirsDim = OnnxDimension.Fixed(dirs);
        OnnxDimension hid = OnnxDimension.Fixed(s.Hidden);
        b.AddInput("X", TensorElementType.Float, s.Layout == 0 ? [seq, batch, OnnxDimension.Fixed(s.Input)] : [batch, seq, OnnxDimension.Fixed(s.Input)]);
        OnnxDimension[] stateShape = s.Layout == 0 ? [dirsDim, batch, hid] : [batch, dirsDim, hid];
        if (s.InitialState)
        {
            b.AddInput("h0", TensorElementType.Float, stateShape);
            if (s.Cell == "LSTM")
            {
                b.AddInput("c0", TensorElementType.Float, stateShape);
            }
        }

        if (s.SequenceLens)
        {
            b.AddInput("lens", TensorElementType.Int32, batch);
        }

        Tensor w = RandomTensor(rng, scale, dirs, gates * s.Hidden, s.Input);
        Tensor r = RandomTensor(rng, scale, dirs, gates * s.Hidden, s.Hidden);
        Tensor? bias = s.Bias ? RandomTensor(rng, scale, dirs, 2 * gates * s.Hidden) : null;
        string[] outputs = s.Cell == "LSTM" ? ["Y", "Y_h", "Y_c"] : ["Y", "Y_h"];
        string? h0 = s.InitialState ? "h0" : null;
        string? lens = s.SequenceLens ? "lens" : null;
        OnnxNodeBuilder node = s.Cell switch
        {
            "LSTM" => b.AddLstm("rnn", "X", s.Hidden, w, r, bias, outputs, s.Direction, s.Layout, h0, s.InitialState ? "c0" : null,
                s.Peepholes ? RandomTensor(rng, scale, dirs, 3 * s.Hidden) : null, lens),
            "GRU" => b.AddGru("rnn", "X", s.Hidden, w, r, bias, outputs, s.Direction, s.LinearBeforeReset, s.Layout, h0, lens),
            _ => b.AddRnn("rnn", "X", s.Hidden, w, r, bias, outputs, s.Direction, s.Layout, h0, lens),
        };
        if (s.Clip > 0)
        {
            node.WithAttribute("clip", s.Clip);
        }

        b.AddOutput("Y", TensorElementType.Float);
        b.AddOutput("Y_h", TensorElementType.Float);
        if (s.Cell == "LSTM")
        {
            b.AddOutput("Y_c", TensorElementType.Float);
        }

        return b.ToBytes();
    }

    /// <summary>Inputs for <see cref="Recurrent"/>: X ~ U(-1.5, 1.5), states ~ U(-0.5, 0.5), random lengths.</summary>
    public static Dictionary<string, Tensor> RecurrentInputs(RecurrentSpec s, int seqLen, int batch, int seed)
    {
        var rng = new Random(seed + 7919);
        int dirs = s.Direction == "bidirectional" ? 2 : 1;
        var map = new Dictionary<string, Tensor>
        {
            ["X"] = s.Layout == 0 ? RandomTensor(rng, 1.5f, seqLen, batch, s.Input) : RandomTensor(rng, 1.5f, batch, seqLen, s.Input),
        };
        int[] stateShape = s.Layout == 0 ? [dirs, batch, s.Hidden] : [batch, dirs, s.Hidden];
        if (s.InitialState)
        {
            map["h0"] = RandomTensor(rng, 0.5f, stateShape);
            if (s.Cell == "LSTM")
            {
                map["c0"] = RandomTensor(rng, 0.5f, stateShape);
            }
        }

        if (s.SequenceLens)
        {
            // Lengths from 1 to seqLen, the first one full.
            map["lens"] = Tensor.FromInt64(TensorElementType.Int32, [.. Enumerable.Range(0, batch).Select(i => i == 0 ? (long)seqLen : rng.Next(1, seqLen + 1))], batch);
        }

        return map;
    }

    /// <summary>Swaps the first two axes of a tensor (layout 1 ⇄ layout 0 for X, initial states and Y_h).</summary>
    public static Tensor SwapFirstAxes(Tensor t)
    {
        int[] s = t.GetShape();
        int a = s[0];
        int bDim = s[1];
        int inner = t.Length / (a * bDim);
        var data = new float[t.Length];
        for (int i = 0; i < a; i++)
        {
            for (int j = 0; j < bDim; j++)
            {
                Array.Copy(t.FloatData!, ((i * bDim) + j) * inner, data, ((j * a) + i) * inner, inner);
            }
        }

        (s[0], s[1]) = (s[1], s[0]);
        return Tensor.FromFloat(data, s);
    }

    /// <summary>Y of layout 1 [batch, seq, dirs, H] from layout 0 [seq, dirs, batch, H].</summary>
    public static Tensor YLayout0To1(Tensor y)
    {
        int[] s = y.GetShape();
        int seq = s[0], dirs = s[1], batch = s[2], h = s[3];
        var data = new float[y.Length];
        for (int t = 0; t < seq; t++)
        {
            for (int d = 0; d < dirs; d++)
            {
                for (int b = 0; b < batch; b++)
                {
                    Array.Copy(y.FloatData!, (((t * dirs) + d) * batch + b) * h, data, (((b * seq) + t) * dirs + d) * h, h);
                }
            }
        }

        return Tensor.FromFloat(data, batch, seq, dirs, h);
    }
}
