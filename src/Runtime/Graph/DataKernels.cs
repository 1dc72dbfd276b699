using EdgeRnn.Runtime.Kernels;

namespace EdgeRnn.Runtime.Graph;

/// <summary>
/// Copies elements through a precomputed index map: destination[i] = source[map[i]] (Transpose, Slice, Expand, Tile,
/// Gather with constant indices, Pad), or the fill value where map[i] is negative (Pad's constant mode).
/// </summary>
internal sealed class IndexMapKernel(string node, PlanValue source, PlanValue destination, int[] map, float fill = 0, long fillInt = 0) : Kernel(node)
{
    public override void Execute(Frame frame)
    {
        int[] map1 = map;
        if (source.IsFloat)
        {
            float[] s = source.Floats(frame);
            float[] d = frame.Floats(destination.Slot);
            for (int i = 0; i < map1.Length; i++)
            {
                int k = map1[i];
                d[i] = k >= 0 ? s[k] : fill;
            }
        }
        else
        {
            long[] s = source.Longs(frame);
            long[] d = frame.Longs(destination.Slot);
            for (int i = 0; i < map1.Length; i++)
            {
                int k = map1[i];
                d[i] = k >= 0 ? s[k] : fillInt;
            }
        }
    }
}

/// <summary>Concatenates inputs along an axis: for each outer index, copies each input's contiguous block in turn.</summary>
internal sealed class ConcatKernel(string node, PlanValue[] sources, int[] blockSizes, int outer, PlanValue destination) : Kernel(node)
{
    public override void Execute(Frame frame)
    {
        int offset = 0;
        for (int o = 0; o < outer; o++)
        {
            for (int i = 0; i < sources.Length; i++)
            {
                int n = blockSizes[i];
                if (destination.IsFloat)
                {
                    sources[i].Floats(frame).AsSpan(o * n, n).CopyTo(frame.Floats(destination.Slot).AsSpan(offset, n));
                }
                else
                {
                    sources[i].Longs(frame).AsSpan(o * n, n).CopyTo(frame.Longs(destination.Slot).AsSpan(offset, n));
                }

                offset += n;
            }
        }
    }
}

/// <summary>Gather with run-time indices (an embedding lookup): out[o, j, i] = data[o, idx[j], i].</summary>
internal sealed class GatherKernel(string node, PlanValue data, PlanValue indices, int outer, int axisDim, int inner, PlanValue destination) : Kernel(node)
{
    public override void Execute(Frame frame)
    {
        long[] idx = indices.Longs(frame);
        for (int o = 0; o < outer; o++)
        {
            for (int j = 0; j < idx.Length; j++)
            {
                long k = idx[j];
                if (k < 0)
                {
                    k += axisDim;
                }

                if ((ulong)k >= (ulong)axisDim)
                {
                    ThrowHelpers.ThrowIndexOutOfRange(NodeName, idx[j], axisDim);
                }

                int src = ((o * axisDim) + (int)k) * inner;
                int dst = ((o * idx.Length) + j) * inner;
                if (destination.IsFloat)
                {
                    data.Floats(frame).AsSpan(src, inner).CopyTo(frame.Floats(destination.Slot).AsSpan(dst, inner));
                }
                else
                {
                    data.Longs(frame).AsSpan(src, inner).CopyTo(frame.Longs(destination.Slot).AsSpan(dst, inner));
                }
            }
        }
    }
}

/// <summary>Element type conversion between float and integer slots (Cast); integer targets truncate toward zero.</summary>
internal sealed class CastKernel(string node, PlanValue source, PlanValue destination) : Kernel(node)
{
    public override void Execute(Frame frame)
    {
        if (source.IsFloat)
        {
            float[] s = source.Floats(frame);
            long[] d = frame.Longs(destination.Slot);
            bool toBool = destination.ElementType == TensorElementType.Bool;
            for (int i = 0; i < s.Length; i++)
            {
                d[i] = toBool ? (s[i] != 0 ? 1 : 0) : (long)s[i];
            }
        }
        else
        {
            long[] s = source.Longs(frame);
            if (destination.IsFloat)
            {
                float[] d = frame.Floats(destination.Slot);
                for (int i = 0; i < s.Length; i++)
                {
                    d[i] = s[i];
                }
            }
            else
            {
                long[] d = frame.Longs(destination.Slot);
                bool toBool = destination.ElementType == TensorElementType.Bool;
                bool toInt32 = destination.ElementType == TensorElementType.Int32;
                for (int i = 0; i < s.Length; i++)
                {
                    d[i] = toBool ? (s[i] != 0 ? 1 : 0) : toInt32 ? (int)s[i] : s[i];
                }
            }
        }
    }
}

