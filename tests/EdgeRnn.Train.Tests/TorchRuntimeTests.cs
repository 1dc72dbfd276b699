using EdgeRnn.Train.Training;
using TorchSharp;

namespace EdgeRnn.Train.Tests;

public sealed class TorchRuntimeTests
{
    [Fact]
    public void Initialize_LoadsLibTorch_AndSetsThreads()
    {
        TorchRuntime.Initialize(threads: 1, seed: 7);

        Assert.Equal(1, TorchRuntime.Threads);
        float sum = TorchRuntime.Exclusive(() =>
        {
            using torch.Tensor a = torch.ones(2, 3);
            using torch.Tensor s = a.sum();
            return s.item<float>();
        });
        Assert.Equal(6f, sum);
    }
}
