using EdgeRnn.Runtime.Onnx;

namespace EdgeRnn.Runtime.Graph;

/// <summary>
/// The shape glue torch.onnx.export writes around recurrent layers. Views (Reshape, Squeeze, Unsqueeze, Flatten,
/// Identity) share their input's slot; copies run through precomputed index maps; anything computable at load
/// time is folded.
/// </summary>
internal static class ShapeOperators
{
    public static void Identity(PlanBuilder b, OnnxNode node)
    {
        PlanValue x = b.Input(node, 0);
        b.DefineAlias(node, 0, x, x.Shape);
    }

    public static void Flatten(PlanBuilder b, OnnxNode node)
    {
        PlanValue x = b.Input(node, 0);
        long axisAttr = node.GetInt("axis", 1);
        int axis = (int)(axisAttr < 0 ? axisAttr + x.Shape.Length : axisAttr);
        if (axis < 0 || axis > x.Shape.Length)
        {
            throw new ModelFormatException($"{node.Describe()} has axis {axisAttr}, outside the valid range for rank {x.Shape.Length}.");
        }

        b.DefineAlias(node, 0, x, [ShapeMath.Product(x.Shape, 0, axis), ShapeMath.Product(x.Shape, axis, x.Shape.Length)]);
    }

    public static void Constant(PlanBuilder b, OnnxNode node)
    {
        Tensor? t = node.GetTensor("value");
        if (t is null)
        {
            if (node.HasAttribute("value_float"))
            {
                t = Tensor.FromFloat([node.GetFloat("value_float", 0)]);
            }
            else if (node.HasAttribute("value_floats"))
            {
                b.ReserveElements(node.Attributes["value_floats"].Floats.Length, sizeof(float), "value_floats copy");
                float[] fs = node.GetFloats("value_floats")!;
                t = Tensor.FromFloat(fs, fs.Length);
            }
            else if (node.HasAttribute("value_int"))
            {
                t = Tensor.FromInt64([node.GetInt("value_int", 0)]);
            }
            else if (node.HasAttribute("value_ints"))
            {
                b.ReserveElements(node.Attributes["value_ints"].Ints.Length, sizeof(long), "value_ints copy");
                long[] ls = node.GetInts("value_ints")!;
                t = Tensor.FromInt64(ls, ls.Length);
            }
            else
            {
                throw new ModelFormatException($"{node.Describe()} has no value EdgeRnn supports (value, value_float(s), value_int(s)).");
            }
        }

        b.DefineConstant(node, 0, t);
    }

    public static void ConstantOfShape(PlanBuilder b, OnnxNode node)
    {
        long[] dims = b.ConstantInts(node, 0, "shape");
        int[] shape = dims.Select(d => ShapeMath.ToDim(d, node, "dimension")).ToArray();
        int count = b.CheckedCount(shape, node);
        Tensor? value = node.GetTensor("value");
        if (value is not null && value.Length != 1)
        {
            throw new ModelFormatException($"{node.Describe()} has a 'value' of {value.Length} elements; it must hold exactly one.");
        }

        b.ReserveElements(count, value is null || value.IsFloat ? sizeof(float) : sizeof(long), $"output {ElementTypeName(value)}{Tensor.FormatShape(shape)}");
        Tensor result;
        if (value is null || value.IsFloat)
        {
            var data = new float[count];
            Array.Fill(data, value?.FloatData![0] ?? 0f);
            result = value?.ElementType == TensorElementType.Float16 ? Tensor.FromFloat16(data, shape) : Tensor.FromFloat(data, shape);
        }
        else
        {
            var data = new long[count];
            Array.Fill(data, value.Int64Data[0]);
            result = Tensor.FromInt64(value.ElementType, data, shape);
        }

        b.DefineConstant(node, 0, result);
    }

    private static string ElementTypeName(Tensor? value) => (value?.ElementType ?? TensorElementType.Float).ToString();

    public static void Shape(PlanBuilder b, OnnxNode node)
    {
        PlanValue x = b.Input(node, 0);
        int rank = x.Shape.Length;
        int start = ClampShapeIndex(node.GetInt("start", 0), rank);
        int end = ClampShapeIndex(node.GetInt("end", rank), rank);
        long[] dims = x.Shape.Skip(start).Take(Math.Max(0, end - start)).Select(d => (long)d).ToArray();
        b.DefineConstant(node, 0, Tensor.FromInt64(dims, dims.Length));
    }

    private static int ClampShapeIndex(long i, int rank) => (int)Math.Clamp(i < 0 ? i + rank : i, 0, rank);

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