/// <summary>The elementwise binary operators.</summary>
internal enum BinaryOp
{
    Add,
    Subtract,
    Multiply,
    Divide,
}

/// <summary>
/// Elementwise binary arithmetic TOp with numpy broadcasting; same-shape float inputs, and a float input with a
/// one-element right operand (x / std, x - mean), take the SIMD kernels.
/// </summary>
internal sealed class BinaryKernel<TOp>(string node, PlanValue a, PlanValue b, int[]? mapA, int[]? mapB, PlanValue destination) : Kernel(node)
    where TOp : IBinaryOperator, IInt64BinaryOperator
{
    public override void Execute(Frame frame)
    {
        if (destination.IsFloat)
        {
            float[] x = a.Floats(frame);
            float[] y = b.Floats(frame);
            float[] d = frame.Floats(destination.Slot);
            if (mapA is null && mapB is null)
            {
                BinaryLoop.Invoke<TOp>(x, y, d, SimdWidth.Vector512);
                return;
            }

            if (mapA is null && y.Length == 1)
            {
                BinaryLoop.Invoke<TOp>(x, y[0], d, SimdWidth.Vector512);
                return;
            }

            for (int i = 0; i < d.Length; i++)
            {
                d[i] = TOp.Invoke<float, ScalarWidth>(x[mapA is null ? i : mapA[i]], y[mapB is null ? i : mapB[i]]);
            }
        }
        else
        {
            long[] x = a.Longs(frame);
            long[] y = b.Longs(frame);
            long[] d = frame.Longs(destination.Slot);
            for (int i = 0; i < d.Length; i++)
            {
                d[i] = TOp.Invoke(x[mapA is null ? i : mapA[i]], y[mapB is null ? i : mapB[i]]);
            }
        }
    }
}

/// <summary>The elementwise activation operators.</summary>
internal enum UnaryOp
{
    Sigmoid,
    Tanh,
    Relu,
}

/// <summary>Elementwise activation TOp over a whole slot.</summary>
internal sealed class UnaryKernel<TOp>(string node, PlanValue source, PlanValue destination) : Kernel(node)
    where TOp : IUnaryOperator
{
    public override void Execute(Frame frame) =>
        UnaryLoop.Invoke<TOp>(source.Floats(frame), frame.Floats(destination.Slot), SimdWidth.Vector512);
}

/// <summary>Softmax along one axis: exp(x - max) / sum over the axis.</summary>
internal sealed class SoftmaxKernel(string node, PlanValue source, int outer, int axisDim, int inner, PlanValue destination) : Kernel(node)
{
    public override void Execute(Frame frame)
    {
        float[] s = source.Floats(frame);
        float[] d = frame.Floats(destination.Slot);
        for (int o = 0; o < outer; o++)
        {
            for (int i = 0; i < inner; i++)
            {
                int baseIndex = (o * axisDim * inner) + i;
                float max = float.NegativeInfinity;
                for (int k = 0; k < axisDim; k++)
                {
                    max = MathF.Max(max, s[baseIndex + (k * inner)]);
                }

                float sum = 0;
                for (int k = 0; k < axisDim; k++)
                {
                    float e = MathF.Exp(s[baseIndex + (k * inner)] - max);
                    d[baseIndex + (k * inner)] = e;
                    sum += e;
                }

                float inv = 1f / sum;
                for (int k = 0; k < axisDim; k++)
                {
                    d[baseIndex + (k * inner)] *= inv;
                }
            }
        }
    }
}

/// <summary>Copies a value into another slot (a graph output that must own its buffer).</summary>
internal sealed class CopyKernel(string node, PlanValue source, PlanValue destination) : Kernel(node)
{
    public override void Execute(Frame frame)
    {
        if (source.IsFloat)
        {
            source.Floats(frame).AsSpan(0, destination.Length).CopyTo(frame.Floats(destination.Slot));
        }
        else
        {
            source.Longs(frame).AsSpan(0, destination.Length).CopyTo(frame.Longs(destination.Slot));
        }
    }
}
