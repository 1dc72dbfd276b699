using System.Diagnostics.CodeAnalysis;
using EdgeRnn.Runtime.Kernels;
using EdgeRnn.Runtime.Onnx;

namespace EdgeRnn.Runtime.Graph;

/// <summary>
/// Quantized models: ai.onnx QuantizeLinear / DequantizeLinear (the qdq format) and the com.microsoft
/// DynamicQuantizeLSTM / DynamicQuantizeMatMul nodes ONNX Runtime's quantizer writes. A DequantizeLinear of a
/// constant symmetric int8 tensor folds to the float constant and is remembered (<see cref="PlanBuilder.Quantized"/>),
/// so LSTM / GRU / RNN / Gemm / MatMul that consume it run integer kernels.
/// </summary>
internal static class QuantizedOperators
{
    public static bool TryGetMicrosoft(string domain, string opType, [NotNullWhen(true)] out Action<PlanBuilder, OnnxNode>? build)
    {
        build = domain != "com.microsoft" ? null : opType switch
        {
            "DynamicQuantizeLSTM" => DynamicQuantizeLstm,
            "DynamicQuantizeMatMul" => DynamicQuantizeMatMul,
            _ => null,
        };
        return build is not null;
    }

    public static void DequantizeLinear(PlanBuilder b, OnnxNode node)
    {
        PlanValue x = b.Input(node, 0);
        if (x.ElementType is not (TensorElementType.Int8 or TensorElementType.UInt8))
        {
            throw new ModelFormatException($"{node.Describe()} dequantizes {x.Describe()}; EdgeRnn supports Int8 and UInt8 inputs.");
        }

        ScaleLayout layout = ReadScale(b, node, x.Shape, 1, 2);
        if (x.Constant is { } c)
        {
            long[] q = c.Int64Data!;
            b.ReserveElements(q.Length, DequantizedElementBytes, $"dequantized constant ({q.Length} elements)");
            var values = new float[q.Length];
            var scales = new float[q.Length];
            bool symmetric = x.ElementType == TensorElementType.Int8;
            for (int i = 0; i < q.Length; i++)
            {
                int s = layout.IndexOf(i);
                long zp = layout.ZeroPoints?[s] ?? 0;
                symmetric &= zp == 0;
                scales[i] = layout.Scales[s];
                values[i] = (q[i] - zp) * layout.Scales[s];
            }

            var t = Tensor.FromFloat(values, x.Shape);
            b.DefineConstant(node, 0, t);
            if (symmetric)
            {
                b.Quantized[t] = new QuantizedTensor(Array.ConvertAll(q, v => (sbyte)v), scales);
            }

            return;
        }

        PlanValue output = b.NewOutput(node, 0, TensorElementType.Float, x.Shape);
        b.Emit(node, new DequantizeKernel(node.Name, x, layout, output), [output]);
        if (b.StaticScales.TryGetValue(x.Name, out float qScale) && x.ElementType == TensorElementType.Int8 && IsSymmetricPerTensor(layout, qScale))
        {
            b.StaticScales[output.Name] = qScale;
        }
    }

    /// <summary>A dequantized constant: its float value and scale, and its int8 value (4 + 4 + 1 bytes an element).</summary>
    private const int DequantizedElementBytes = (2 * sizeof(float)) + sizeof(sbyte);

    private static bool IsSymmetricPerTensor(ScaleLayout layout, float scale) =>
        layout.Count == 1 && layout.Scales[0] == scale && (layout.ZeroPoints?[0] ?? 0) == 0 && scale > 0 && float.IsFinite(scale);

