using EdgeRnn.Desktop.Models;
using EdgeRnn.Desktop.Onnx;
using EdgeRnn.Desktop.Reference;
using EdgeRnn.Runtime.Onnx;
using static EdgeRnn.Runtime.Tests.Graph.TestModels;

namespace EdgeRnn.Runtime.Tests.Graph;

/// <summary>
/// <see cref="RnnModel.Step(RnnStreams, ReadOnlySpan{float}, Span{float})"/> against N separate
/// <see cref="RnnModel.Step(RnnState, ReadOnlySpan{float}, Span{float})"/> calls (bit for bit: outputs and saved
/// states), against ONNX Runtime running the N streams as its batch, per-stream reset / save / restore, and zero
/// allocation.
/// </summary>
public class MultiStreamTests
{
    private static readonly int[] s_counts = [1, 2, 3, 7, 16, 33];

    public static TheoryData<RecurrentCellKind, int, bool, int> Models()
    {
        var data = new TheoryData<RecurrentCellKind, int, bool, int>();
        foreach (RecurrentCellKind cell in Enum.GetValues<RecurrentCellKind>())
        {
            foreach (int layers in new[] { 1, 2 })
            {
                foreach (bool quantized in new[] { false, true })
                {
                    data.Add(cell, layers, quantized, cell == RecurrentCellKind.Gru ? 1 : 0);
                    if (cell == RecurrentCellKind.Gru)
                    {
                        data.Add(cell, layers, quantized, 0); // ONNX's default GRU: a third product R_h (r ⊙ h)
                    }
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void StepStreams_EveryCount_BitIdenticalToSeparateSteps(RecurrentCellKind cell, int layers, bool quantized, int linearBeforeReset)
    {
        const int Input = 5, Hidden = 40, Steps = 6;
        RnnModel model = RnnModel.Load(StreamingModel(cell, Input, Hidden, layers, quantized, linearBeforeReset, seed: 3));
        var rng = new Random(17);
        foreach (int n in s_counts)
        {
            RnnStreams streams = model.CreateStreams(n);
            // Float layers always take the batched step; int8 ones where the integer product batches (else per stream).
            Assert.Equal(!quantized || Runtime.Kernels.BatchedInt8MatVec.IsBatched, streams.Workspace.Length > 0);
            RnnState[] states = [.. Enumerable.Range(0, n).Select(_ => model.CreateState())];
            var outputs = new float[n * Input];
            var single = new float[Input];
            for (int t = 0; t < Steps; t++)
            {
                float[] inputs = Uniform(rng, n * Input, 1.5f);
                model.Step(streams, inputs, outputs);
                for (int s = 0; s < n; s++)
                {
                    model.Step(states[s], inputs.AsSpan(s * Input, Input), single);
                    AssertBitIdentical(single, outputs.AsSpan(s * Input, Input), $"{cell} L{layers} int8={quantized} N={n} t={t} stream {s}");
                }
            }

            for (int s = 0; s < n; s++)
            {
                Assert.Equal(Steps, streams[s].StepCount);
                Assert.Equal(states[s].ToArray(), streams[s].ToArray()); // same bytes: same h, c, step count and format
            }
        }
    }

    [Theory]
    [InlineData("LSTM", 0, false)]
    [InlineData("LSTM", 0, true)]
    [InlineData("GRU", 0, false)]
    [InlineData("GRU", 1, false)]
    [InlineData("RNN", 0, false)]
    [InlineData("LSTM", 2, false)] // clip
    public void StepStreams_StreamsAsOrtBatch_MatchOnnxRuntime(string cell, int linearBeforeReset, bool peepholes) // linearBeforeReset 2: LSTM with clip
    {
        // The whole-sequence graph streams with its state carried; ONNX Runtime runs the N streams as its batch.
        const int N = 7, T = 25, Input = 3, Hidden = 24;
        var spec = new RecurrentSpec(cell, Input, Hidden, LinearBeforeReset: linearBeforeReset == 1 ? 1 : 0, Peepholes: peepholes, Clip: linearBeforeReset == 2 ? 0.8f : 0);
        byte[] bytes = Recurrent(spec, seed: 8);
        Dictionary<string, Tensor> inputs = RecurrentInputs(spec, seqLen: T, batch: N, seed: 8);
        Tensor y = OrtReference.Run(bytes, inputs)["Y"]; // [T, 1, N, H]
        RnnModel model = RnnModel.Load(bytes);
        RnnStreams streams = model.CreateStreams(N);
        RnnState[] states = [.. Enumerable.Range(0, N).Select(_ => model.CreateState())];
        var outputs = new float[N * Hidden];
        var single = new float[Hidden];
        float[] x = inputs["X"].FloatData!; // [T, N, I]
        for (int t = 0; t < T; t++)
        {
            model.Step(streams, x.AsSpan(t * N * Input, N * Input), outputs);
            for (int i = 0; i < N * Hidden; i++)
            {
                Assert.Equal(y.FloatData![(t * N * Hidden) + i], outputs[i], 1e-5f);
            }

            // And exactly what separate steps give (peepholes, clip and the carried state included).
            for (int s = 0; s < N; s++)
            {
                model.Step(states[s], x.AsSpan(((t * N) + s) * Input, Input), single);
                AssertBitIdentical(single, outputs.AsSpan(s * Hidden, Hidden), $"{cell} t={t} stream {s}");
            }
        }
    }

    [Fact]
    public void StreamState_ResetSaveRestore_PerStreamInRnnStateFormat()
    {
        RnnModel model = RnnModel.Load(BuiltinModels.CreateStreaming(RecurrentCellKind.Lstm, 4, 32, layers: 2));
        RnnStreams streams = model.CreateStreams(3);
        RnnState[] states = [.. Enumerable.Range(0, 3).Select(_ => model.CreateState())];
        var rng = new Random(2);
        var outputs = new float[12];
        var single = new float[4];
        byte[]? saved = null;
        for (int t = 0; t < 30; t++)
        {
            if (t == 10)
            {
                // Stream 1 starts over; stream 0's state is saved to restore into stream 2 (and its twin) later.
                streams[1].Reset();
                states[1].Reset();
                saved = streams[0].ToArray();
                Assert.Equal(states[0].ToArray(), saved);
            }

            if (t == 20)
            {
                streams[2].ReadFrom(saved);
                states[2] = model.ReadState(new MemoryStream(saved!));
            }

            float[] inputs = Uniform(rng, 12, 1f);
            model.Step(streams, inputs, outputs);
            for (int s = 0; s < 3; s++)
            {
                model.Step(states[s], inputs.AsSpan(s * 4, 4), single);
                AssertBitIdentical(single, outputs.AsSpan(s * 4, 4), $"t={t} stream {s}");
            }
        }

        Assert.Equal([30L, 20L, 20L], [streams[0].StepCount, streams[1].StepCount, streams[2].StepCount]);
        streams.Reset();
        Assert.Equal(model.CreateState().ToArray(), streams[2].ToArray());
    }

    [Fact]
    public void StepStreams_WrongLengthsOrForeignStreams_Throw()
    {
        RnnModel model = RnnModel.Load(BuiltinModels.CreateStreaming(RecurrentCellKind.Gru, 4, 16));
        RnnModel other = RnnModel.Load(BuiltinModels.CreateStreaming(RecurrentCellKind.Gru, 4, 16));
        RnnStreams streams = model.CreateStreams(2);
        Assert.Throws<ArgumentException>(() => model.Step(streams, new float[7], new float[8]));
        Assert.Throws<ArgumentException>(() => model.Step(streams, new float[8], new float[4]));
        Assert.Throws<ArgumentException>(() => other.Step(streams, new float[8], new float[8]));
        Assert.Throws<ArgumentOutOfRangeException>(() => model.CreateStreams(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => streams[2]);
        Assert.Throws<ArgumentNullException>(() => model.Step((RnnStreams)null!, new float[8], new float[8]));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void StepStreams_SixteenStreams_AllocatesNothing(bool quantized)
    {
        RnnModel model = RnnModel.Load(quantized
            ? StreamingModel(RecurrentCellKind.Lstm, 4, 64, layers: 2, quantized: true, linearBeforeReset: 0, seed: 4)
            : BuiltinModels.CreateStreaming(RecurrentCellKind.Lstm, 4, 64, layers: 2));
        RnnStreams streams = model.CreateStreams(16);
        var inputs = new float[16 * 4];
        var outputs = new float[16 * 4];
        var warmup = System.Diagnostics.Stopwatch.StartNew();
        for (int i = 0; i < 200 || warmup.ElapsedMilliseconds < 300; i++)
        {
            model.Step(streams, inputs, outputs);
        }

        long least = long.MaxValue;
        for (int trial = 0; trial < 3; trial++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 2000; i++)
            {
                model.Step(streams, inputs, outputs);
            }

            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.Equal(0, least);
    }

    /// <summary>
    /// A streaming graph like <see cref="BuiltinModels.CreateStreaming"/>'s (x [1, 1, I], per layer state inputs
    /// h0_l / c0_l paired with outputs hn_l / cn_l, a MatMul + Add head to y [1, 1, I]); with <paramref name="quantized"/> each
    /// layer's W and R are int8 initializers with per-row scales through DequantizeLinear (qdq), which EdgeRnn runs
    /// with its integer kernels.
    /// </summary>
    private static byte[] StreamingModel(RecurrentCellKind kind, int input, int hidden, int layers, bool quantized, int linearBeforeReset, int seed)
    {
        RecurrentCell cell = RecurrentCell.For(kind);
        var rng = new Random(seed);
        float scale = 1f / MathF.Sqrt(hidden);
        int rows = cell.Gates * hidden;
        var b = new OnnxGraphBuilder("multistream", 17);
        OnnxDimension one = OnnxDimension.Fixed(1);
        b.AddInput("x", TensorElementType.Float, one, one, OnnxDimension.Fixed(input));
        b.AddInitializer("step_shape", Tensor.FromInt64([1, 1, hidden], 3));
        string layerInput = "x";
        int features = input;
        for (int l = 0; l < layers; l++)
        {
            b.AddInput($"h0_{l}", TensorElementType.Float, one, one, OnnxDimension.Fixed(hidden));
            if (cell.HasCellState)
            {
                b.AddInput($"c0_{l}", TensorElementType.Float, one, one, OnnxDimension.Fixed(hidden));
            }

            string w = Weight(b, rng, $"W{l}", rows, features, scale, quantized);
            string r = Weight(b, rng, $"R{l}", rows, hidden, scale, quantized);
            b.AddInitializer($"B{l}", RandomTensor(rng, scale, 1, 2 * rows));
            string[] inputs = cell.HasCellState ? [layerInput, w, r, $"B{l}", "", $"h0_{l}", $"c0_{l}"] : [layerInput, w, r, $"B{l}", "", $"h0_{l}"];
            string[] outputs = cell.HasCellState ? [$"y_{l}", $"hn_{l}", $"cn_{l}"] : [$"y_{l}", $"hn_{l}"];
            OnnxNodeBuilder node = b.AddNode(cell.OpType, inputs, outputs, $"rnn_{l}").WithAttribute("hidden_size", (long)hidden);
            if (kind == RecurrentCellKind.Gru && linearBeforeReset != 0)
            {
                node.WithAttribute("linear_before_reset", (long)linearBeforeReset);
            }

            b.AddNode("Reshape", [$"y_{l}", "step_shape"], [$"out_{l}"], $"reshape_{l}");
            layerInput = $"out_{l}";
            features = hidden;
        }

        b.AddMatMul("head", layerInput, RandomTensor(rng, scale, hidden, input), "head_out");
        b.AddInitializer("head.B", RandomTensor(rng, scale, input));
        b.AddNode("Add", ["head_out", "head.B"], ["y"], "head_add");
        b.AddOutput("y", TensorElementType.Float, one, one, OnnxDimension.Fixed(input));
        for (int l = 0; l < layers; l++)
        {
            b.AddOutput($"hn_{l}", TensorElementType.Float, one, one, OnnxDimension.Fixed(hidden));
            if (cell.HasCellState)
            {
                b.AddOutput($"cn_{l}", TensorElementType.Float, one, one, OnnxDimension.Fixed(hidden));
            }
        }

        return b.ToBytes();
    }

    /// <summary>A [1, rows, columns] weight: a float initializer, or int8 values with per-row scales through DequantizeLinear.</summary>
    private static string Weight(OnnxGraphBuilder b, Random rng, string name, int rows, int columns, float scale, bool quantized)
    {
        if (!quantized)
        {
            b.AddInitializer(name, RandomTensor(rng, scale, 1, rows, columns));
            return name;
        }

        b.AddInitializer(name + "_q", Tensor.FromInt64(TensorElementType.Int8, [.. Enumerable.Range(0, rows * columns).Select(_ => (long)rng.Next(-127, 128))], 1, rows, columns));
        b.AddInitializer(name + "_s", Tensor.FromFloat([.. Enumerable.Range(0, rows).Select(_ => scale / 127f * (0.5f + rng.NextSingle()))], rows));
        b.AddNode("DequantizeLinear", [name + "_q", name + "_s"], [name], "dq_" + name).WithAttribute("axis", 1L);
        return name;
    }

    private static void AssertBitIdentical(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string context)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i]),
                $"{context}: output {i} expected {expected[i]:R} but was {actual[i]:R}.");
        }
    }
}
