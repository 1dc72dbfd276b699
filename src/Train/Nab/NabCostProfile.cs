namespace EdgeRnn.Train.Nab;

/// <summary>
/// A NAB application profile: the cost matrix that weights true positives, false negatives and false positives
/// (numenta/NAB <c>config/profiles.json</c>, MIT). NAB's scorer reads the true-negative weight from the profile but
/// never uses it: true negatives contribute nothing to the score.
/// </summary>
public sealed class NabCostProfile
{
    /// <summary>Creates a profile.</summary>
    /// <param name="name">The profile's name as NAB spells it (<c>standard</c>, <c>reward_low_FP_rate</c>, ...).</param>
    /// <param name="truePositiveWeight">The reward for detecting a window at its very start (NAB's <c>tpWeight</c>).</param>
    /// <param name="falseNegativeWeight">The cost of a missed window (<c>fnWeight</c>).</param>
    /// <param name="falsePositiveWeight">The largest cost of one detection outside every window (<c>fpWeight</c>).</param>
    /// <param name="trueNegativeWeight">NAB's <c>tnWeight</c>: kept for completeness, unused by the scorer.</param>
    public NabCostProfile(string name, double truePositiveWeight, double falseNegativeWeight, double falsePositiveWeight, double trueNegativeWeight)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ThrowIfNotFiniteOrNegative(truePositiveWeight);
        ThrowIfNotFiniteOrNegative(falseNegativeWeight);
        ThrowIfNotFiniteOrNegative(falsePositiveWeight);
        ThrowIfNotFiniteOrNegative(trueNegativeWeight);
        Name = name;
        TruePositiveWeight = truePositiveWeight;
        FalseNegativeWeight = falseNegativeWeight;
        FalsePositiveWeight = falsePositiveWeight;
        TrueNegativeWeight = trueNegativeWeight;
    }

    /// <summary>NAB's <c>standard</c> profile: TP 1, FN 1, FP 0.11, TN 1.</summary>
    public static NabCostProfile Standard { get; } = new("standard", 1.0, 1.0, 0.11, 1.0);

    /// <summary>NAB's <c>reward_low_FP_rate</c> profile: TP 1, FN 1, FP 0.22, TN 1.</summary>
    public static NabCostProfile RewardLowFalsePositiveRate { get; } = new("reward_low_FP_rate", 1.0, 1.0, 0.22, 1.0);

    /// <summary>NAB's <c>reward_low_FN_rate</c> profile: TP 1, FN 2, FP 0.11, TN 1.</summary>
    public static NabCostProfile RewardLowFalseNegativeRate { get; } = new("reward_low_FN_rate", 1.0, 2.0, 0.11, 1.0);

    /// <summary>The three NAB profiles in the order NAB reports them: standard, reward_low_FP_rate, reward_low_FN_rate.</summary>
    public static IReadOnlyList<NabCostProfile> All { get; } = [Standard, RewardLowFalsePositiveRate, RewardLowFalseNegativeRate];

    /// <summary>The profile's name as NAB spells it.</summary>
    public string Name { get; }

    /// <summary>NAB's <c>tpWeight</c>: the score of a window detected at its first row.</summary>
    public double TruePositiveWeight { get; }

    /// <summary>NAB's <c>fnWeight</c>: the cost of a window without a detection.</summary>
    public double FalseNegativeWeight { get; }

    /// <summary>NAB's <c>fpWeight</c>: the cost of a detection outside windows, scaled by its distance from the preceding window.</summary>
    public double FalsePositiveWeight { get; }

    /// <summary>NAB's <c>tnWeight</c>; the scorer does not use it.</summary>
    public double TrueNegativeWeight { get; }

    /// <summary>One of <see cref="All"/> by its NAB name (ordinal), or null.</summary>
    public static NabCostProfile? FromName(string name) => All.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.Ordinal));

    /// <inheritdoc/>
    public override string ToString() => Name;

    private static void ThrowIfNotFiniteOrNegative(double weight, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(weight))] string? name = null)
    {
        if (!double.IsFinite(weight) || weight < 0)
        {
            throw new ArgumentOutOfRangeException(name, weight, "A cost weight must be finite and not negative.");
        }
    }
}
