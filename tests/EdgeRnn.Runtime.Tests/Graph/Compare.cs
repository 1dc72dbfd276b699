namespace EdgeRnn.Runtime.Tests.Graph;

internal static class Compare
{
    /// <summary>Asserts equal shapes and max |a - b| within <paramref name="atol"/>; returns the max error.</summary>
    public static double MaxAbs(Tensor expected, Tensor actual, double atol, string what)
    {
        Assert.True(expected.Shape.SequenceEqual(actual.Shape), $"{what}: shape {Tensor.FormatShape(actual.Shape)} != expected {Tensor.FormatShape(expected.Shape)}");
        double max = 0;
        int worst = -1;
        for (int i = 0; i < expected.Length; i++)
        {
            double e = Math.Abs((double)expected.FloatData![i] - actual.FloatData![i]);
            if (!(e <= max))
            {
                max = e;
                worst = i;
            }
        }

        Assert.True(max <= atol, $"{what}: max abs error {max:E3} at {worst} (expected {(worst >= 0 ? expected.FloatData![worst] : 0)}, got {(worst >= 0 ? actual.FloatData![worst] : 0)}) > {atol:E1}");
        return max;
    }
}
