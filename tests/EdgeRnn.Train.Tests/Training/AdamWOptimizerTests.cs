using EdgeRnn.Train.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace EdgeRnn.Train.Tests.Training;

/// <summary>
/// EdgeRnn.s AdamWOptimizer: the same updates as TorchSharp's optim.AdamW, bit for bit, and safe while other threads collect
/// garbage (TorchSharp's hands libtorch the handles of temporary scalars that a collection may finalize mid-call).
/// </summary>
public sealed class AdamWOptimizerTests
{
    [Fact]
    public void Step_MatchesTorchSharpAdamW_BitForBit() => TorchRuntime.Exclusive(() =>
    {
        TorchRuntime.Initialize(threads: 1, seed: 5);
        using Linear ours = Model(5), theirs = Model(5);
        using var mine = new AdamWOptimizer(ours.parameters(), 3e-3, 1e-2);
        using var reference = optim.AdamW(theirs.parameters(), 3e-3, weight_decay: 1e-2);
        for (int step = 0; step < 60; step++)
        {
            if (step == 30)
            {
                // The plateau schedule lowers the learning rate mid-training.
                mine.LearningRate = 1e-3;
                foreach (var group in reference.ParamGroups)
                {
                    group.LearningRate = 1e-3;
                }
            }

            TrainStep(ours, step, mine.ZeroGrad, mine.Step);
            TrainStep(theirs, step, () => reference.zero_grad(), () => reference.step());
        }

        foreach ((Parameter a, Parameter b) in ours.parameters().Zip(theirs.parameters()))
        {
            Assert.Equal(b.data<float>().ToArray(), a.data<float>().ToArray());
        }

        return 0;
    });

    private static Linear Model(long seed) => TorchRuntime.CreateSeeded(seed, () => nn.Linear(6, 3));

    private static void TrainStep(Linear model, int step, Action zeroGrad, Action update)
    {
        using var scope = NewDisposeScope();
        zeroGrad();
        using Scalar factor = (0.1 * ((step % 7) + 1)).ToScalar();
        Tensor x = arange(18, dtype: float32).reshape(3, 6).mul(factor);
        Tensor loss = nn.functional.mse_loss(model.forward(x), ones(3, 3));
        loss.backward();
        update();
    }
}
