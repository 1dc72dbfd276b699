using EdgeRnn.Deployment.Metadata;
using EdgeRnn.Runtime;

namespace EdgeRnn.Deployment.Tests.Metadata;

/// <summary>The rounding producers apply to golden vectors before they store them.</summary>
public class GoldenVectorTests
{
    [Fact]
    public void RoundInputs_KeepsThreeDecimals_AndNonFiniteValues()
    {
        float[] rounded = GoldenVector.RoundInputs([-1.1085738f, 0.0004999f, 0.0005f, 2.5f, float.NaN, float.NegativeInfinity]);
        Assert.Equal([-1.109f, 0f, 0.001f, 2.5f, float.NaN, float.NegativeInfinity], rounded);
        Assert.Equal("-1.109", rounded[0].ToString("R", System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData(1e-4f, -1.7731028f, -1.773103f)]
    [InlineData(1e-3f, 0.0026629865f, 0.00266f)]
    [InlineData(1e-5f, 123.456789f, 123.456789f)]
    public void WithRoundedOutputs_KeepsTwoDecimalsMoreThanTheTolerance(float tolerance, float value, float expected)
    {
        var golden = new GoldenVector { Inputs = [[1f]], Outputs = [[value]], Tolerance = tolerance };
        GoldenVector rounded = golden.WithRoundedOutputs();
        Assert.Equal(expected, rounded.Outputs[0][0]);
        Assert.True(Math.Abs(rounded.Outputs[0][0] - value) <= tolerance / 100);
        Assert.Equal(value, golden.Outputs[0][0]);
    }

    [Fact]
    public void WithRoundedOutputs_ToleranceZero_KeepsExactValues()
    {
        var golden = new GoldenVector { Inputs = [[1f]], Outputs = [[1.234567e-9f, 0.1234567f]], Tolerance = 0 };
        Assert.Same(golden, golden.WithRoundedOutputs());
    }
}
