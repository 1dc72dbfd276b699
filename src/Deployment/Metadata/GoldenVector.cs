using EdgeRnn.Runtime;

namespace EdgeRnn.Deployment.Metadata;

/// <summary>
/// A few input steps and the outputs the exporting tool computed for them, stored in <c>edgernn.golden</c> so a
/// device can check itself: reset a state, <see cref="RnnModel.Step(RnnState, ReadOnlySpan{float}, Span{float})"/>
/// through <see cref="Inputs"/> (already normalized, the model's own input units) and compare each step's output
/// with <see cref="Outputs"/> within <see cref="Tolerance"/>.
/// </summary>
public sealed record GoldenVector
{
    /// <summary>Model inputs, one array per step.</summary>
    public required float[][] Inputs { get; init; }

    /// <summary>Expected first data output, one array per step.</summary>
    public required float[][] Outputs { get; init; }

    /// <summary>Largest allowed absolute difference per element.</summary>
    public float Tolerance { get; set; } = 1e-4f;

    /// <summary>Decimal places producers keep in <see cref="Inputs"/> (see <see cref="RoundInputs"/>).</summary>
    public const int InputDecimals = 3;

    /// <summary>
    /// Rounds golden inputs to <see cref="InputDecimals"/> places. Any input is as good a check as another, so producers
    /// round before computing the expected outputs: the JSON holds "-1.109" instead of "-1.1085738", a few hundred
    /// bytes less metadata in every model, and the check stays exact.
    /// </summary>
    public static float[] RoundInputs(ReadOnlySpan<float> values) => Round(values, InputDecimals);

    /// <summary>
    /// This vector with <see cref="Outputs"/> rounded to two decimal places more than <see cref="Tolerance"/> resolves
    /// (1e-4 → 6): the rounding uses at most 1% of the tolerance, and the JSON numbers get shorter. With a tolerance of 0
    /// the vector is returned as it is.
    /// </summary>
    public GoldenVector WithRoundedOutputs()
    {
        if (!(Tolerance > 0))
        {
            // An exact check (tolerance 0) needs the exact floats.
            return this;
        }

        int decimals = Math.Clamp((int)Math.Ceiling(-Math.Log10(Tolerance) - 1e-6) + 2, 0, 15);
        return this with { Outputs = [.. Outputs.Select(o => Round(o, decimals))] };
    }

    private static float[] Round(ReadOnlySpan<float> values, int decimals)
    {
        var rounded = new float[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            // In double, so the result is the float nearest to the decimal (its shortest form is the short decimal).
            rounded[i] = float.IsFinite(values[i]) ? (float)Math.Round(values[i], decimals, MidpointRounding.AwayFromZero) : values[i];
        }

        return rounded;
    }
}
