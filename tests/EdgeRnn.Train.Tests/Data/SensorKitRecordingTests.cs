using EdgeRnn.Train.Data;

namespace EdgeRnn.Train.Tests.Data;

public sealed class SensorKitRecordingTests
{
    public static TheoryData<SensorKit> Kits => [SensorKit.Environment, SensorKit.Imu, SensorKit.Analog];

    private static float[] Column(SensorRecording r, string name, int from = 0, int to = -1)
    {
        int f = r.Features.ToList().IndexOf(name);
        Assert.True(f >= 0, $"no column {name}");
        to = to < 0 ? r.Rows : to;
        return [.. Enumerable.Range(from, to - from).Select(row => r.Values[(row * r.FeatureCount) + f])];
    }

    private static double Correlation(float[] a, float[] b)
    {
        double ma = a.Average(), mb = b.Average(), sab = 0, saa = 0, sbb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            sab += (a[i] - ma) * (b[i] - mb);
            saa += (a[i] - ma) * (a[i] - ma);
            sbb += (b[i] - mb) * (b[i] - mb);
        }

        return sab / Math.Sqrt(saa * sbb);
    }

    [Theory]
    [MemberData(nameof(Kits))]
    public void Generate_SameSeed_SameRecording_OtherSeedDiffers(SensorKit kit)
    {
        (SensorRecording a, IReadOnlyList<AnomalyEvent> events) = SensorKitRecording.Generate(kit, 3000, seed: 4);
        (SensorRecording b, IReadOnlyList<AnomalyEvent> again) = SensorKitRecording.Generate(kit, 3000, seed: 4);
        (SensorRecording c, _) = SensorKitRecording.Generate(kit, 3000, seed: 5);

        Assert.Equal(a.Values, b.Values);
        Assert.Equal(a.Labels, b.Labels);
        Assert.Equal(events, again);
        Assert.NotEqual(a.Values, c.Values);
    }

    [Theory]
    [MemberData(nameof(Kits))]
    public void Generate_Kit_ProfileColumnsPeriodRangeAndResolution(SensorKit kit)
    {
        SensorKitSpec spec = SensorKitRecording.Spec(kit);

        (SensorRecording r, _) = SensorKitRecording.Generate(kit, 4000, seed: 1);

        Assert.Equal(spec.Features.Select(f => f.Name), r.Features);
        Assert.Equal(spec.PeriodSeconds, r.SamplePeriodSeconds);
        Assert.Equal("anomaly", r.LabelName);
        for (int i = 0; i < r.Values.Length; i++)
        {
            SensorKitFeature f = spec.Features[i % r.FeatureCount];
            float v = r.Values[i];
            Assert.InRange(v, f.Min, f.Max);
            // A whole number of LSBs, up to the float rounding of the stored value (one float step, far below an LSB).
            double nearest = Math.Round(v / f.Resolution) * f.Resolution;
            Assert.True(Math.Abs(v - nearest) <= MathF.BitIncrement(Math.Abs(v)) - Math.Abs(v), $"{f.Name} {v} is not a multiple of {f.Resolution}");
        }
    }

    [Theory]
    [MemberData(nameof(Kits))]
    public void Generate_Anomalies_OnlyAfterCleanFraction_EveryKindLabelled(SensorKit kit)
    {
        (SensorRecording r, IReadOnlyList<AnomalyEvent> events) = SensorKitRecording.Generate(kit, 20000, seed: 3, anomalies: 10, cleanFraction: 0.6);

        Assert.Equal(10, events.Count);
        Assert.Equal(5, events.Select(e => e.Kind).Distinct().Count());
        Assert.All(events, e => Assert.True(e.Start >= 12000, $"{e.Kind} starts at {e.Start}, inside the clean part"));
        Assert.All(events, e => Assert.Equal(Enumerable.Repeat((int)e.Kind, e.Length), r.Labels!.Skip(e.Start).Take(e.Length)));
        Assert.Equal(events.Sum(e => e.Length), r.Labels!.Count(l => l != 0));
        Assert.All(events.Where(e => e.Kind == AnomalyKind.Stuck), e =>
            Assert.Single(Column(r, r.Features[e.Sensor], e.Start, e.Start + e.Length).Distinct()));
    }

    [Fact]
    public void Environment_DiurnalTemperaturePressureNear1013HumidityFallsAsAirWarms()
    {
        (SensorRecording r, _) = SensorKitRecording.Generate(SensorKit.Environment, 2 * 86400, seed: 2, anomalies: 0);

        float[] temperature = Column(r, "temperature"), pressure = Column(r, "pressure"), humidity = Column(r, "humidity");
        Assert.InRange(temperature.Min(), 10, 18);
        Assert.InRange(temperature.Max(), 27, 35);
        // Coolest before dawn, warmest in the afternoon (hour averages of the first day).
        Assert.True(temperature.Skip(4 * 3600).Take(3600).Average() + 10 < temperature.Skip(16 * 3600).Take(3600).Average());
        Assert.InRange(pressure.Average(), 995, 1030);
        Assert.InRange(pressure.Max() - pressure.Min(), 1, 40);
        Assert.InRange(humidity.Min(), 10, 60);
        Assert.InRange(humidity.Max(), 50, 100);
        Assert.True(Correlation(temperature, humidity) < -0.8, "relative humidity must fall as the air warms");
        // One second apart, readings differ by little more than the sensor noise.
        Assert.True(temperature.Zip(temperature.Skip(1)).Max(p => Math.Abs(p.Second - p.First)) < 0.2);
    }

    [Fact]
    public void Imu_GravityOnZ_VibrationAt12HzAnd25HzUnderNyquist()
    {
        (SensorRecording r, _) = SensorKitRecording.Generate(SensorKit.Imu, 5000, seed: 2, anomalies: 0);

        Assert.InRange(Column(r, "accel_z").Average(), 9.6, 9.9);
        Assert.InRange(Math.Abs(Column(r, "accel_x").Average()), 0, 1);
        float[] x = Column(r, "accel_x");
        double mean = x.Average();
        // Spectral power of accel_x (50 Hz sampling): the shaft's ~12.3 Hz line stands far above a frequency with no source.
        double Power(double hz)
        {
            double re = 0, im = 0;
            for (int i = 0; i < x.Length; i++)
            {
                re += (x[i] - mean) * Math.Cos(Math.Tau * hz * i * 0.02);
                im += (x[i] - mean) * Math.Sin(Math.Tau * hz * i * 0.02);
            }

            return (re * re) + (im * im);
        }

        double shaft = new[] { 12.1, 12.2, 12.3, 12.4 }.Max(Power);
        Assert.True(shaft > 100 * Power(5), "no 1x vibration line near 12.3 Hz");
        Assert.InRange(Column(r, "gyro_x").Select(Math.Abs).Max(), 0.5, 5);
    }

    [Fact]
    public void Analog_LoadCyclesBetweenIdleAndLoadedWithin3V3()
    {
        (SensorRecording r, _) = SensorKitRecording.Generate(SensorKit.Analog, 6000, seed: 2, anomalies: 0);

        float[] current = Column(r, "current"), vibration = Column(r, "vibration");
        // The motor never stops: idle draws its magnetizing current (~0.46 V), loaded about 1 V or more.
        Assert.True(current.Count(c => c < 0.6) > 300, "no idle periods");
        Assert.True(current.Count(c => c > 0.9) > 1000, "no loaded periods");
        Assert.All(current, c => Assert.InRange(c, 0.3, 3.3));
        Assert.True(Correlation(current, vibration) > 0.5, "vibration must grow with the load");
    }

    [Fact]
    public void Spec_Generic_ThrowsWithAdvice()
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => SensorKitRecording.Spec(SensorKit.Generic));

        Assert.Contains("SyntheticRecording", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WriteCsv_50HzKit_MillisecondTimestampsReadBackAtExactPeriod()
    {
        (SensorRecording r, _) = SensorKitRecording.Generate(SensorKit.Imu, 400, seed: 1);
        var text = new StringWriter();

        SyntheticRecording.WriteCsv(r, text);
        SensorRecording back = CsvRecordingReader.Read(new StringReader(text.ToString()), "imu.csv", new CsvReadOptions { LabelColumn = "anomaly" });

        Assert.StartsWith("timestamp,accel_x,accel_y,accel_z,gyro_x,gyro_y,gyro_z,anomaly\n2024-01-01 00:00:00.000,", text.ToString().ReplaceLineEndings("\n"), StringComparison.Ordinal);
        // Exactly 0.02: the model's edgernn.sample_period_s must equal a profile's samplePeriodSeconds.
        Assert.Equal(0.02, back.SamplePeriodSeconds);
        Assert.Equal(r.Values, back.Values);
        Assert.Equal(r.Labels, back.Labels);
    }

    [Fact]
    public void WriteCsv_WholeSecondGeneric_KeepsPlainTimestamps()
    {
        (SensorRecording r, _) = SyntheticRecording.Generate(20, 1, seed: 1, anomalies: 0);
        var text = new StringWriter();

        SyntheticRecording.WriteCsv(r, text);

        Assert.Contains("\n2024-01-01 00:01:00,", text.ToString().ReplaceLineEndings("\n"), StringComparison.Ordinal);
    }
}
