using EdgeRnn.Desktop.Onnx;
using EdgeRnn.Runtime.Graph;
using EdgeRnn.Runtime.Onnx;

namespace EdgeRnn.Runtime.Tests.Graph;

/// <summary>Checked shape arithmetic: exact results in range, errors naming the node out of it, never a wrapped value.</summary>
public class ShapeMathTests
{
    private static readonly OnnxNode s_node = new("n", "Tile", "", 7, [], [], new Dictionary<string, OnnxAttribute>());

    [Theory]
    [InlineData(4L, 5L, 20)]
    [InlineData(0L, long.MaxValue, 0)]
    [InlineData(int.MaxValue, 1L, int.MaxValue)]
    public void MultiplyToDim_InRange_IsExact(long a, long b, int expected)
    {
        Assert.Equal(expected, ShapeMath.MultiplyToDim(a, b, s_node, "tiled dimension"));
    }

    [Theory]
    [InlineData(4L, 1L << 62, "4 x 4611686018427387904 = 18446744073709551616")]
    [InlineData(2L, (1L << 62) + 1, "2 x 4611686018427387905 = 9223372036854775810")]
    [InlineData(long.MaxValue, long.MaxValue, "= 85070591730234615847396907784232501249")]
    [InlineData(-1L, 3L, "-1 x 3 = -3")]
    [InlineData(65536L, 32768L, "= 2147483648")]
    public void MultiplyToDim_OutOfRange_ThrowsNamingNodeWithExactProduct(long a, long b, string product)
    {
        var e = Assert.Throws<ModelFormatException>(() => ShapeMath.MultiplyToDim(a, b, s_node, "tiled dimension"));
        Assert.StartsWith("node 'n' (Tile, #7) has tiled dimension", e.Message, StringComparison.Ordinal);
        Assert.Contains(product, e.Message, StringComparison.Ordinal);
        Assert.Contains("not a valid dimension", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToDim_Int128SumBeyondLong_Throws()
    {
        Int128 sum = (Int128)long.MaxValue + long.MaxValue + 3;
        var e = Assert.Throws<ModelFormatException>(() => ShapeMath.ToDim(sum, s_node, "padded dimension 0 ="));
        Assert.Contains("18446744073709551617", e.Message, StringComparison.Ordinal);
        Assert.Equal(7, ShapeMath.ToDim((Int128)7, s_node, "x"));
    }

    [Fact]
    public void Product_OverflowingInt_ThrowsOverflow()
    {
        Assert.Equal(24, ShapeMath.Product([2, 3, 4], 0, 3));
        Assert.Throws<OverflowException>(() => ShapeMath.Product([65536, 65536], 0, 2));
        Assert.Equal(0, ShapeMath.Product([0, 65536, 65536], 0, 1));
    }

    [Fact]
    public void Strides_OverflowingInt_ThrowsOverflow()
    {
        Assert.Equal([12, 4, 1], ShapeMath.Strides([2, 3, 4]));
        Assert.Equal([0, 1 << 20, 1], ShapeMath.Strides([4, 0, 1 << 20])); // an empty tensor: strides are never used past 0
        Assert.Throws<OverflowException>(() => ShapeMath.Strides([1, 0, 1 << 16, 1 << 16]));
    }

    [Fact]
    public void Build_OverflowInsideAnOperator_ReportedNamingTheNode()
    {
        // Flatten at axis 1 of [0, 65536, 65536]: no elements, but its trailing product does not fit an int.
        var g = new OnnxGraphBuilder("flatten");
        g.AddInput("x", TensorElementType.Float, OnnxDimension.Fixed(0), OnnxDimension.Fixed(65536), OnnxDimension.Fixed(65536));
        g.AddNode("Flatten", ["x"], ["y"], "flat");
        g.AddOutput("y", TensorElementType.Float);
        var e = Assert.Throws<ModelFormatException>(() => RnnModel.Load(g.ToBytes(), null, "f.onnx"));
        Assert.StartsWith("f.onnx: node 'flat' (Flatten, #0) cannot be planned: a size computed from its shapes overflows", e.Message, StringComparison.Ordinal);
    }
}
