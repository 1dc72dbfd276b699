using EdgeRnn.Runtime.Onnx;

namespace EdgeRnn.Runtime.Graph;

/// <summary>Copies that repeat or pad elements: Expand, Tile, Pad, and the index-map builder they share.</summary>
internal static partial class ShapeOperators
{
    public static void Expand(PlanBuilder b, OnnxNode node)
    {
        PlanValue x = b.Input(node, 0);
        int[] target = b.ConstantInts(node, 1, "shape").Select(d => ShapeMath.ToDim(d, node, "shape entry")).ToArray();
        int[] outShape = ShapeMath.Broadcast(x.Shape, target, node);
        b.CheckedCount(outShape, node);
        PlanValue output = b.NewOutput(node, 0, x.ElementType, outShape);
        b.ReserveMap(output.Length);
        b.Emit(node, new IndexMapKernel(node.Name, x, output, ShapeMath.BroadcastMap(x.Shape, outShape)), [output]);
    }

    public static void Tile(PlanBuilder b, OnnxNode node)
    {
        PlanValue x = b.Input(node, 0);
        long[] repeats = b.ConstantInts(node, 1, "repeats");
        int rank = x.Shape.Length;
        if (repeats.Length != rank)
        {
            throw new ModelFormatException($"{node.Describe()} has {repeats.Length} repeats for {x.Describe()} of rank {rank}.");
        }

        int[] outShape = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            if (repeats[i] < 0)
            {
                throw new ModelFormatException($"{node.Describe()} repeats axis {i} {repeats[i]} times; repeats must not be negative.");
            }

            // Exact: a 64-bit product of the length and a repeat count near 2^63 would wrap (to 0, 2...) and pass.
            outShape[i] = ShapeMath.MultiplyToDim(x.Shape[i], repeats[i], node, $"tiled dimension {i} (length x repeats)");
        }

        int[] strides = ShapeMath.Strides(x.Shape);
        int[] map = IndexMap(b, node, outShape, index =>
        {
            int src = 0;
            for (int d = 0; d < rank; d++)
            {
                src += index[d] % x.Shape[d] * strides[d];
            }

            return src;
        });

