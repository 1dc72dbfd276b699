using EdgeRnn.Runtime;

namespace EdgeRnn.Deployment.Metadata;

/// <summary>The result of running a model's golden vector.</summary>
/// <param name="Passed">Every output element within the golden tolerance.</param>
/// <param name="MaxAbsError">The largest absolute difference seen.</param>
/// <param name="Steps">Steps run.</param>
public readonly record struct GoldenCheckResult(bool Passed, double MaxAbsError, int Steps);

/// <summary>Runs a <see cref="GoldenVector"/> through a fresh streaming state: the on-device self-check.</summary>
public static class GoldenCheck
{
    /// <summary>Steps a new state through the golden inputs and compares each step's first output.</summary>
    /// <exception cref="ArgumentException">The model does not take one data input per step, or the golden vector's sizes
    /// do not match the model's step input or output.</exception>
    public static GoldenCheckResult Run(RnnModel model, GoldenVector golden)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(golden);
        if (model.StepInputs.Count != 1)
        {
            // E.g. edgernn.state_pairs leaves a state input unpaired: it is then a second data input.
            throw new ArgumentException(
                $"The model takes {model.StepInputs.Count} data inputs per step ({string.Join(", ", model.StepInputs.Select(i => DisplayText.Sanitize(i.Name)))}); "
                + "a golden vector feeds one. Check edgernn.state_pairs: every state input must be paired with the output that returns it.", nameof(model));
        }

        RnnState state = model.CreateState();
        int outputLength = model.StepOutputs[0].Length;
        var output = new float[outputLength];
        double max = 0;
        for (int t = 0; t < golden.Inputs.Length; t++)
        {
            if (golden.Outputs[t].Length != outputLength)
            {
                throw new ArgumentException($"Golden step {t} expects {golden.Outputs[t].Length} outputs; the model's step output has {outputLength}.", nameof(golden));
            }

            model.Step(state, golden.Inputs[t], output);
            for (int i = 0; i < outputLength; i++)
            {
                double e = Math.Abs((double)output[i] - golden.Outputs[t][i]);
                max = double.IsNaN(e) ? double.PositiveInfinity : Math.Max(max, e);
            }
        }

        return new GoldenCheckResult(max <= golden.Tolerance, max, golden.Inputs.Length);
    }
}
