namespace EdgeRnn.Runtime.Graph;

/// <summary>
/// The shape glue torch.onnx.export writes around recurrent layers. Views (Reshape, Squeeze, Unsqueeze, Flatten,
/// Identity) share their input's slot; copies run through precomputed index maps; anything computable at load
/// time is folded. One file per purpose: ShapeOperators.Views.cs, .Constants.cs, .Indexing.cs and .Broadcast.cs.
/// </summary>
internal static partial class ShapeOperators
{
}
