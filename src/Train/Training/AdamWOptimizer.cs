using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace EdgeRnn.Train.Training;

/// <summary>
/// AdamW (decoupled weight decay; Loshchilov and Hutter, 2019) with the same arithmetic, in the same order, as
/// TorchSharp's <c>optim.AdamW</c> (so training is bit-for-bit what it was), but every scalar operand is a
/// <see cref="Scalar"/> this class owns and keeps alive across the native call that reads it.
/// </summary>
/// <remarks>
/// Why not TorchSharp's: its step passes doubles where libtorch takes a Scalar, so each becomes a temporary
/// <see cref="Scalar"/> that no dispose scope tracks; the call hands libtorch the temporary's raw handle, after which the
/// temporary is unreachable, and a collection during the call may let the finalizer thread delete the native Scalar
/// while libtorch reads it (dotnet/TorchSharp PR 1434 and 1496, open, dispose such temporaries). CI failed once in
/// eight runs with "Expected false to be true" from <c>Scalar::toFloat</c> inside TorchSharp's <c>AdamW.step</c>,
/// which is what that would look like; forcing collections in a loop beside 20,000 small and 300 large steps did not
/// reproduce it (the window is the instant before libtorch reads the value), so this removes a hazard that fits the
/// symptom rather than one seen to cause it. Owned scalars cost nothing and keep the arithmetic identical.
/// Per parameter and step: p *= 1 - lr·wd; m = β1·m + (1 - β1)·g; v = β2·v + (1 - β2)·g²;
/// p -= lr / (1 - β1^t) · m / (sqrt(v) / sqrt(1 - β2^t) + ε).
/// </remarks>
internal sealed class AdamWOptimizer : IDisposable
{
    private readonly Parameter[] _parameters;
    private readonly Tensor[] _mean;
    private readonly Tensor[] _square;
    private readonly double _beta1;
    private readonly double _beta2;
    private readonly double _weightDecay;
    private readonly Scalar _beta1Scalar;
    private readonly Scalar _beta2Scalar;
    private readonly Scalar _oneMinusBeta1;
    private readonly Scalar _oneMinusBeta2;
    private readonly Scalar _epsScalar;
    private long _step;

    public AdamWOptimizer(IEnumerable<Parameter> parameters, double learningRate, double weightDecay, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8)
    {
        _parameters = [.. parameters];
        LearningRate = learningRate;
        _weightDecay = weightDecay;
        _beta1 = beta1;
        _beta2 = beta2;
        _mean = [.. _parameters.Select(p => zeros_like(p).DetachFromDisposeScope())];
        _square = [.. _parameters.Select(p => zeros_like(p).DetachFromDisposeScope())];
        _beta1Scalar = beta1.ToScalar();
        _beta2Scalar = beta2.ToScalar();
        _oneMinusBeta1 = (1 - beta1).ToScalar();
        _oneMinusBeta2 = (1 - beta2).ToScalar();
        _epsScalar = eps.ToScalar();
    }

    /// <summary>The learning rate of the next steps (a plateau schedule lowers it).</summary>
    public double LearningRate { get; set; }

    /// <summary>Clears the parameters' gradients.</summary>
    public void ZeroGrad()
    {
        foreach (Parameter p in _parameters)
        {
            p.grad?.zero_();
        }
    }

    /// <summary>One update of every parameter that has a gradient.</summary>
    public void Step()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        _step++;
        double correction1 = 1 - Math.Pow(_beta1, _step);
        double correction2 = 1 - Math.Pow(_beta2, _step);
        using Scalar decay = (1 - (LearningRate * _weightDecay)).ToScalar();
        using Scalar root2 = Math.Sqrt(correction2).ToScalar();
        using Scalar stepSize = (-(LearningRate / correction1)).ToScalar();
        for (int i = 0; i < _parameters.Length; i++)
        {
            Parameter p = _parameters[i];
            if (p.grad is not { } grad)
            {
                continue;
            }

            p.mul_(decay);
            _mean[i].mul_(_beta1Scalar).add_(grad, _oneMinusBeta1);
            _square[i].mul_(_beta2Scalar).addcmul_(grad, grad, _oneMinusBeta2);
            Tensor denominator = _square[i].sqrt().div_(root2).add_(_epsScalar);
            p.addcdiv_(_mean[i], denominator, stepSize);
        }

        // The owned scalars stay reachable to here whatever the JIT decides about locals.
        GC.KeepAlive(this);
    }

    public void Dispose()
    {
        foreach (Tensor t in _mean.Concat(_square))
        {
            t.Dispose();
        }

        foreach (Scalar s in (Scalar[])[_beta1Scalar, _beta2Scalar, _oneMinusBeta1, _oneMinusBeta2, _epsScalar])
        {
            s.Dispose();
        }
    }
}
