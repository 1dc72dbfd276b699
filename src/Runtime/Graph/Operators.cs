using System.Diagnostics.CodeAnalysis;
using EdgeRnn.Runtime.Onnx;

namespace EdgeRnn.Runtime.Graph;

/// <summary>The operators EdgeRnn runs (ai.onnx semantics of opsets 14 to 22) and their plan builders.</summary>
internal static class Operators
{
    private static readonly Dictionary<string, Action<PlanBuilder, OnnxNode>> s_builders = WithRecurrentCells(new(StringComparer.Ordinal)
    {
        ["Gemm"] = MathOperators.Gemm,
        ["MatMul"] = MathOperators.MatMul,
        ["Add"] = (b, n) => MathOperators.Binary(b, n, BinaryOp.Add),
        ["Sub"] = (b, n) => MathOperators.Binary(b, n, BinaryOp.Subtract),
        ["Mul"] = (b, n) => MathOperators.Binary(b, n, BinaryOp.Multiply),
        ["Div"] = (b, n) => MathOperators.Binary(b, n, BinaryOp.Divide),
        ["Sigmoid"] = (b, n) => MathOperators.Unary(b, n, UnaryOp.Sigmoid),
        ["Tanh"] = (b, n) => MathOperators.Unary(b, n, UnaryOp.Tanh),
        ["Relu"] = (b, n) => MathOperators.Unary(b, n, UnaryOp.Relu),
        ["Softmax"] = MathOperators.Softmax,
        ["Identity"] = ShapeOperators.Identity,
        ["Flatten"] = ShapeOperators.Flatten,
        ["Constant"] = ShapeOperators.Constant,
        ["ConstantOfShape"] = ShapeOperators.ConstantOfShape,
        ["Shape"] = ShapeOperators.Shape,
        ["Gather"] = ShapeOperators.Gather,
        ["Unsqueeze"] = ShapeOperators.Unsqueeze,
        ["Squeeze"] = ShapeOperators.Squeeze,
        ["Concat"] = ShapeOperators.Concat,
        ["Slice"] = ShapeOperators.Slice,
        ["Transpose"] = ShapeOperators.Transpose,
        ["Reshape"] = ShapeOperators.Reshape,
        ["Expand"] = ShapeOperators.Expand,
        ["Tile"] = ShapeOperators.Tile,
        ["Pad"] = ShapeOperators.Pad,
        ["Cast"] = ShapeOperators.Cast,
        ["DequantizeLinear"] = QuantizedOperators.DequantizeLinear,
        ["QuantizeLinear"] = QuantizedOperators.QuantizeLinear,
    });

    /// <summary>The supported operator names, sorted, for error messages.</summary>
    public static string SupportedList { get; } = string.Join(", ", s_builders.Keys.Order(StringComparer.Ordinal));

    public static bool TryGet(string opType, [NotNullWhen(true)] out Action<PlanBuilder, OnnxNode>? build) =>
        s_builders.TryGetValue(opType, out build);

    /// <summary>Adds every recurrent cell's operator (LSTM, GRU, RNN): the cell is the one place that names it.</summary>
    private static Dictionary<string, Action<PlanBuilder, OnnxNode>> WithRecurrentCells(Dictionary<string, Action<PlanBuilder, OnnxNode>> builders)
    {
        foreach (RecurrentCell cell in RecurrentCell.All)
        {
            builders.Add(cell.OpType, RecurrentOperators.Builder(cell));
        }

        return builders;
    }
}
