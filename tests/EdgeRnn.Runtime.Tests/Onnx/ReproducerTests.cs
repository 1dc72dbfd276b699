using System.Diagnostics;
using EdgeRnn.Deployment.Metadata;
using Xunit.Abstractions;

namespace EdgeRnn.Runtime.Tests.Onnx;

/// <summary>
/// The hostile models found by fuzzing the released device binary (shared/repro/models, see its README): each must end
/// in a clear <see cref="ModelFormatException"/> naming what is wrong, within 64 MB of managed allocation and a bounded
/// time (asserted generously: a guard, not a benchmark).
/// </summary>
public class ReproducerTests(ITestOutputHelper output)
{
    private const long MaxAllocatedBytes = 64L << 20;
    private static readonly TimeSpan s_maxTime = TimeSpan.FromSeconds(10);

    [Fact]
    public void Load_InitializersInSplitGraphField_RefusedByCountBeforeParsing()
    {
        ModelFormatException e = LoadFails("initializers_2M_split_graph_field.onnx");
        Assert.Contains("more than 10000 initializers", e.Message, StringComparison.Ordinal);
        Assert.Contains("ModelLoadOptions.MaxInitializers", e.Message, StringComparison.Ordinal);
        Assert.Contains("'graph' fields", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_FourMillionEmptyStrings_RefusedByBudgetNamingAttribute()
    {
        ModelFormatException e = LoadFails("strings_4M_empty_attr.onnx");
        Assert.Contains("attribute 's'", e.Message, StringComparison.Ordinal);
        Assert.Contains("4000000 strings", e.Message, StringComparison.Ordinal);
        Assert.Contains("ModelLoadOptions.MaxLoadBytes", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("constantofshape_64M_int64.onnx")]
    [InlineData("constantofshape_64M_int64_x4.onnx")]
    public void Load_ConstantOfShapeFoldingTo64MElements_RefusedByBudgetNamingNode(string file)
    {
        ModelFormatException e = LoadFails(file);
        Assert.Contains("(ConstantOfShape, #0)", e.Message, StringComparison.Ordinal);
        Assert.Contains("ModelLoadOptions.MaxLoadBytes", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ExpandTo64MElementsEightTimes_RefusedByBudgetNamingNode()
    {
        ModelFormatException e = LoadFails("expand_64M_x8.onnx");
        Assert.Contains("(Expand, #0)", e.Message, StringComparison.Ordinal);
        Assert.Contains("ModelLoadOptions.MaxLoadBytes", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_BroadcastMatMul_RefusedByBudgetNamingNode()
    {
        ModelFormatException e = LoadFails("matmul_broadcast_big.onnx");
        Assert.Contains("(MatMul, #0)", e.Message, StringComparison.Ordinal);
        Assert.Contains("ModelLoadOptions.MaxLoadBytes", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CreateState_FiveThousandLstmsSharingWeights_RefusedByBudgetNamingNode()
    {
        // The time axis is symbolic, so the model is planned when it is first used: here, for streaming.
        ModelFormatException e = Bounded("lstm_chain_5000_shared_weights.onnx", path => RnnModel.Load(path).CreateState());
        Assert.Contains("(LSTM, #", e.Message, StringComparison.Ordinal);
        Assert.Contains("ModelLoadOptions.MaxLoadBytes", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("tile_overflow_wraps_to_0.onnx")]
    [InlineData("tile_overflow_wraps_to_2.onnx")]
    public void Load_TileWhoseDimensionOverflows_RefusedNamingNode(string file)
    {
        ModelFormatException e = LoadFails(file);
        Assert.Contains("(Tile, #0)", e.Message, StringComparison.Ordinal);
        Assert.Contains("tiled dimension", e.Message, StringComparison.Ordinal);
        Assert.Contains("not a valid dimension", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_PadWhoseDimensionOverflows_RefusedNamingNode()
    {
        ModelFormatException e = LoadFails("pad_overflow_wraps_to_1.onnx");
        Assert.Contains("(Pad, #0)", e.Message, StringComparison.Ordinal);
        Assert.Contains("padded dimension", e.Message, StringComparison.Ordinal);
        Assert.Contains("not a valid dimension", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_NegativeSequenceLens_RefusedAtLoadNamingNode()
    {
        ModelFormatException e = LoadFails("seq_lens_negative.onnx");
        Assert.Contains("node 'enc_lstm_0' (LSTM, #0)", e.Message, StringComparison.Ordinal);
        Assert.Contains("sequence_lens 'sl'[0] = -5", e.Message, StringComparison.Ordinal);
        Assert.Contains("between 0 and 1", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("features_null_entry.onnx", EdgeRnnMetadata.FeaturesKey, "entry 0 is null")]
    [InlineData("golden_inputs_null.onnx", EdgeRnnMetadata.GoldenKey, "has no 'inputs'")]
    [InlineData("golden_rows_null.onnx", EdgeRnnMetadata.GoldenKey, "'inputs' step 0 is null")]
    public void ReadMetadata_NullInsideJson_ThrowsNamingKey(string file, string key, string what)
    {
        ModelFormatException e = Bounded(file, path =>
        {
            RnnModel model = RnnModel.Load(path);
            EdgeRnnMetadata.Read(model.Metadata, model.SourceName);
        });
        Assert.Contains($"metadata '{key}' {what}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_EscapeSequenceInNames_RefusedAndMessageIsPrintable()
    {
        ModelFormatException e = LoadFails("ansi_escape_in_names.onnx");
        Assert.Contains("contains control characters", e.Message, StringComparison.Ordinal);
        Assert.Contains("y\\u000A\\u001B[31mFAKE", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\u001B', e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void ReproducerFolder_HoldsOnlyFilesTheseTestsCover()
    {
        string[] covered =
        [
            "initializers_2M_split_graph_field.onnx", "strings_4M_empty_attr.onnx", "constantofshape_64M_int64.onnx",
            "constantofshape_64M_int64_x4.onnx", "expand_64M_x8.onnx", "matmul_broadcast_big.onnx",
            "lstm_chain_5000_shared_weights.onnx", "tile_overflow_wraps_to_0.onnx", "tile_overflow_wraps_to_2.onnx",
            "pad_overflow_wraps_to_1.onnx", "seq_lens_negative.onnx", "features_null_entry.onnx", "golden_inputs_null.onnx",
            "golden_rows_null.onnx", "ansi_escape_in_names.onnx",
        ];
        string[] present = [.. Directory.GetFiles(ModelFolder(), "*.onnx").Select(Path.GetFileName).Order(StringComparer.Ordinal)!];
        Assert.Equal(covered.Order(StringComparer.Ordinal), present);
    }

    /// <summary>Loads a reproducer through <see cref="RnnModel.Load(string, ModelLoadOptions?)"/>, expecting the clean error.</summary>
    private ModelFormatException LoadFails(string file) => Bounded(file, path => RnnModel.Load(path));

    /// <summary>Runs <paramref name="attempt"/> on a reproducer; it must throw a ModelFormatException within the memory and time bounds.</summary>
    private ModelFormatException Bounded(string file, Action<string> attempt)
    {
        string path = Path.Combine(ModelFolder(), file);
        Assert.True(File.Exists(path), $"The reproducer {path} is missing.");
        long before = GC.GetAllocatedBytesForCurrentThread();
        var watch = Stopwatch.StartNew();
        Exception? error = null;
        try
        {
            attempt(path);
        }
        catch (Exception e)
        {
            error = e;
        }

        watch.Stop();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        ModelFormatException format = Assert.IsType<ModelFormatException>(error, exactMatch: true);
        Assert.True(allocated < MaxAllocatedBytes, $"{file}: {allocated / 1048576.0:0.0} MB allocated before the error: {format.Message}");
        Assert.True(watch.Elapsed < s_maxTime, $"{file}: {watch.Elapsed.TotalSeconds:0.0} s before the error: {format.Message}");
        Assert.Contains(file, format.Message, StringComparison.Ordinal);
        output.WriteLine($"{file}: {allocated / 1048576.0:0.0} MB allocated, {watch.Elapsed.TotalMilliseconds:0} ms: {format.Message}");
        return format;
    }

    /// <summary>shared/repro/models beside the repository (found upward from the test binary), or /work/shared/repro/models.</summary>
    private static string ModelFolder()
    {
        var candidates = new List<string> { Path.GetFullPath(Path.Combine(RepoPaths.Root, "..", "shared", "repro", "models")) };
        candidates.Add("/work/shared/repro/models");
        return candidates.FirstOrDefault(Directory.Exists)
            ?? throw new DirectoryNotFoundException($"The reproducer models are missing: looked in {string.Join(" and ", candidates)}.");
    }
}
