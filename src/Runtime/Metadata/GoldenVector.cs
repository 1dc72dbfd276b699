namespace EdgeRnn.Runtime.Metadata;

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
}
