namespace EdgeRnn.Runtime;

/// <summary>
/// Limits applied while a model file is read. Every limit is checked before the memory it guards is allocated, and a
/// file that exceeds one is refused with a <see cref="ModelFormatException"/> naming the limit. The defaults suit
/// the recurrent models EdgeRnn targets with a wide margin; lower them for untrusted input on small devices.
/// </summary>
public sealed class ModelLoadOptions
{
    /// <summary>The default limits.</summary>
    public static ModelLoadOptions Default { get; } = new();

    /// <summary>The largest model file, in bytes; default 256 MiB.</summary>
    public long MaxFileBytes { get; init; } = 256L * 1024 * 1024;

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
}