    public static void Unsqueeze(PlanBuilder b, OnnxNode node)
    {
        PlanValue x = b.Input(node, 0);
        long[] axes = b.OptionalInput(node, 1) is not null ? b.ConstantInts(node, 1, "axes") : node.GetInts("axes")
            ?? throw new ModelFormatException($"{node.Describe()} has no axes.");
        int outRank = x.Shape.Length + axes.Length;
        var isNew = new bool[outRank];
        foreach (long a in axes)
        {
            int axis = ShapeMath.NormalizeAxis(a, outRank, node, "axes entry");
            if (isNew[axis])
            {
                throw new ModelFormatException($"{node.Describe()} lists axis {a} twice.");
            }

            isNew[axis] = true;
        }

        var shape = new int[outRank];
        int src = 0;
        for (int i = 0; i < outRank; i++)
        {
            shape[i] = isNew[i] ? 1 : x.Shape[src++];
        }

        b.DefineAlias(node, 0, x, shape);
    }

    public static void Squeeze(PlanBuilder b, OnnxNode node)
    {
        PlanValue x = b.Input(node, 0);
        long[]? axes = b.OptionalInput(node, 1) is not null ? b.ConstantInts(node, 1, "axes") : node.GetInts("axes");
        int rank = x.Shape.Length;
        var drop = new bool[rank];
        if (axes is null || axes.Length == 0)
        {
            for (int i = 0; i < rank; i++)
            {
                drop[i] = x.Shape[i] == 1;
            }
        }
        else
        {
            foreach (long a in axes)
            {
                int axis = ShapeMath.NormalizeAxis(a, rank, node, "axes entry");
                if (x.Shape[axis] != 1)
                {
                    throw new ModelFormatException($"{node.Describe()} squeezes axis {a} of {x.Describe()}, which is not 1.");
                }

                drop[axis] = true;
            }
        }

        b.DefineAlias(node, 0, x, x.Shape.Where((_, i) => !drop[i]).ToArray());
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

    public static void Reshape(PlanBuilder b, OnnxNode node)
    {
        PlanValue x = b.Input(node, 0);
        long[] target = b.ConstantInts(node, 1, "shape");
        bool allowZero = node.GetInt("allowzero", 0) != 0;
        var shape = new int[target.Length];
        int inferAt = -1;
        long known = 1; // saturates: a product past long's range is "more elements than x has" all the same
        for (int i = 0; i < target.Length; i++)
        {
            long d = target[i];
            if (d == -1)
            {
                if (inferAt >= 0)
                {
                    throw new ModelFormatException($"{node.Describe()} has more than one -1 in its target shape.");
                }

                inferAt = i;
                continue;
            }

            if (d == 0 && !allowZero)
            {
                if (i >= x.Shape.Length)
                {
                    throw new ModelFormatException($"{node.Describe()} copies dimension {i} of {x.Describe()}, which has no such dimension.");
                }

                d = x.Shape[i];
            }

            shape[i] = ShapeMath.ToDim(d, node, "target dimension");
            known = LoadBudget.Multiply(known, shape[i]);
        }

        if (inferAt >= 0)
        {
            if (known == 0 || x.Length % known != 0)
            {
                throw new ModelFormatException($"{node.Describe()} cannot reshape {x.Describe()} to [{string.Join(", ", target)}].");
            }

            shape[inferAt] = (int)(x.Length / known);
        }

        b.DefineAlias(node, 0, x, shape);
    }

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

    public static void Cast(PlanBuilder b, OnnxNode node)
    {
        PlanValue x = b.Input(node, 0);
        long to = node.GetInt("to", 0);
        var type = (TensorElementType)to;
        if (type is not (TensorElementType.Float or TensorElementType.Int64 or TensorElementType.Int32 or TensorElementType.Bool))
        {
            throw new ModelFormatException($"{node.Describe()} casts to ONNX type {to}; EdgeRnn casts to Float, Int64, Int32 and Bool only.");
        }

        bool toFloat = type == TensorElementType.Float;
        if (x.ElementType == TensorElementType.Float16)
        {
            // Float16 values exist only as constants (initializers), held widened: the cast is exact and folds here.
            Tensor half = x.Constant ?? throw new ModelFormatException($"{node.Describe()} casts a computed FLOAT16 value; EdgeRnn reads FLOAT16 constants only.");
            if (!toFloat)
            {
                throw new ModelFormatException($"{node.Describe()} casts FLOAT16 to ONNX type {to}; EdgeRnn casts FLOAT16 constants to Float only.");
            }

            b.DefineConstant(node, 0, Tensor.FromFloat(half.FloatData!, x.Shape));
            return;
        }

        if (toFloat == x.IsFloat && type is not (TensorElementType.Bool or TensorElementType.Int32))
        {
            b.DefineAlias(node, 0, x, x.Shape, type);
            return;
        }

        PlanValue output = b.NewOutput(node, 0, type, x.Shape);
        b.Emit(node, new CastKernel(node.Name, x, output), [output]);
    }
}
