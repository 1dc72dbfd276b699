using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using EdgeRnn.Runtime.Kernels;

namespace EdgeRnn.Runtime.Graph;

/// <summary>
/// A dense layer with constant weights: for each of <c>rows</c> input rows of length K,
/// out[r, n] = bias[n] + sum_k x[r, k] * W[n, k] (Gemm with constant B, MatMul with a constant 2-D right operand).
/// </summary>
internal sealed class LinearKernel(string node, PlanValue input, PackedMatrix weights, float[]? bias, int rows, PlanValue destination) : Kernel(node)
{
    public override long MultiplyAdds => (long)rows * weights.Rows * weights.Columns;

    public override void Execute(Frame frame)
    {
        float[] x = input.Floats(frame);
        float[] d = frame.Floats(destination.Slot);
        int k = weights.Columns;
        int n = weights.Rows;
        ReadOnlySpan<float> b = bias;
        for (int r = 0; r < rows; r++)
        {
            MatVec.Multiply(weights, x.AsSpan(r * k, k), b, d.AsSpan(r * n, n));
        }
    }
}

/// <summary>
/// A dense layer with few outputs (fewer than <see cref="MaxOutputs"/>, e.g. a forecast head): out[r, n] = bias[n] +
/// dot(x[r, :], W[n, :]) over row-major weights, instead of 64-row panels that would be mostly padding.
/// </summary>
internal sealed class ThinLinearKernel(string node, PlanValue input, float[] weights, int outputs, int columns, float[]? bias, int rows, PlanValue destination) : Kernel(node)
{
    /// <summary>Below this many outputs a dense layer takes this kernel.</summary>
    public const int MaxOutputs = 16;

    public override long MultiplyAdds => (long)rows * outputs * columns;

    public override void Execute(Frame frame)
    {
        float[] x = input.Floats(frame);
        float[] d = frame.Floats(destination.Slot);
        // One check for the whole product, then unchecked dots (see Dot.Compute(ref float, ...)).
        if (x.Length < rows * columns || weights.Length < outputs * columns || d.Length < rows * outputs || (bias is not null && bias.Length < outputs))
        {
            ThrowHelpers.ThrowLengthMismatch($"The input of dense node {NodeName}", rows * columns, x.Length);
        }

        ref float w0 = ref MemoryMarshal.GetArrayDataReference(weights);
        for (int r = 0; r < rows; r++)
        {
            ref float xr = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(x), r * columns);
            for (int n = 0; n < outputs; n++)
            {
                d[(r * outputs) + n] = (bias is null ? 0 : bias[n]) + Dot.Compute(ref xr, ref Unsafe.Add(ref w0, n * columns), columns);
            }
        }
    }
}

/// <summary>
/// General batched matrix product with broadcasting over leading dimensions, for operands computed at run time:
/// out[batch, m, n] = alpha * sum_k A[batch, m, k] * B[batch, k, n] (+ beta * C when given). Transposes are read
/// through strides.
/// </summary>
internal sealed class MatMulKernel : Kernel
{
    private readonly PlanValue _a;
    private readonly PlanValue _b;
    private readonly PlanValue? _c;
    private readonly int[]? _cMap;
    private readonly PlanValue _destination;
    private readonly int[] _aBatchOffsets;
    private readonly int[] _bBatchOffsets;
    private readonly int _m;
    private readonly int _n;
    private readonly int _k;
    private readonly int _aRowStride;
    private readonly int _aColStride;
    private readonly int _bRowStride;
    private readonly int _bColStride;
    private readonly float _alpha;
    private readonly float _beta;

    public MatMulKernel(string node, PlanValue a, PlanValue b, int[] aBatchOffsets, int[] bBatchOffsets, int m, int n, int k,
        (int Row, int Col) aStrides, (int Row, int Col) bStrides, float alpha, PlanValue? c, int[]? cMap, float beta, PlanValue destination)
        : base(node)
    {
        _a = a;
        _b = b;
        _aBatchOffsets = aBatchOffsets;
        _bBatchOffsets = bBatchOffsets;
        _m = m;
        _n = n;
        _k = k;
        (_aRowStride, _aColStride) = aStrides;
        (_bRowStride, _bColStride) = bStrides;
        _alpha = alpha;
        _c = c;
        _cMap = cMap;
        _beta = beta;
        _destination = destination;
    }

    public override long MultiplyAdds => (long)_aBatchOffsets.Length * _m * _n * _k;

    public override void Execute(Frame frame)
    {
        float[] a = _a.Floats(frame);
        float[] b = _b.Floats(frame);
        float[] d = frame.Floats(_destination.Slot);
        float[]? c = _c?.Floats(frame);
        int o = 0;
        for (int batch = 0; batch < _aBatchOffsets.Length; batch++)
        {
            int aBase = _aBatchOffsets[batch];
            int bBase = _bBatchOffsets[batch];
            for (int i = 0; i < _m; i++)
            {
                for (int j = 0; j < _n; j++)
                {
                    float sum = 0;
                    for (int p = 0; p < _k; p++)
                    {
                        sum += a[aBase + (i * _aRowStride) + (p * _aColStride)] * b[bBase + (p * _bRowStride) + (j * _bColStride)];
                    }

                    float value = _alpha * sum;
                    if (c is not null)
                    {
                        value += _beta * c[_cMap![o]];
                    }

                    d[o++] = value;
                }
            }
        }
    }
}
