namespace EdgeRnn.Runtime.Tests;

public class TensorTests
{
    [Fact]
    public void FromFloat_ShapeMismatch_Throws()
    {
        Assert.Throws<ArgumentException>(() => Tensor.FromFloat(new float[5], 2, 3));
    }

    [Fact]
    public void FromFloat_Scalar_HasOneElement()
    {
        Tensor t = Tensor.FromFloat([3f]);
        Assert.Equal(0, t.Rank);
        Assert.Equal(1, t.Length);
    }

    [Fact]
    public void ElementCount_NegativeDimension_Throws()
    {
        Assert.Throws<ArgumentException>(() => Tensor.ElementCount([2, -1]));
    }
}
