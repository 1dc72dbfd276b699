using EdgeRnn.Runtime.Kernels;
using EdgeRnn.Runtime.Onnx;

namespace EdgeRnn.Runtime.Graph;

/// <summary>Arithmetic, activations and dense layers.</summary>
internal static class MathOperators
{
    public static void Binary(PlanBuilder b, OnnxNode node, BinaryOp op)
    {
        PlanValue x = b.Input(node, 0);
        PlanValue y = b.Input(node, 1);
        if (x.IsFloat != y.IsFloat)
        {
            throw new ModelFormatException($"{node.Describe()} mixes {x.Describe()} and {y.Describe()}; both operands must have the same element type.");
        }

        int[] outShape = ShapeMath.Broadcast(x.Shape, y.Shape, node);
        int count = b.CheckedCount(outShape, node);
        PlanValue output = b.NewOutput(node, 0, x.ElementType, outShape);
        bool sameX = ShapeMath.SameShape(x.Shape, outShape);
        bool sameY = ShapeMath.SameShape(y.Shape, outShape);
        b.ReserveMap(((sameX ? 0L : 1) + (sameY ? 0 : 1)) * count);
        int[]? mapX = sameX ? null : ShapeMath.BroadcastMap(x.Shape, outShape);
        int[]? mapY = sameY ? null : ShapeMath.BroadcastMap(y.Shape, outShape);
        Kernel kernel = op switch
        {
            BinaryOp.Add => new BinaryKernel<AddOperator>(node.Name, x, y, mapX, mapY, output),
            BinaryOp.Subtract => new BinaryKernel<SubtractOperator>(node.Name, x, y, mapX, mapY, output),
            BinaryOp.Multiply => new BinaryKernel<MultiplyOperator>(node.Name, x, y, mapX, mapY, output),
            _ => new BinaryKernel<DivideOperator>(node.Name, x, y, mapX, mapY, output),
        };
        b.Emit(node, kernel, [output]);
    }

    public static void Unary(PlanBuilder b, OnnxNode node, UnaryOp op)
    {
        PlanValue x = RequireFloat(b.Input(node, 0), node);
        PlanValue output = b.NewOutput(node, 0, TensorElementType.Float, x.Shape);
        Kernel kernel = op switch
        {
            UnaryOp.Sigmoid => new UnaryKernel<SigmoidOperator>(node.Name, x, output),
            UnaryOp.Tanh => new UnaryKernel<TanhOperator>(node.Name, x, output),
            _ => new UnaryKernel<ReluOperator>(node.Name, x, output),
        };
        b.Emit(node, kernel, [output]);
    }

    public static void Softmax(PlanBuilder b, OnnxNode node)
    {
        PlanValue x = RequireFloat(b.Input(node, 0), node);
        int rank = x.Shape.Length;
        int axis = ShapeMath.NormalizeAxis(node.GetInt("axis", -1), rank, node);
        PlanValue output = b.NewOutput(node, 0, TensorElementType.Float, x.Shape);
        b.Emit(node, new SoftmaxKernel(node.Name, x, ShapeMath.Product(x.Shape, 0, axis), x.Shape[axis], ShapeMath.Product(x.Shape, axis + 1, rank), output), [output]);
    }

    public static void Gemm(PlanBuilder b, OnnxNode node)
    {
        PlanValue a = RequireFloat(b.Input(node, 0), node);
        PlanValue bv = RequireFloat(b.Input(node, 1), node);
        PlanValue? c = b.OptionalInput(node, 2);
        float alpha = node.GetFloat("alpha", 1f);
        float beta = node.GetFloat("beta", 1f);
        bool transA = node.GetInt("transA", 0) != 0;
        bool transB = node.GetInt("transB", 0) != 0;
        if (a.Shape.Length != 2 || bv.Shape.Length != 2)
        {
            throw new ModelFormatException($"{node.Describe()} needs 2-D A and B; got {a.Describe()} and {bv.Describe()}.");
        }

        int m = transA ? a.Shape[1] : a.Shape[0];
        int k = transA ? a.Shape[0] : a.Shape[1];
        int kb = transB ? bv.Shape[1] : bv.Shape[0];
        int n = transB ? bv.Shape[0] : bv.Shape[1];
        if (k != kb)
        {
            throw new ModelFormatException($"{node.Describe()} multiplies {a.Describe()} by {bv.Describe()}: inner dimensions {k} and {kb} differ (transA={transA}, transB={transB}).");
        }

        int[] outShape = [m, n];
        if (c is not null)
        {
            RequireFloat(c, node);
            if (!ShapeMath.SameShape(ShapeMath.Broadcast(c.Shape, outShape, node), outShape))
            {
                throw new ModelFormatException($"{node.Describe()} cannot broadcast C {c.Describe()} to [{m}, {n}].");
            }
        }

        PlanValue output = b.NewOutput(node, 0, TensorElementType.Float, outShape);
        bool cIsRowBias = c is null || (c.IsConstant && c.Length == n && (c.Shape.Length == 1 || (c.Shape.Length == 2 && c.Shape[0] == 1)));
        if (bv.Constant is { } bConst && !transA && cIsRowBias)
        {
            // out[m, :] = (alpha * B') x + beta * C: pack B' (n rows of k) with alpha folded in.
            ReserveDenseLayer(b, n, k);
            float[] src = bConst.FloatData!;
            var w = new float[n * k];
            for (int row = 0; row < n; row++)
            {
                for (int col = 0; col < k; col++)
                {
                    w[(row * k) + col] = alpha * (transB ? src[(row * k) + col] : src[(col * n) + row]);
                }
            }

            float[]? bias = c is null ? null : c.Constant!.FloatData!.Select(v => beta * v).ToArray();
            if (QuantizedOperators.TryEmitInt8Linear(b, node, a, b.Quantized.GetValueOrDefault(bConst), columnMajor: !transB, n, k, alpha, bias, m, output))
            {
                return;
            }

            b.Emit(node, DenseLayer(node, a, w, n, k, bias, m, output), [output]);
            return;
        }

        (int, int) aStrides = transA ? (1, a.Shape[1]) : (a.Shape[1], 1);
        (int, int) bStrides = transB ? (1, bv.Shape[1]) : (bv.Shape[1], 1);
        if (c is not null)
        {
            b.ReserveMap(output.Length);
        }

        int[]? cMap = c is null ? null : ShapeMath.BroadcastMap(c.Shape, outShape);
        b.Emit(node, new MatMulKernel(node.Name, a, bv, [0], [0], m, n, k, aStrides, bStrides, alpha, c, cMap, beta, output), [output]);
    }

