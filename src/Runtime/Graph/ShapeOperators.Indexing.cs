using EdgeRnn.Runtime.Onnx;

namespace EdgeRnn.Runtime.Graph;

/// <summary>Copies through a precomputed index map that select or reorder elements: Gather, Concat, Slice, Transpose.</summary>
internal static partial class ShapeOperators
{
    public static void Gather(PlanBuilder b, OnnxNode node)
    {
        PlanValue data = b.Input(node, 0);
        PlanValue indices = b.Input(node, 1);
        if (indices.IsFloat)
        {
            throw new ModelFormatException($"{node.Describe()} has float indices {indices.Describe()}; indices must be integers.");
        }

        int axis = ShapeMath.NormalizeAxis(node.GetInt("axis", 0), data.Shape.Length, node);
        int axisDim = data.Shape[axis];
        int outer = ShapeMath.Product(data.Shape, 0, axis);
        int inner = ShapeMath.Product(data.Shape, axis + 1, data.Shape.Length);
        int[] outShape = [.. data.Shape[..axis], .. indices.Shape, .. data.Shape[(axis + 1)..]];
        PlanValue output = b.NewOutput(node, 0, data.ElementType, outShape);
        if (indices.Constant is { } idxTensor)
        {
            long[] idx = idxTensor.Int64Data!;
            b.ReserveMap(output.Length);
            var map = new int[output.Length];
            int n = 0;
            for (int o = 0; o < outer; o++)
            {
                foreach (long raw in idx)
                {
                    long k = raw < 0 ? raw + axisDim : raw;
                    if (k < 0 || k >= axisDim)
                    {
                        throw new ModelFormatException($"{node.Describe()} gathers index {raw} from an axis of size {axisDim}.");
                    }

                    for (int i = 0; i < inner; i++)
                    {
                        map[n++] = (int)((((o * axisDim) + k) * inner) + i);
                    }
                }
            }

            b.Emit(node, new IndexMapKernel(node.Name, data, output, map), [output]);
        }
        else
        {
            b.Emit(node, new GatherKernel(node.Name, data, indices, outer, axisDim, inner, output), [output]);
        }
    }

    public static void Concat(PlanBuilder b, OnnxNode node)
    {
        var inputs = new List<PlanValue>();
        for (int i = 0; i < node.Inputs.Length; i++)
        {
            if (b.OptionalInput(node, i) is { } v)
            {
                inputs.Add(v);
            }
        }

        if (inputs.Count == 0)
        {
            throw new ModelFormatException($"{node.Describe()} has no inputs.");
        }

        int rank = inputs[0].Shape.Length;
        int axis = ShapeMath.NormalizeAxis(node.GetInt("axis", 0), rank, node);
        int[] outShape = (int[])inputs[0].Shape.Clone();
        long axisLength = 0;
        foreach (PlanValue v in inputs)
        {
            if (v.Shape.Length != rank || v.IsFloat != inputs[0].IsFloat)
            {
                throw new ModelFormatException($"{node.Describe()} concatenates {v.Describe()} with {inputs[0].Describe()}: ranks or element types differ.");
            }

            for (int d = 0; d < rank; d++)
            {
                if (d != axis && v.Shape[d] != inputs[0].Shape[d])
                {
                    throw new ModelFormatException($"{node.Describe()} concatenates {v.Describe()} with {inputs[0].Describe()}: dimension {d} differs.");
                }
            }

            axisLength += v.Shape[axis];
        }

        outShape[axis] = ShapeMath.ToDim(axisLength, node, "concatenated dimension");
        int outer = ShapeMath.Product(outShape, 0, axis);
        int inner = ShapeMath.Product(outShape, axis + 1, rank);
        int[] blocks = inputs.Select(v => ShapeMath.MultiplyToDim(v.Shape[axis], inner, node, "a block of")).ToArray();
        PlanValue output = b.NewOutput(node, 0, inputs[0].ElementType, outShape);
        b.Emit(node, new ConcatKernel(node.Name, [.. inputs], blocks, outer, output), [output]);
    }