    public static void QuantizeLinear(PlanBuilder b, OnnxNode node)
    {
        PlanValue x = b.Input(node, 0);
        if (!x.IsFloat)
        {
            throw new ModelFormatException($"{node.Describe()} quantizes {x.Describe()}; expected a Float input.");
        }

        ScaleLayout layout = ReadScale(b, node, x.Shape, 1, 2);
        PlanValue? zp = b.OptionalInput(node, 2);
        TensorElementType type = zp?.ElementType ?? (TensorElementType)node.GetInt("output_dtype", (long)TensorElementType.UInt8);
        if (type is not (TensorElementType.Int8 or TensorElementType.UInt8))
        {
            throw new ModelFormatException($"{node.Describe()} quantizes to {type}; EdgeRnn supports Int8 and UInt8.");
        }

        PlanValue output = b.NewOutput(node, 0, type, x.Shape);
        b.Emit(node, new QuantizeKernel(node.Name, x, layout, type == TensorElementType.Int8, output), [output]);
        if (!x.IsConstant && type == TensorElementType.Int8 && IsSymmetricPerTensor(layout, layout.Scales[0]))
        {
            // Remembered on the int8 value; the DequantizeLinear that reads it with the same scale passes it on.
            b.StaticScales[output.Name] = layout.Scales[0];
        }
    }

    private static void DynamicQuantizeLstm(PlanBuilder b, OnnxNode node)
    {
        PlanValue x = b.Input(node, 0);
        Tensor wq = b.ConstantInput(node, 1, "int8 weights W");
        Tensor rq = b.ConstantInput(node, 2, "int8 recurrence weights R");
        Tensor w = TransposeDequantize(b, node, wq, "W", 8, 9, x.Shape.Length == 3 ? x.Shape[2] : -1);
        Tensor r = TransposeDequantize(b, node, rq, "R", 10, 11, rq.Rank == 3 ? rq.Shape[1] : -1);
        RecurrentOperators.Build(b, node, RecurrentCell.For(RecurrentCellKind.Lstm), w, r);
    }

    /// <summary>W [D, K, 4H] (int8, ORT layout) → float [D, 4H, K] (ONNX LSTM layout), remembered as int8.</summary>
    private static Tensor TransposeDequantize(PlanBuilder b, OnnxNode node, Tensor q, string what, int scaleIndex, int zpIndex, int k)
    {
        if (q.ElementType is not (TensorElementType.Int8 or TensorElementType.UInt8) || q.Rank != 3 || q.Shape[1] != k)
        {
            throw new ModelFormatException($"{node.Describe()} has {what} {q}; expected Int8[directions, {k}, 4*hidden].");
        }

        int dirs = q.Shape[0];
        int rows = q.Shape[2];
        Tensor scale = b.ConstantInput(node, scaleIndex, what + "_scale");
        Tensor? zpTensor = b.OptionalInput(node, zpIndex) is null ? null : b.ConstantInput(node, zpIndex, what + "_zero_point");
        bool perRow = scale.Length == dirs * rows;
        if (!scale.IsFloat || (!perRow && scale.Length != dirs) || (zpTensor is not null && (zpTensor.IsFloat || zpTensor.Length != scale.Length)))
        {
            throw new ModelFormatException($"{node.Describe()} has {what}_scale {scale}; expected Float[{dirs}] or Float[{dirs}, {rows}] (and a zero point of the same shape).");
        }

        long[] src = q.Int64Data!;
        b.ReserveElements(src.Length, DequantizedElementBytes, $"dequantized {what} ({src.Length} elements)");
        var values = new float[src.Length];
        var scales = new float[src.Length];
        var bytes = new sbyte[src.Length];
        bool symmetric = q.ElementType == TensorElementType.Int8;
        for (int d = 0; d < dirs; d++)
        {
            for (int row = 0; row < rows; row++)
            {
                int s = perRow ? (d * rows) + row : d;
                float sc = scale.FloatData![s];
                long zp = zpTensor?.Int64Data![s] ?? 0;
                symmetric &= zp == 0;
                for (int col = 0; col < k; col++)
                {
                    long v = src[(((d * k) + col) * rows) + row];
                    int at = (((d * rows) + row) * k) + col;
                    values[at] = (v - zp) * sc;
                    scales[at] = sc;
                    bytes[at] = (sbyte)v;
                }
            }
        }

        var t = Tensor.FromFloat(values, dirs, rows, k);
        if (symmetric)
        {
            b.Quantized[t] = new QuantizedTensor(bytes, scales);
        }

        return t;
    }

