using EdgeRnn.Train.Export;

namespace EdgeRnn.Train.Tests.Export;

public sealed class VerifyErrorsTests
{
    private const double Tolerance = 1e-4;

    [Fact]
    public void FailureMessage_OrtAndRuntimeAgree_PointsAtLibTorch()
    {
        var errors = new VerifyErrors(0.23, 0.23, 0.23, 0.23, 256, OrtVsRuntime: 1e-7);

        string message = errors.FailureMessage(Tolerance);

        Assert.False(errors.Passed(Tolerance));
        Assert.Contains("nothing written", message, StringComparison.Ordinal);
        Assert.Contains("agree with each other", message, StringComparison.Ordinal);
        Assert.Contains("libtorch", message, StringComparison.Ordinal);
        Assert.Contains("2.30E-001", message, StringComparison.Ordinal);
    }

    [Fact]
    public void FailureMessage_OrtAndRuntimeDisagree_SaysExportOrRuntimeDefect()
    {
        string message = new VerifyErrors(1e-6, 0.5, 1e-6, 0.5, 64, OrtVsRuntime: 0.5).FailureMessage(Tolerance);

        Assert.Contains("disagree with each other", message, StringComparison.Ordinal);
        Assert.Contains("EdgeRnn runtime", message, StringComparison.Ordinal);
    }

    [Fact]
    public void FailureMessage_NaN_SaysTrainingDiverged()
    {
        var errors = new VerifyErrors(double.NaN, double.NaN, 0, 0, 64, OrtVsRuntime: double.NaN);

        Assert.False(errors.Passed(Tolerance));
        Assert.Contains("diverged", errors.FailureMessage(Tolerance), StringComparison.Ordinal);
    }
}
