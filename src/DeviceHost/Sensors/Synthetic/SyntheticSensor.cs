namespace EdgeRnn.DeviceHost.Sensors.Synthetic;

/// <summary>
/// A deterministic test signal per reading: offset + amplitude * sin(2π t / periodSteps) + Gaussian noise, plus an
/// optional step of <see cref="SyntheticProfile.AnomalyShift"/> from <see cref="SyntheticProfile.AnomalyAtStep"/> on.
/// Readings after the first are phase-shifted by a quarter period each.
/// </summary>
internal sealed class SyntheticSensor(SyntheticProfile settings, int count) : ISensor
{
    private readonly Random _random = new(settings.Seed);
    private long _step;

    public int Count => count;

    public bool CanReread => false;

    public bool Read(Span<float> values)
    {
        for (int i = 0; i < count; i++)
        {
            double phase = (2 * Math.PI * _step / settings.PeriodSteps) + (i * Math.PI / 2);
            double value = settings.Offset + (settings.Amplitude * Math.Sin(phase)) + (settings.Noise * Gaussian());
            if (settings.AnomalyAtStep is { } at && _step >= at)
            {
                value += settings.AnomalyShift;
            }

            values[i] = (float)value;
        }

        _step++;
        return true;
    }

    private double Gaussian()
    {
        // Box-Muller; 1 - u keeps the logarithm finite.
        double u = 1 - _random.NextDouble(), v = _random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u)) * Math.Cos(2 * Math.PI * v);
    }

    public void Dispose()
    {
    }
}