    private static void DynamicQuantizeMatMul(PlanBuilder b, OnnxNode node)
    {
        PlanValue a = b.Input(node, 0);
        Tensor bq = b.ConstantInput(node, 1, "int8 matrix B");
        if (!a.IsFloat || a.Shape.Length == 0 || bq.Rank != 2 || bq.IsFloat || bq.Shape[0] != a.Shape[^1])
        {
            throw new ModelFormatException($"{node.Describe()} multiplies {a.Describe()} by {bq}; expected Float[..., K] and Int8[K, N].");
        }

        int k = bq.Shape[0];
        int n = bq.Shape[1];
        ScaleLayout layout = ReadScale(b, node, bq.GetShape(), 2, 3, perAxis: 1);
        long[] src = bq.Int64Data!;
        b.Reserve(LoadBudget.Add(LoadBudget.Multiply(src.Length, DequantizedElementBytes), PlanBuilder.PackedBytes(n, k)),
            $"dequantized and packed B ({k} x {n})");
        var values = new float[src.Length];
        var scales = new float[src.Length];
        bool symmetric = bq.ElementType == TensorElementType.Int8;
        for (int i = 0; i < src.Length; i++)
        {
            int s = layout.IndexOf(i);
            long zp = layout.ZeroPoints?[s] ?? 0;
            symmetric &= zp == 0;
            scales[i] = layout.Scales[s];
            values[i] = (src[i] - zp) * layout.Scales[s];
        }

        float[]? bias = null;
        if (b.OptionalInput(node, 4) is not null)
        {
            Tensor bt = b.ConstantInput(node, 4, "bias");
            bias = bt.IsFloat && bt.Length == n ? bt.FloatData : throw new ModelFormatException($"{node.Describe()} has bias {bt}; expected Float[{n}].");
        }

        int rows = k == 0 ? 0 : a.Length / k;
        PlanValue output = b.NewOutput(node, 0, TensorElementType.Float, [.. a.Shape[..^1], n]);
        var dequantized = Tensor.FromFloat(values, k, n);
        QuantizedTensor? quantized = symmetric ? new QuantizedTensor(Array.ConvertAll(src, v => (sbyte)v), scales) : null;
        if (!TryEmitInt8Linear(b, node, a, quantized, columnMajor: true, n, k, 1f, bias, rows, output))
        {
            b.Emit(node, new LinearKernel(node.Name, a, PackedMatrix.FromColumnMajor(dequantized.FloatData!, n, k), bias, rows, output), [output]);
        }
    }

    /// <summary>
    /// Emits an <see cref="Int8LinearKernel"/> for out = alpha * W x + bias when the weight constant came from int8
    /// data with one scale per output row; returns false (nothing emitted) otherwise.
    /// </summary>
    public static bool TryEmitInt8Linear(PlanBuilder b, OnnxNode node, PlanValue a, QuantizedTensor? q, bool columnMajor, int n, int k,
        float alpha, float[]? bias, int rows, PlanValue output)
    {
        if (q is null)
        {
            return false;
        }

        b.Reserve(Int8RowsBytes(n, k) + PlanBuilder.Int8PackedBytes(n, k), $"int8 weights ({n} x {k}, copied and packed)");
        if (!q.TryGetRows(0, n, k, columnMajor, out sbyte[] values, out float[] scales))
        {
            return false;
        }

        for (int i = 0; i < scales.Length; i++)
        {
            scales[i] *= alpha;
        }

        Int8Matrix m = Int8Matrix.FromRowMajor(values, scales, n, k);
        int scratch = b.NewSlot(true, Int8LinearKernel.ScratchLength(m), node.Name + ".int8scratch");
        float staticScale = b.StaticScales.GetValueOrDefault(a.Name);
        b.Emit(node, new Int8LinearKernel(node.Name, a, m, bias, rows, scratch, output, staticScale), [output]);
        return true;
    }

