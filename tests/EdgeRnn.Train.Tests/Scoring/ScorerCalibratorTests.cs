using EdgeRnn.Train.Scoring;

namespace EdgeRnn.Train.Tests.Scoring;

public sealed class ScorerCalibratorTests
{
    [Fact]
    public void Calibrate_ThresholdIsQuantileOfValidationAfterWarmup_LabelledRowsLeftOut()
    {
        // 100 warm-up rows (ignored), then 1000 validation likelihoods 0.000..0.999, one labelled outlier of 1.
        var likelihoods = new float[1101];
        for (int i = 0; i < 1000; i++)
        {
            likelihoods[100 + i] = i / 1000f;
        }

        likelihoods[1100] = 1f;
        var labels = new int[1101];
        labels[1100] = 1;

        ScorerCalibration c = ScorerCalibrator.Calibrate(likelihoods, start: 50, labels, new ScorerOptions { FalseAlarmRate = 0.01, WarmupSteps = 100 });

        Assert.Equal(1000, c.Steps);
        Assert.Equal(0.989, c.Settings.Threshold, 1e-6);
        Assert.Equal(0.899, c.Settings.ExitThreshold, 1e-6);
        Assert.Equal(1, c.Alarms);
        Assert.Equal(11 / 1000.0, c.FlaggedFraction, 1e-9);
    }

    [Fact]
    public void Calibrate_NoStepsAfterWarmup_Throws()
    {
        Assert.Throws<ArgumentException>(() => ScorerCalibrator.Calibrate(new float[50], 10, null, new ScorerOptions { WarmupSteps = 100 }));
    }
}
