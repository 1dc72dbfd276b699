namespace EdgeRnn.Runtime;

/// <summary>
/// Limits applied while a model file is read and planned. Every limit is checked before the memory it guards is
/// allocated, and a file that exceeds one is refused with a <see cref="ModelFormatException"/> naming the limit. The
/// defaults keep any file, however crafted, within about 64 MB of memory (a Raspberry Pi Zero 2 has 512 MB) while
/// leaving room for the recurrent models EdgeRnn targets; raise <see cref="MaxLoadBytes"/> and
/// <see cref="MaxFileBytes"/> together for larger models on larger machines.
/// </summary>
public sealed class ModelLoadOptions
{
    private const long DefaultMaxLoadBytes = 48L * 1024 * 1024;

    /// <summary>The default limits.</summary>
    public static ModelLoadOptions Default { get; } = new();

    /// <summary>
    /// The largest model file, in bytes; default 48 MiB. The file's bytes count against <see cref="MaxLoadBytes"/>
    /// too, so a file larger than that budget cannot load whatever this limit says.
    /// </summary>
    public long MaxFileBytes { get; init; } = DefaultMaxLoadBytes;

    /// <summary>
    /// The memory budget of loading a model and planning it, in bytes; default 48 MiB. Reading counts the file's bytes,
    /// the protobuf messages the parser would make (estimated from the wire data before it runs: a few bytes of file
    /// can ask for hundreds of bytes of objects), the validated nodes and the tensors converted from them. Each plan
    /// (for a set of input shapes: at load when they are static, for streaming, for a <c>Run</c> with new shapes) gets
    /// what reading left and counts the buffers a run needs (slots, which grow with a whole-sequence run's length),
    /// folded constants, index maps and packed weights. Everything is charged before it is allocated, and the step that
    /// would go over is refused with a <see cref="ModelFormatException"/> naming the node or field. The count is of
    /// bytes allocated, garbage included, so it bounds memory however the collector runs: loading a float model takes
    /// about 5 times its file size (a 7.7 MB LSTM with hidden size 700 loads and streams within the default).
    /// </summary>
    public long MaxLoadBytes { get; init; } = DefaultMaxLoadBytes;

    /// <summary>The most elements a single tensor (initializer or tensor attribute) may declare; default 64 M.</summary>
    public long MaxTensorElements { get; init; } = 64L * 1024 * 1024;

    /// <summary>The most elements all initializers and tensor attributes may declare together; default 128 M.</summary>
    public long MaxTotalElements { get; init; } = 128L * 1024 * 1024;

    /// <summary>The highest rank of a tensor or a declared input/output shape; default 8.</summary>
    public int MaxRank { get; init; } = 8;

    /// <summary>The largest single dimension of a tensor or a declared shape; default 2^24.</summary>
    public long MaxDimension { get; init; } = 1L << 24;

    /// <summary>The most nodes in the graph; default 10 000.</summary>
    public int MaxNodes { get; init; } = 10_000;

    /// <summary>The most initializers in the graph; default 10 000.</summary>
    public int MaxInitializers { get; init; } = 10_000;

    /// <summary>
    /// The most graph inputs, graph outputs, or inputs/outputs of one node (each counted separately); default 256.
    /// Also bounds the number of opset imports.
    /// </summary>
    public int MaxInputsOutputs { get; init; } = 256;

    /// <summary>The most attributes on one node; default 64.</summary>
    public int MaxAttributesPerNode { get; init; } = 64;

    /// <summary>
    /// The longest name (graph, node, value, attribute, domain, metadata key) or string attribute value, in
    /// characters; default 4096.
    /// </summary>
    public int MaxStringLength { get; init; } = 4096;

    /// <summary>The longest metadata value (<c>metadata_props</c>), in characters; default 1 MiB.</summary>
    public int MaxMetadataValueLength { get; init; } = 1024 * 1024;

    /// <summary>The most metadata entries (<c>metadata_props</c>); default 1024.</summary>
    public int MaxMetadataEntries { get; init; } = 1024;

    /// <summary>
    /// The most bytes all metadata entries (keys and values) may take in the file together; default 4 MiB. EdgeRnn's
    /// own metadata is a few kilobytes; without a total, 1024 entries near <see cref="MaxMetadataValueLength"/> would
    /// fit the load budget yet, parsed as text at two bytes a character, take a device past its memory limit.
    /// </summary>
    public long MaxMetadataBytes { get; init; } = 4L * 1024 * 1024;
}
