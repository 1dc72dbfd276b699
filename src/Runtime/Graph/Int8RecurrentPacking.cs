using EdgeRnn.Runtime.Kernels;
using EdgeRnn.Runtime.Onnx;

namespace EdgeRnn.Runtime.Graph;

/// <summary>
/// Builds <see cref="Int8RecurrentWeights"/> when a recurrent node's W and R both came from int8 data (a qdq
/// DequantizeLinear or a com.microsoft DynamicQuantizeLSTM) with one scale per gate row; otherwise the node keeps
/// the float kernels.
/// </summary>
internal static class Int8RecurrentPacking
{
    public static Int8RecurrentWeights[]? TryPack(PlanBuilder b, RecurrentCell cell, RecurrentCellAttributes attributes, Tensor w, Tensor r, float[]? bias,
        float[]? peep, int dirs, int hidden, int inputSize)
    {
        int gates = cell.Gates;
        if (!b.Quantized.TryGetValue(w, out QuantizedTensor? qw) || !b.Quantized.TryGetValue(r, out QuantizedTensor? qr))
        {
            return null;
        }

        int rows = checked(gates * hidden);
        long perDirection = QuantizedOperators.Int8RowsBytes(rows, inputSize) + QuantizedOperators.Int8RowsBytes(rows, hidden)
            + PlanBuilder.Int8PackedBytes(rows, inputSize) + PlanBuilder.Int8PackedBytes(rows, hidden) + (4L * rows * sizeof(float));
        b.Reserve(LoadBudget.Multiply(dirs, perDirection), $"int8 packed weights ({dirs} x {gates}*{hidden} rows)");
        var result = new Int8RecurrentWeights[dirs];
        for (int d = 0; d < dirs; d++)
        {
            if (!qw.TryGetRows(d * rows * inputSize, rows, inputSize, false, out sbyte[] wv, out float[] ws)
                || !qr.TryGetRows(d * rows * hidden, rows, hidden, false, out sbyte[] rv, out float[] rs))
            {
                return null;
            }

            result[d] = cell.PackInt8(attributes, new RecurrentDirectionWeights<sbyte>
            {
                W = wv,
                R = rv,
                WScales = ws,
                RScales = rs,
                InputBias = bias is null ? new float[rows] : bias.AsSpan(d * 2 * rows, rows),
                RecurrentBias = bias is null ? new float[rows] : bias.AsSpan((d * 2 * rows) + rows, rows),
                Peepholes = peep is null ? default : peep.AsSpan(d * 3 * hidden, 3 * hidden),
            }, hidden, inputSize);
        }

        return result;
    }
}