    /// <summary>The bytes <see cref="QuantizedTensor.TryGetRows"/> allocates: the int8 matrix and a scale per row.</summary>
    internal static long Int8RowsBytes(int rows, int columns) => LoadBudget.Add((long)rows * columns, (long)rows * sizeof(float));

    /// <summary>Reads scale (and zero point) inputs: one per tensor, or per index along the axis attribute.</summary>
    private static ScaleLayout ReadScale(PlanBuilder b, OnnxNode node, int[] shape, int scaleIndex, int zpIndex, int? perAxis = null)
    {
        Tensor scale = b.ConstantInput(node, scaleIndex, "scale");
        Tensor? zp = b.OptionalInput(node, zpIndex) is null ? null : b.ConstantInput(node, zpIndex, "zero point");
        if (node.GetInt("block_size", 0) != 0)
        {
            throw new ModelFormatException($"{node.Describe()} uses blocked quantization (block_size), which EdgeRnn does not support.");
        }

        if (!scale.IsFloat || scale.Rank > 1 || (zp is not null && (zp.IsFloat || zp.Length != scale.Length)))
        {
            throw new ModelFormatException($"{node.Describe()} has scale {scale} and zero point {zp?.ToString() ?? "none"}; expected a Float scalar or 1-D scale and an integer zero point of the same shape.");
        }

        if (scale.Length == 1)
        {
            return new ScaleLayout(scale.FloatData!, zp?.Int64Data, 1, 1);
        }

        int axis = perAxis ?? NormalizeAxis(node, shape.Length);
        if (shape[axis] != scale.Length)
        {
            throw new ModelFormatException($"{node.Describe()} has {scale.Length} scales for axis {axis} of length {shape[axis]}.");
        }

        int inner = ShapeMath.Product(shape, axis + 1, shape.Length);
        return new ScaleLayout(scale.FloatData!, zp?.Int64Data, inner, shape[axis]);
    }

    private static int NormalizeAxis(OnnxNode node, int rank)
    {
        if (rank == 0)
        {
            throw new ModelFormatException($"{node.Describe()} has a per-axis scale for a scalar input.");
        }

        return ShapeMath.NormalizeAxis(node.GetInt("axis", 1), rank, node);
    }
}

/// <summary>Where element i finds its scale: index (i / Inner) % Count.</summary>
internal sealed record ScaleLayout(float[] Scales, long[]? ZeroPoints, int Inner, int Count)
{
    public int IndexOf(int i) => Count == 1 ? 0 : (i / Inner) % Count;
}

/// <summary>y = (x - zero_point) * scale.</summary>
internal sealed class DequantizeKernel(string node, PlanValue input, ScaleLayout layout, PlanValue destination) : Kernel(node)
{
    public override void Execute(Frame frame)
    {
        long[] x = input.Longs(frame);
        float[] d = frame.Floats(destination.Slot);
        for (int i = 0; i < d.Length; i++)
        {
            int s = layout.IndexOf(i);
            d[i] = (x[i] - (layout.ZeroPoints?[s] ?? 0)) * layout.Scales[s];
        }
    }
}

/// <summary>y = saturate(round_half_even(x / scale) + zero_point) to int8 or uint8.</summary>
internal sealed class QuantizeKernel(string node, PlanValue input, ScaleLayout layout, bool signed, PlanValue destination) : Kernel(node)
{
    public override void Execute(Frame frame)
    {
        float[] x = input.Floats(frame);
        long[] d = frame.Longs(destination.Slot);
        float lo = signed ? -128f : 0f;
        float hi = signed ? 127f : 255f;
        for (int i = 0; i < d.Length; i++)
        {
            int s = layout.IndexOf(i);
            float v = MathF.Round(x[i] / layout.Scales[s]) + (layout.ZeroPoints?[s] ?? 0);
            d[i] = (long)Math.Clamp(float.IsNaN(v) ? 0f : v, lo, hi);
        }
    }
}