    public static void Slice(PlanBuilder b, OnnxNode node)
    {
        PlanValue x = b.Input(node, 0);
        int rank = x.Shape.Length;
        long[] starts = b.ConstantInts(node, 1, "starts");
        long[] ends = b.ConstantInts(node, 2, "ends");
        long[] axes = b.OptionalInput(node, 3) is not null ? b.ConstantInts(node, 3, "axes") : [.. Enumerable.Range(0, starts.Length).Select(i => (long)i)];
        long[] steps = b.OptionalInput(node, 4) is not null ? b.ConstantInts(node, 4, "steps") : [.. Enumerable.Repeat(1L, starts.Length)];
        if (ends.Length != starts.Length || axes.Length != starts.Length || steps.Length != starts.Length)
        {
            throw new ModelFormatException($"{node.Describe()} has starts, ends, axes and steps of different lengths.");
        }

        int[] strides = ShapeMath.Strides(x.Shape);
        int[] outShape = (int[])x.Shape.Clone();
        int[] outStrides = (int[])strides.Clone();
        int offset = 0;
        for (int i = 0; i < starts.Length; i++)
        {
            int axis = ShapeMath.NormalizeAxis(axes[i], rank, node, "axes entry");
            long dim = x.Shape[axis];
            long step = steps[i];
            if (step == 0)
            {
                throw new ModelFormatException($"{node.Describe()} has a step of 0.");
            }

            // Clamped before any arithmetic: starts and ends may be +-2^63 (INT_MAX / INT_MIN mean "to the end"), and a
            // step longer than the axis takes at most one element, like a step of the axis length.
            long start = Math.Clamp(starts[i], -dim - 1, dim + 1);
            long end = Math.Clamp(ends[i], -dim - 1, dim + 1);
            step = Math.Clamp(step, -Math.Max(dim, 1), Math.Max(dim, 1));
            start = start < 0 ? start + dim : start;
            end = end < 0 ? end + dim : end;
            long count;
            if (step > 0)
            {
                start = Math.Clamp(start, 0, dim);
                end = Math.Clamp(end, 0, dim);
                count = end > start ? (end - start + step - 1) / step : 0;
            }
            else
            {
                start = Math.Clamp(start, 0, dim - 1);
                end = Math.Clamp(end, -1, dim - 1);
                count = start > end ? (start - end + (-step) - 1) / -step : 0;
            }

            outShape[axis] = (int)count;
            offset += checked((int)(count > 0 ? start : 0) * strides[axis]);
            outStrides[axis] = checked((int)(step * strides[axis]));
        }

        PlanValue output = b.NewOutput(node, 0, x.ElementType, outShape);
        b.ReserveMap(output.Length);
        b.Emit(node, new IndexMapKernel(node.Name, x, output, ShapeMath.MapFromStrides(outShape, outStrides, offset)), [output]);
    }

    public static void Transpose(PlanBuilder b, OnnxNode node)
    {
        PlanValue x = b.Input(node, 0);
        int rank = x.Shape.Length;
        long[] perm = node.GetInts("perm") ?? [.. Enumerable.Range(0, rank).Reverse().Select(i => (long)i)];
        if (perm.Length != rank || perm.Distinct().Count() != rank || perm.Any(p => p < 0 || p >= rank))
        {
            throw new ModelFormatException($"{node.Describe()} has perm [{string.Join(", ", perm)}], which is not a permutation of the {rank} axes of {x.Describe()}.");
        }

        int[] strides = ShapeMath.Strides(x.Shape);
        int[] outShape = perm.Select(p => x.Shape[p]).ToArray();
        int[] inStrides = perm.Select(p => strides[p]).ToArray();
        PlanValue output = b.NewOutput(node, 0, x.ElementType, outShape);
        b.ReserveMap(output.Length);
        b.Emit(node, new IndexMapKernel(node.Name, x, output, ShapeMath.MapFromStrides(outShape, inStrides, 0)), [output]);
    }
}
