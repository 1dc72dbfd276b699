using System.Diagnostics;
using EdgeRnn.Desktop.Onnx;
using EdgeRnn.Runtime.Onnx;
using static EdgeRnn.Runtime.Tests.Graph.TestModels;

namespace EdgeRnn.Runtime.Tests.Graph;

/// <summary>
/// Shapes computed from a hostile file: sizes that overflow 32 or 64 bits are refused naming the node, never wrapped
/// into a small size; lengths are checked at load when known; everything the planner allocates stays in the budget.
/// </summary>
public class HostileShapeTests
{
    private static readonly OnnxDimension s_one = OnnxDimension.Fixed(1);

    [Theory]
    [InlineData(1L << 62, 1, "4 x 4611686018427387904 = 18446744073709551616")] // wraps to 0 in 64 bits
    [InlineData((1L << 62) + 1, 1, "4 x 4611686018427387905 = 18446744073709551620")] // wraps to 4
    [InlineData(1L << 29, 1, "4 x 536870912 = 2147483648")] // past int
    public void Load_TileDimensionOverflows_ThrowsNamingNode(long repeats0, long repeats1, string product)
    {
        var g = new OnnxGraphBuilder("tile");
        g.AddInput("x", TensorElementType.Float, OnnxDimension.Fixed(4), s_one);
        g.AddInitializer("r", Tensor.FromInt64([repeats0, repeats1], 2));
        g.AddNode("Tile", ["x", "r"], ["y"], "tile");
        g.AddOutput("y", TensorElementType.Float);
        ModelFormatException e = Assert.Throws<ModelFormatException>(() => RnnModel.Load(g.ToBytes(), null, "tile.onnx"));
        Assert.StartsWith("tile.onnx: node 'tile' (Tile, #0) has tiled dimension 0", e.Message, StringComparison.Ordinal);
        Assert.Contains(product, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_TileNegativeRepeats_ThrowsNamingNode()
    {
        var g = new OnnxGraphBuilder("tile");
        g.AddInput("x", TensorElementType.Float, OnnxDimension.Fixed(0), s_one);
        g.AddInitializer("r", Tensor.FromInt64([-3, 1], 2));
        g.AddNode("Tile", ["x", "r"], ["y"], "tile");
        g.AddOutput("y", TensorElementType.Float);
        ModelFormatException e = Assert.Throws<ModelFormatException>(() => RnnModel.Load(g.ToBytes(), null, "tile.onnx"));
        Assert.Contains("node 'tile' (Tile, #0) repeats axis 0 -3 times", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(long.MaxValue, 0L, "padded dimension 0")]
    [InlineData(long.MaxValue, long.MaxValue, "padded dimension 0")]
    [InlineData(long.MinValue, long.MinValue, "crops 18446744073709551616 elements from axis 0")] // 3 - 2^64 wraps to 3
    [InlineData(-2L, -2L, "crops 4 elements from axis 0")]
    public void Load_PadSizesOverflow_ThrowsNamingNode(long begin, long end, string expected)
    {
        var g = new OnnxGraphBuilder("pad");
        g.AddInput("x", TensorElementType.Float, OnnxDimension.Fixed(3), s_one);
        g.AddInitializer("p", Tensor.FromInt64([begin, 0, end, 0], 4));
        g.AddNode("Pad", ["x", "p"], ["y"], "pad");
        g.AddOutput("y", TensorElementType.Float);
        ModelFormatException e = Assert.Throws<ModelFormatException>(() => RnnModel.Load(g.ToBytes(), null, "pad.onnx"));
        Assert.Contains("node 'pad' (Pad, #0)", e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ConcatDimensionOverflowsInt_ThrowsNamingNode()
    {
        // 130 x 2^24 > 2^31: the sum wrapped in 32 bits before. Planning charges the input buffer but never allocates it.
        var g = new OnnxGraphBuilder("concat");
        g.AddInput("x", TensorElementType.Float, OnnxDimension.Fixed(1 << 24));
        g.AddNode("Concat", [.. Enumerable.Repeat("x", 130)], ["y"], "concat").WithAttribute("axis", 0L);
        g.AddOutput("y", TensorElementType.Float);
        var options = new ModelLoadOptions { MaxLoadBytes = 1L << 40 };
        ModelFormatException e = Assert.Throws<ModelFormatException>(() => RnnModel.Load(g.ToBytes(), options, "concat.onnx"));
        Assert.Contains("node 'concat' (Concat, #0) has concatenated dimension 2181038080", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ReshapeTargetProductOverflowsLong_ThrowsNamingNode()
    {
        var g = new OnnxGraphBuilder("reshape");
        g.AddInput("x", TensorElementType.Float, OnnxDimension.Fixed(2));
        g.AddInitializer("s", Tensor.FromInt64([int.MaxValue, int.MaxValue, int.MaxValue, int.MaxValue, -1], 5));
        g.AddNode("Reshape", ["x", "s"], ["y"], "reshape");
        g.AddOutput("y", TensorElementType.Float);
        ModelFormatException e = Assert.Throws<ModelFormatException>(() => RnnModel.Load(g.ToBytes(), null, "reshape.onnx"));
        Assert.Contains("node 'reshape' (Reshape, #0)", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(long.MinValue, long.MaxValue, long.MaxValue, 1f)] // from the start, a step past the end: the first element
    [InlineData(long.MaxValue, long.MinValue, long.MinValue, 5f)] // backwards from the end, one huge step: the last
    [InlineData(long.MaxValue, long.MinValue, -2L, 5f)] // backwards by two: 5, 3, 1
    public void Run_SliceWithExtremeStartsEndsAndSteps_ClampsLikeOnnx(long start, long end, long step, float first)
    {
        var g = new OnnxGraphBuilder("slice");
        g.AddInput("x", TensorElementType.Float, OnnxDimension.Fixed(5));
        g.AddInitializer("starts", Tensor.FromInt64([start], 1));
        g.AddInitializer("ends", Tensor.FromInt64([end], 1));
        g.AddInitializer("axes", Tensor.FromInt64([0], 1));
        g.AddInitializer("steps", Tensor.FromInt64([step], 1));
        g.AddNode("Slice", ["x", "starts", "ends", "axes", "steps"], ["y"], "slice");
        g.AddOutput("y", TensorElementType.Float);
        RnnModel model = RnnModel.Load(g.ToBytes(), null, "slice.onnx");
        float[] y = model.Run(Tensor.FromFloat([1, 2, 3, 4, 5], 5))[0].FloatData!;
        Assert.Equal(first, y[0]);
        Assert.Equal(step == -2 ? [5f, 3f, 1f] : [first], y);
    }

    [Fact]
    public void Load_MatMulWithEmptyRowsButHugeBatch_RefusedByBudgetBeforeMakingItsMaps()
    {
        // The output is empty (M = 0), but the broadcast batch is 4096 x 4096: four int maps of 64 MB each.
        var g = new OnnxGraphBuilder("matmul");
        g.AddInput("a", TensorElementType.Float, OnnxDimension.Fixed(4096), s_one, OnnxDimension.Fixed(0), OnnxDimension.Fixed(8));
        g.AddInput("b", TensorElementType.Float, s_one, OnnxDimension.Fixed(4096), OnnxDimension.Fixed(8), OnnxDimension.Fixed(3));
        g.AddNode("MatMul", ["a", "b"], ["y"], "mm");
        g.AddOutput("y", TensorElementType.Float);
        byte[] bytes = g.ToBytes();
        long before = GC.GetAllocatedBytesForCurrentThread();
        ModelFormatException e = Assert.Throws<ModelFormatException>(() => RnnModel.Load(bytes, null, "mm.onnx"));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Contains("node 'mm' (MatMul, #0) index map (67108864 entries)", e.Message, StringComparison.Ordinal);
        Assert.Contains("ModelLoadOptions.MaxLoadBytes", e.Message, StringComparison.Ordinal);
        Assert.True(allocated < 8L << 20, $"{allocated} bytes allocated");
    }

    [Fact]
    public void Load_ConstantSequenceLensLongerThanTheSequence_ThrowsNamingNode()
    {
        var rng = new Random(3);
        var g = new OnnxGraphBuilder("lens");
        g.AddInput("X", TensorElementType.Float, OnnxDimension.Fixed(3), s_one, OnnxDimension.Fixed(2));
        g.AddInitializer("lens", Tensor.FromInt64(TensorElementType.Int32, [4], 1));
        g.AddLstm("lstm", "X", 4, RandomTensor(rng, 0.5f, 1, 16, 2), RandomTensor(rng, 0.5f, 1, 16, 4), null, ["Y"], sequenceLens: "lens");
        g.AddOutput("Y", TensorElementType.Float);
        ModelFormatException e = Assert.Throws<ModelFormatException>(() => RnnModel.Load(g.ToBytes(), null, "lens.onnx"));
        Assert.Contains("node 'lstm' (LSTM, #0) has sequence_lens 'lens'[0] = 4; each length must be between 0 and 3", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-1L)]
    [InlineData(6L)]
    [InlineData(long.MinValue)]
    public void Run_SequenceLensInputOutOfRange_ThrowsNamingNodeBeforeAnyStep(long length)
    {
        var spec = new RecurrentSpec("GRU", Input: 3, Hidden: 4, SequenceLens: true);
        RnnModel model = RnnModel.Load(Recurrent(spec, seed: 1), null, "gru.onnx");
        Dictionary<string, Tensor> inputs = RecurrentInputs(spec, seqLen: 5, batch: 2, seed: 1);
        inputs["lens"] = Tensor.FromInt64(TensorElementType.Int32, [5, length], 2);
        ArgumentOutOfRangeException e = Assert.Throws<ArgumentOutOfRangeException>(() => model.Run(inputs));
        Assert.Contains($"Node 'rnn' got sequence length {length}; it must be between 0 and 5", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ConstantsThatFitOncePerPlan_TheStreamingPlanSharesTheModelsBudget()
    {
        // Fuzz finding 6: four 8 MiB constants fit a 48 MiB budget once, and the whole-sequence plan (built at load) and
        // the streaming plan each folded them on their own budget, so the model held twice the budget. Now the streaming
        // plan gets what the model and the kept whole-sequence plan leave, and is refused naming the node.
        var g = new OnnxGraphBuilder("twice");
        g.AddInput("x", TensorElementType.Float, s_one);
        g.AddInitializer("s", Tensor.FromInt64([1024, 1024], 2));
        g.AddNode("ConstantOfShape", ["s"], ["c"], "big");
        g.AddNode("Add", ["x", "c"], ["y"], "add");
        g.AddOutput("y", TensorElementType.Float);
        byte[] bytes = g.ToBytes();
        var options = new ModelLoadOptions { MaxLoadBytes = 16L << 20 }; // the 4 MiB constant, the 4 MiB sum and its 4 MiB index map fit once
        RnnModel tight = RnnModel.Load(bytes, options, "twice.onnx");
        Assert.False(tight.CanStream);
        Assert.Contains("node 'big' (ConstantOfShape, #0)", tight.StreamingError, StringComparison.Ordinal);
        Assert.Contains("ModelLoadOptions.MaxLoadBytes", tight.StreamingError, StringComparison.Ordinal);

        // With room for both, both plans exist and agree.
        RnnModel roomy = RnnModel.Load(bytes, new ModelLoadOptions { MaxLoadBytes = 40L << 20 }, "twice.onnx");
        Assert.True(roomy.CanStream);
    }

    [Fact]
    public void Load_FoldingAHugeConstantProduct_RefusedBeforeComputingIt()
    {
        // A few hundred bytes that ask for 2^28 multiply-adds at load: the budget bounds the sizes, not the inner dimension.
        var g = new OnnxGraphBuilder("fold");
        g.AddInput("x", TensorElementType.Float, s_one);
        g.AddInitializer("sa", Tensor.FromInt64([1024, 1024], 2));
        g.AddInitializer("sb", Tensor.FromInt64([1024, 256], 2));
        g.AddNode("ConstantOfShape", ["sa"], ["a"], "ca");
        g.AddNode("ConstantOfShape", ["sb"], ["b"], "cb");
        g.AddNode("MatMul", ["a", "b"], ["p"], "mm");
        g.AddNode("Add", ["x", "p"], ["y"], "add");
        g.AddOutput("y", TensorElementType.Float);
        var watch = Stopwatch.StartNew();
        ModelFormatException e = Assert.Throws<ModelFormatException>(() => RnnModel.Load(g.ToBytes(), null, "fold.onnx"));
        Assert.Contains("node 'mm' (MatMul, #2) computes a constant, but folding it at load would take 268435456 multiply-adds", e.Message, StringComparison.Ordinal);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"{watch.Elapsed.TotalSeconds:0.0} s");
    }

    [Fact]
    public void CreateState_DenseGraphWithManyInputs_StatePairingBoundedAndNamesTheMetadataKey()
    {
        // 64 inputs, 4000 nodes each reading the 64 values before it: following the data flow from every input used
        // to cost inputs x edges (16 M steps, a HashSet entry each).
        var g = new OnnxGraphBuilder("dense");
        var recent = new Queue<string>();
        for (int i = 0; i < 64; i++)
        {
            g.AddInput($"x{i}", TensorElementType.Float, OnnxDimension.Fixed(0));
            recent.Enqueue($"x{i}");
        }

        for (int j = 0; j < 4000; j++)
        {
            g.AddNode("Concat", [.. recent], [$"c{j}"]).WithAttribute("axis", 0L);
            recent.Dequeue();
            recent.Enqueue($"c{j}");
        }

        g.AddOutput("c3999", TensorElementType.Float);
        RnnModel model = RnnModel.Load(g.ToBytes(), null, "dense.onnx");
        long before = GC.GetAllocatedBytesForCurrentThread();
        var watch = Stopwatch.StartNew();
        NotSupportedException e = Assert.Throws<NotSupportedException>(() => model.CreateState());
        watch.Stop();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Contains("name the pairs in metadata 'edgernn.state_pairs'", e.Message, StringComparison.Ordinal);
        Assert.True(allocated < 64L << 20, $"{allocated / 1048576.0:0.0} MB allocated");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"{watch.Elapsed.TotalSeconds:0.0} s");
    }

    [Fact]
    public void Load_LongChainOfFoldedNodes_BoundedMemoryAndTime()
    {
        // Each fold used to make a frame over every slot so far: O(nodes^2) bytes and time.
        var g = new OnnxGraphBuilder("fold");
        g.AddInput("x", TensorElementType.Float, s_one);
        g.AddInitializer("one", Tensor.FromFloat([1f], 1));
        string previous = "one";
        for (int i = 0; i < 5000; i++)
        {
            g.AddNode("Add", [previous, "one"], [$"v{i}"]);
            previous = $"v{i}";
        }

        g.AddNode("Add", ["x", previous], ["y"]);
        g.AddOutput("y", TensorElementType.Float);
        byte[] bytes = g.ToBytes();
        long before = GC.GetAllocatedBytesForCurrentThread();
        var watch = Stopwatch.StartNew();
        RnnModel model = RnnModel.Load(bytes, null, "fold.onnx");
        watch.Stop();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(5002f, model.Run(Tensor.FromFloat([1f], 1))[0].FloatData![0]);
        Assert.True(allocated < 24L << 20, $"{allocated / 1048576.0:0.0} MB allocated");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"{watch.Elapsed.TotalSeconds:0.0} s");
    }
}