        PlanValue output = b.NewOutput(node, 0, x.ElementType, outShape);
        b.Emit(node, new IndexMapKernel(node.Name, x, output, map), [output]);
    }

    /// <summary>
    /// Pad (pads and constant_value inputs, opset 18's axes): constant, edge, reflect and wrap modes through
    /// an index map, so a constant input folds at load and a run-time one is a copy. Negative pads crop, in every mode.
    /// </summary>
    public static void Pad(PlanBuilder b, OnnxNode node)
    {
        PlanValue x = b.Input(node, 0);
        int rank = x.Shape.Length;
        string mode = node.GetString("mode", "constant");
        if (mode is not ("constant" or "edge" or "reflect" or "wrap"))
        {
            throw new ModelFormatException($"{node.Describe()} has mode '{DisplayText.Sanitize(mode)}'; Pad's modes are constant, edge, reflect and wrap.");
        }

        long[] pads = b.ConstantInts(node, 1, "pads");
        float fill = 0;
        long fillInt = 0;
        if (b.OptionalInput(node, 2) is not null)
        {
            Tensor value = b.ConstantInput(node, 2, "constant_value");
            if (value.Length != 1)
            {
                throw new ModelFormatException($"{node.Describe()} has a constant_value of {value.Length} elements; it must hold one.");
            }

            // Each as its own type: an int64 value beyond 2^24 must not pass through a float.
            (fill, fillInt) = value.IsFloat ? (value.FloatData![0], (long)value.FloatData[0]) : (value.Int64Data![0], value.Int64Data[0]);
        }

        long[] axes = b.OptionalInput(node, 3) is not null ? b.ConstantInts(node, 3, "axes") : [.. Enumerable.Range(0, rank).Select(i => (long)i)];
        if (pads.Length != 2 * axes.Length)
        {
            throw new ModelFormatException($"{node.Describe()} has {pads.Length} pads for {axes.Length} axes of {x.Describe()}; it needs two per axis (all begins, then all ends).");
        }

        var begin = new long[rank];
        var end = new long[rank];
        var seen = new bool[rank];
        for (int i = 0; i < axes.Length; i++)
        {
            int axis = ShapeMath.NormalizeAxis(axes[i], rank, node);
            if (seen[axis])
            {
                throw new ModelFormatException($"{node.Describe()} names axis {axis} twice.");
            }

            seen[axis] = true;
            begin[axis] = pads[i];
            end[axis] = pads[axes.Length + i];
        }

        // Negative pads crop first (as ONNX Runtime does); the positive ones then pad what is left. The pads are any
        // 64-bit values, so the sizes are computed exactly in 128 bits: a wrapped sum must not pass as a small one.
        var cropBegin = new int[rank];
        var kept = new int[rank];
        var padBegin = new long[rank];
        int[] outShape = new int[rank];
        for (int d = 0; d < rank; d++)
        {
            Int128 crop = -((Int128)Math.Min(0, begin[d]) + Math.Min(0, end[d]));
            Int128 length = x.Shape[d] - crop;
            if (length < 0)
            {
                throw new ModelFormatException($"{node.Describe()} crops {crop} elements from axis {d} of length {x.Shape[d]}.");
            }

            cropBegin[d] = (int)(-(Int128)Math.Min(0, begin[d])); // at most crop, which is at most the axis length
            kept[d] = (int)length;
            padBegin[d] = Math.Max(0, begin[d]);
            long padEnd = Math.Max(0, end[d]);
            if (mode != "constant" && (padBegin[d] > 0 || padEnd > 0) && length == 0)
            {
                throw new ModelFormatException($"{node.Describe()} pads the empty axis {d} in {mode} mode; there is nothing to repeat.");
            }

            if (mode == "reflect" && (padBegin[d] >= length || padEnd >= length) && (padBegin[d] > 0 || padEnd > 0))
            {
                throw new ModelFormatException($"{node.Describe()} reflects {Math.Max(padBegin[d], padEnd)} elements on axis {d} of length {length}; reflect pads must be shorter than the axis.");
            }

            outShape[d] = ShapeMath.ToDim(length + padBegin[d] + padEnd, node, $"padded dimension {d} ({length} kept + {padBegin[d]} + {padEnd} padded) =");
        }

        int[] strides = ShapeMath.Strides(x.Shape);
        int[] map = IndexMap(b, node, outShape, index =>
        {
            int src = 0;
            for (int d = 0; d < rank; d++)
            {
                long i = index[d] - padBegin[d];
                int length = kept[d];
                if (i < 0 || i >= length)
                {
                    i = mode switch
                    {
                        "edge" => Math.Clamp(i, 0, length - 1),
                        "reflect" => i < 0 ? -i : (2 * (length - 1)) - i,
                        "wrap" => ((i % length) + length) % length,
                        _ => -1,
                    };
                }

                if (i < 0)
                {
                    return -1;
                }

                src += (int)(i + cropBegin[d]) * strides[d];
            }

            return src;
        });

        PlanValue output = b.NewOutput(node, 0, x.ElementType, outShape);
        b.Emit(node, new IndexMapKernel(node.Name, x, output, map, fill, fillInt), [output]);
    }

    /// <summary>Where the output element at <paramref name="index"/> comes from: an input offset, or -1 for a fill.</summary>
    private delegate int SourceOffset(ReadOnlySpan<int> index);

    /// <summary>The index map of an output of <paramref name="outShape"/> (size-checked), element by element in row-major order.</summary>
    private static int[] IndexMap(PlanBuilder b, OnnxNode node, int[] outShape, SourceOffset source)
    {
        int count = b.CheckedCount(outShape, node);
        b.ReserveMap(count);
        var map = new int[count];
        Span<int> index = stackalloc int[Math.Max(outShape.Length, 1)];
        index.Clear();
        for (int n = 0; n < map.Length; n++)
        {
            map[n] = source(index);
            ShapeMath.Advance(index, outShape);
        }

        return map;
    }
}