    public static void MatMul(PlanBuilder b, OnnxNode node)
    {
        PlanValue a = RequireFloat(b.Input(node, 0), node);
        PlanValue bv = RequireFloat(b.Input(node, 1), node);
        if (a.Shape.Length == 0 || bv.Shape.Length == 0)
        {
            throw new ModelFormatException($"{node.Describe()} cannot multiply scalars ({a.Describe()}, {bv.Describe()}).");
        }

        // Numpy promotion: a 1-D A is a row [1, K], a 1-D B a column [K, 1]; the added axes are dropped again.
        int[] aShape = a.Shape.Length == 1 ? [1, a.Shape[0]] : a.Shape;
        int[] bShape = bv.Shape.Length == 1 ? [bv.Shape[0], 1] : bv.Shape;
        int m = aShape[^2];
        int k = aShape[^1];
        int n = bShape[^1];
        if (bShape[^2] != k)
        {
            throw new ModelFormatException($"{node.Describe()} multiplies {a.Describe()} by {bv.Describe()}: inner dimensions {k} and {bShape[^2]} differ.");
        }

        int[] batchShape = ShapeMath.Broadcast(aShape[..^2], bShape[..^2], node);
        var outList = new List<int>(batchShape);
        if (a.Shape.Length > 1)
        {
            outList.Add(m);
        }

        if (bv.Shape.Length > 1)
        {
            outList.Add(n);
        }

        int[] outShape = [.. outList];
        b.CheckedCount(outShape, node);
        PlanValue output = b.NewOutput(node, 0, TensorElementType.Float, outShape);

        if (bv.Constant is { } bConst && bv.Shape.Length == 2)
        {
            // A dense layer: every row of A times the constant [K, N] matrix.
            int rows = a.Length / Math.Max(k, 1);
            if (k > 0 && QuantizedOperators.TryEmitInt8Linear(b, node, a, b.Quantized.GetValueOrDefault(bConst), columnMajor: true, n, k, 1f, null, rows, output))
            {
                return;
            }

            // W[n, k] = B[k, n]: row-major weights of the layer.
            ReserveDenseLayer(b, n, k);
            float[] bData = bConst.FloatData!;
            var w = new float[n * k];
            for (int row = 0; row < n; row++)
            {
                for (int col = 0; col < k; col++)
                {
                    w[(row * k) + col] = bData[(col * n) + row];
                }
            }

            b.Emit(node, DenseLayer(node, a, w, n, k, null, k == 0 ? 0 : rows, output), [output]);
            return;
        }

        // Four int arrays over the broadcast batch: maps and offsets. With m or n 0 the output is empty but the batch
        // need not be, so the output's size does not bound them.
        int batchCount = b.CheckedCount(batchShape, $"{node.Describe()} batch");
        b.ReserveMap(4L * batchCount);
        int[] aBatchMap = ShapeMath.BroadcastMap(aShape[..^2], batchShape);
        int[] bBatchMap = ShapeMath.BroadcastMap(bShape[..^2], batchShape);
        var aOffsets = new int[batchCount];
        var bOffsets = new int[batchCount];
        for (int i = 0; i < batchCount; i++)
        {
            aOffsets[i] = checked(aBatchMap[i] * m * k);
            bOffsets[i] = checked(bBatchMap[i] * k * n);
        }

        b.Emit(node, new MatMulKernel(node.Name, a, bv, aOffsets, bOffsets, m, n, k, (k, 1), (n, 1), 1f, null, null, 0f, output), [output]);
    }

    /// <summary>Charges the weights of a dense layer [outputs x columns]: the row-major copy and its packed panels.</summary>
    private static void ReserveDenseLayer(PlanBuilder b, int outputs, int columns) =>
        b.Reserve(LoadBudget.Add(LoadBudget.Multiply((long)outputs * columns, 2 * sizeof(float)), PlanBuilder.PackedBytes(outputs, columns)),
            $"weights ({outputs} x {columns}, copied and packed)");

    /// <summary>A dense layer over row-major weights [outputs x columns]: panels for wide layers, dot products for thin ones.</summary>
    private static Kernel DenseLayer(OnnxNode node, PlanValue input, float[] weights, int outputs, int columns, float[]? bias, int rows, PlanValue output) =>
        outputs < ThinLinearKernel.MaxOutputs
            ? new ThinLinearKernel(node.Name, input, weights, outputs, columns, bias, rows, output)
            : new LinearKernel(node.Name, input, PackedMatrix.FromRowMajor(weights, outputs, columns), bias, rows, output);

    private static PlanValue RequireFloat(PlanValue v, OnnxNode node) => v.IsFloat
        ? v
        : throw new ModelFormatException($"{node.Describe()} needs float input but {v.Describe()} is {v.ElementType}.");
}
