using System.Globalization;

namespace EdgeRnn.Train.Data;

/// <summary>
/// Seeded recordings that behave like the sensor kits of the shipped device profiles, for training their models when
/// no real recording is at hand (<c>edgernn synth --kit</c>). Each kit writes the profile's feature names at the
/// profile's sample period; its signals follow simple physical models (documented at each generator), then the
/// sensor's noise, saturation at its measuring range and quantization to its resolution. Anomalies of every
/// <see cref="AnomalyKind"/> are injected after the clean first <c>cleanFraction</c> of rows, as sensor faults of a
/// size set per feature (<see cref="SensorKitFeature.FaultScale"/>), and labelled like <see cref="SyntheticRecording"/>'s.
/// The same kit, rows and seed give the same recording.
/// </summary>
/// <remarks>
/// These are stand-ins for real data, good enough to give a forecaster realistic scales, noise and dynamics; a model
/// for a real installation should be retrained on that sensor's own recording.
/// </remarks>
public static class SensorKitRecording
{
    private const double StandardGravity = 9.80665;

    private static readonly SensorKitSpec s_environment = new(SensorKit.Environment,
    [
        // BME280 datasheet: -40..85 degC at 0.01 degC, 300..1100 hPa at 0.18 Pa, 0..100 %RH at 1/1024 %RH.
        new("temperature", "degC", -40, 85, 0.01, FaultScale: 0.8),
        new("pressure", "hPa", 300, 1100, 0.0018, FaultScale: 1.0),
        new("humidity", "%RH", 0, 100, 1.0 / 1024, FaultScale: 3.0),
    ], PeriodSeconds: 1, DefaultRows: 4 * 86400, EventSteps: 180, Profile: "devices/pi-bme280.json");

    private static readonly SensorKitSpec s_imu = new(SensorKit.Imu,
    [
        // MPU6050 at its most sensitive ranges: +-2 g at 16384 LSB/g, +-250 deg/s at 131 LSB/(deg/s).
        new("accel_x", "m/s2", -2 * StandardGravity, 2 * StandardGravity, StandardGravity / 16384, FaultScale: 0.5),
        new("accel_y", "m/s2", -2 * StandardGravity, 2 * StandardGravity, StandardGravity / 16384, FaultScale: 0.5),
        new("accel_z", "m/s2", -2 * StandardGravity, 2 * StandardGravity, StandardGravity / 16384, FaultScale: 0.5),
        new("gyro_x", "deg/s", -250, 250, 1.0 / 131, FaultScale: 3.0),
        new("gyro_y", "deg/s", -250, 250, 1.0 / 131, FaultScale: 3.0),
        new("gyro_z", "deg/s", -250, 250, 1.0 / 131, FaultScale: 3.0),
    ], PeriodSeconds: 0.02, DefaultRows: 20 * 60 * 50, EventSteps: 100, Profile: "devices/pi-mpu6050.json");

    private static readonly SensorKitSpec s_analog = new(SensorKit.Analog,
    [
        // ADS1115 at +-4.096 V full scale: 125 uV per LSB; both sensor modules run on 3.3 V, so they cannot output more.
        new("current", "V", 0, 3.3, 0.000125, FaultScale: 0.15),
        new("vibration", "V", 0, 3.3, 0.000125, FaultScale: 0.1),
    ], PeriodSeconds: 0.1, DefaultRows: 2 * 3600 * 10, EventSteps: 60, Profile: "devices/pi-ads1115.json");

    /// <summary>The kit's columns, period, default length and anomaly shape.</summary>
    /// <exception cref="ArgumentException"><paramref name="kit"/> is <see cref="SensorKit.Generic"/> (use <see cref="SyntheticRecording"/>).</exception>
    public static SensorKitSpec Spec(SensorKit kit) => kit switch
    {
        SensorKit.Environment => s_environment,
        SensorKit.Imu => s_imu,
        SensorKit.Analog => s_analog,
        _ => throw new ArgumentException($"'{kit}' is not a sensor kit with a device profile (environment, imu, analog); the generic recording comes from SyntheticRecording.", nameof(kit)),
    };

    /// <summary>Generates <paramref name="rows"/> rows of <paramref name="kit"/> with up to <paramref name="anomalies"/> labelled anomalies after the clean first <paramref name="cleanFraction"/>.</summary>
    public static (SensorRecording Recording, IReadOnlyList<AnomalyEvent> Events) Generate(SensorKit kit, int rows, int seed, int anomalies = 10, double cleanFraction = 0.5)
    {
        SensorKitSpec spec = Spec(kit);
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 16);
        ArgumentOutOfRangeException.ThrowIfNegative(anomalies);
        if (!(cleanFraction is > 0 and < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(cleanFraction), cleanFraction, "The clean fraction must be in (0, 1).");
        }

        var random = new Random(seed);
        int features = spec.Features.Count;
        var signal = new double[rows * features];
        switch (kit)
        {
            case SensorKit.Environment:
                EnvironmentKit(signal, rows, spec.PeriodSeconds, random);
                break;
            case SensorKit.Imu:
                ImuKit(signal, rows, spec.PeriodSeconds, random);
                break;
            default:
                AnalogKit(signal, rows, spec.PeriodSeconds, random);
                break;
        }

        var labels = new int[rows];
        int eventSteps = Math.Min(spec.EventSteps, Math.Max(4, rows / 40));
        IReadOnlyList<AnomalyEvent> events = SyntheticRecording.PlaceAnomalies(rows, features, anomalies, cleanFraction, random, labels,
            k => k == AnomalyKind.Spike ? 1 : eventSteps, gap: eventSteps,
            (k, feature, start, length) => Inject(signal, features, spec.Features[feature].FaultScale, k, feature, start, length, random));

        // The reading: saturated at the sensor's range, then a whole number of LSBs (a stuck sensor's repeats stay exact).
        var values = new float[signal.Length];
        for (int i = 0; i < signal.Length; i++)
        {
            SensorKitFeature f = spec.Features[i % features];
            values[i] = (float)(Math.Round(Math.Clamp(signal[i], f.Min, f.Max) / f.Resolution) * f.Resolution);
        }

        var timestamps = new double[rows];
        double t0 = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds();
        for (int r = 0; r < rows; r++)
        {
            timestamps[r] = t0 + (r * spec.PeriodSeconds);
        }

        string source = string.Create(CultureInfo.InvariantCulture, $"synthetic(kit={kit.ToString().ToLowerInvariant()}, rows={rows}, seed={seed})");
        return (new SensorRecording([.. spec.Features.Select(f => f.Name)], timestamps, values, labels, "anomaly", source), events);
    }

    /// <summary>
    /// A BME280 in a room that follows the outdoor day (or outdoors in shade), one reading a second, starting at
    /// midnight local solar time.
    /// <list type="bullet">
    /// <item>Temperature: a diurnal cycle 22.5 -/+ 7.5 degC (15 to 30; coolest at 04:00, warmest at 16:00) plus weather
    /// (clouds, wind; a random wander of 0.8 degC with a 3 h correlation time) plus 0.02 degC of air turbulence and
    /// sensor noise. The BME280's self-heating (a constant offset) is left out.</item>
    /// <item>Pressure: 1013.25 hPa plus the synoptic wander of highs and lows (5 hPa, 36 h correlation), fronts passing
    /// every 0.8 to 2 days that move it 3 to 8 hPa up or down over about 3 hours, the semidiurnal atmospheric tide
    /// (0.6 hPa, highest near 10:00 and 22:00) and 1.2 Pa of sensor noise (the datasheet's low-power figure).</item>
    /// <item>Humidity: the air's moisture changes slowly (a dew point of 11 degC wandering 1.5 degC over 6 h), so
    /// relative humidity follows from the Magnus formula and falls as the air warms (about 75 %RH at 15 degC,
    /// 30 %RH at 30 degC), plus 0.03 %RH of noise.</item>
    /// </list>
    /// </summary>
    private static void EnvironmentKit(double[] signal, int rows, double dt, Random random)
    {
        var weather = new Wander(0.8, 3 * 3600, dt, random);
        var synoptic = new Wander(5, 36 * 3600, dt, random);
        var moisture = new Wander(1.5, 6 * 3600, dt, random);
        var fronts = new List<(double Time, double Change)>();
        for (double t = 86400 * (0.3 + random.NextDouble()); t < rows * dt; t += 86400 * (0.8 + (1.2 * random.NextDouble())))
        {
            fronts.Add((t, (random.Next(2) == 0 ? -1 : 1) * (3 + (5 * random.NextDouble()))));
        }

        for (int r = 0; r < rows; r++)
        {
            double t = r * dt, day = t / 86400;
            double air = 22.5 - (7.5 * Math.Cos(Math.Tau * (day - (4.0 / 24)))) + weather.Next();
            double front = 0;
            foreach ((double time, double change) in fronts)
            {
                front += change * 0.5 * (1 + Math.Tanh((t - time) / 5400));
            }

            double pressure = 1013.25 + synoptic.Next() + front + (0.6 * Math.Cos(Math.Tau * 2 * (day - (10.0 / 24))));
            double dewPoint = Math.Min(11 + moisture.Next(), air - 0.5);
            double humidity = 100 * SaturationVapourPressure(dewPoint) / SaturationVapourPressure(air);
            signal[(r * 3) + 0] = air + (0.02 * SyntheticRecording.Gaussian(random));
            signal[(r * 3) + 1] = pressure + (0.012 * SyntheticRecording.Gaussian(random));
            signal[(r * 3) + 2] = humidity + (0.03 * SyntheticRecording.Gaussian(random));
        }
    }

    /// <summary>Saturation vapour pressure over water in hPa at <paramref name="celsius"/> (Magnus formula, Sonntag 1990 constants).</summary>
    private static double SaturationVapourPressure(double celsius) => 6.112 * Math.Exp(17.62 * celsius / (243.12 + celsius));

    /// <summary>
    /// An MPU6050 bolted, slightly tilted, to the frame of a machine driven by an 8-pole induction motor on 50 Hz mains
    /// (750 rpm synchronous), 50 readings a second, its low-pass filter at 44 Hz (DLPF_CFG 3) so nothing is attenuated.
    /// <list type="bullet">
    /// <item>Gravity: 1 g split over the axes by the mount's tilt (1.8 degrees of roll, -1.1 of pitch), mostly on z.</item>
    /// <item>Load: a 45 s process cycle between about 50 % and 90 % plus random variation (10 s correlation). The
    /// motor slips 2 % at full load, so the shaft turns at about 12.3 Hz.</item>
    /// <item>Vibration: unbalance at 1x the shaft speed (0.45 m/s2 at full load, strongest radially on x, 0.7x on y in
    /// quadrature, a quarter on z through the stiff mount) and misalignment at 2x (about 24.6 Hz, under the 25 Hz
    /// Nyquist limit); the frame rocks at 1x, seen by the gyro as 1.5, 1.0 and 0.4 deg/s on x, y and z. Amplitudes scale
    /// with the load.</item>
    /// <item>Noise: 0.025 m/s2 and 0.05 deg/s RMS (the datasheet's spectral densities over 44 Hz); a gyro zero-rate
    /// offset of a few tenths of a deg/s left after calibration.</item>
    /// </list>
    /// </summary>
    private static void ImuKit(double[] signal, int rows, double dt, Random random)
    {
        // The installation is fixed (one machine, one mount): the tilt, the gyro's offsets and the phases between the
        // axes and harmonics do not change with the seed, which picks only the stretch of time. A model trained on one
        // seed's recording then fits another seed's, as it would fit another day of the same machine.
        const double Roll = 1.8 * Math.PI / 180, Pitch = -1.1 * Math.PI / 180;
        const double Misalignment = 0.9, Vertical = 2.2, Rocking = 0.4;
        double gx = -StandardGravity * Math.Sin(Pitch), gy = StandardGravity * Math.Sin(Roll) * Math.Cos(Pitch), gz = StandardGravity * Math.Cos(Roll) * Math.Cos(Pitch);
        double[] bias = [0.21, -0.13, 0.08];
        double phase = random.NextDouble() * Math.Tau, cycle = random.NextDouble() * Math.Tau;
        var variation = new Wander(0.08, 10, dt, random);
        for (int r = 0; r < rows; r++)
        {
            double t = r * dt;
            double load = 0.7 + (0.2 * Math.Sin((Math.Tau * t / 45) + cycle)) + variation.Next();
            phase += Math.Tau * 12.5 * (1 - (0.02 * load)) * dt;
            double one = 0.45 * load, two = 0.12 * load;
            int i = r * 6;
            signal[i + 0] = gx + (one * Math.Sin(phase)) + (two * Math.Sin((2 * phase) + Misalignment)) + (0.025 * SyntheticRecording.Gaussian(random));
            signal[i + 1] = gy + (0.7 * one * Math.Cos(phase)) + (0.6 * two * Math.Cos((2 * phase) + Misalignment)) + (0.025 * SyntheticRecording.Gaussian(random));
            signal[i + 2] = gz + (0.25 * one * Math.Sin(phase + Vertical)) + (0.025 * SyntheticRecording.Gaussian(random));
            signal[i + 3] = bias[0] + (1.5 * load * Math.Cos(phase + Rocking)) + (0.05 * SyntheticRecording.Gaussian(random));
            signal[i + 4] = bias[1] + (1.0 * load * Math.Sin(phase + Rocking)) + (0.05 * SyntheticRecording.Gaussian(random));
            signal[i + 5] = bias[2] + (0.4 * load * Math.Sin((2 * phase) + Misalignment)) + (0.05 * SyntheticRecording.Gaussian(random));
        }
    }

    /// <summary>
    /// An ADS1115 reading two 3.3 V sensor modules on a machine whose induction motor runs all the time while its work
    /// comes in cycles (a pump, compressor or conveyor): loaded for 40 to 80 s, then idling for 15 to 40 s, 10 readings
    /// a second.
    /// <list type="bullet">
    /// <item>Load (fraction of rated torque): about 0.1 idling; loaded, 0.55 -/+ 0.25 over a 20 s product cycle plus
    /// random variation (5 s correlation). It follows those targets with a 1 s time constant (a valve or clutch
    /// engaging), so a cycle change takes a few seconds, not one reading.</item>
    /// <item>current: a current transformer into a true-RMS-to-DC converter, 0.1 V per A: the motor's magnetizing
    /// current (4.5 A, drawn even unloaded) plus 10 A at rated torque; the converter averages over about 0.3 s;
    /// 12 mV of amplifier offset and 2 mV of noise.</item>
    /// <item>vibration: a piezo vibration module's envelope output: 0.3 V from the running motor's unbalance plus
    /// 0.5 V at rated load (gear mesh, flow), averaged over 0.3 s, with 4 % of it as noise (the envelope of a random
    /// signal) plus 4 mV.</item>
    /// </list>
    /// Motor starts and stops are left out: their inrush is a normal event no forecaster can see coming, and a real
    /// installation's recording shows whether its machine has them.
    /// </summary>
    private static void AnalogKit(double[] signal, int rows, double dt, Random random)
    {
        var variation = new Wander(0.05, 5, dt, random);
        double cycle = random.NextDouble() * Math.Tau;
        bool loaded = random.Next(2) == 0;
        double switchAt = (loaded ? 40 : 15) * random.NextDouble();
        double load = loaded ? 0.55 : 0.1, current = 0.45 + load, vibration = 0.3 + (0.5 * load);
        double engage = 1 - Math.Exp(-dt / 1.0), averaging = 1 - Math.Exp(-dt / 0.3);
        for (int r = 0; r < rows; r++)
        {
            double t = r * dt;
            if (t >= switchAt)
            {
                loaded = !loaded;
                switchAt = t + (loaded ? 40 + (40 * random.NextDouble()) : 15 + (25 * random.NextDouble()));
            }

            double wander = variation.Next();
            double target = loaded ? 0.55 + (0.25 * Math.Sin((Math.Tau * t / 20) + cycle)) + wander : 0.1 + (0.2 * wander);
            load += (target - load) * engage;
            current += (0.45 + load - current) * averaging;
            vibration += (0.3 + (0.5 * load) - vibration) * averaging;
            signal[(r * 2) + 0] = 0.012 + current + (0.002 * SyntheticRecording.Gaussian(random));
            signal[(r * 2) + 1] = (vibration * (1 + (0.04 * SyntheticRecording.Gaussian(random)))) + (0.004 * SyntheticRecording.Gaussian(random));
        }
    }

    /// <summary>A fault on one feature in its own units: the same shapes as <see cref="SyntheticRecording"/>'s, sized by <paramref name="scale"/>.</summary>
    private static void Inject(double[] signal, int features, double scale, AnomalyKind kind, int feature, int start, int length, Random random)
    {
        double stuck = signal[(Math.Max(0, start - 1) * features) + feature];
        double sign = random.Next(2) == 0 ? -1 : 1;
        for (int k = 0; k < length; k++)
        {
            int i = ((start + k) * features) + feature;
            signal[i] = kind switch
            {
                AnomalyKind.Spike => signal[i] + (sign * 5 * scale),
                AnomalyKind.LevelShift => signal[i] + (2.5 * scale),
                AnomalyKind.Drift => signal[i] + (3 * scale * (k + 1) / length),
                AnomalyKind.Stuck => stuck,
                _ => signal[i] + (scale * SyntheticRecording.Gaussian(random)),
            };
        }
    }

    /// <summary>
    /// A random wander (an Ornstein-Uhlenbeck process sampled every <c>dt</c>): mean 0, standard deviation
    /// <c>sigma</c>, correlation time <c>tau</c>; it starts from its stationary distribution.
    /// </summary>
    private sealed class Wander
    {
        private readonly Random _random;
        private readonly double _keep;
        private readonly double _kick;
        private double _value;

        public Wander(double sigma, double tau, double dt, Random random)
        {
            _random = random;
            _keep = Math.Exp(-dt / tau);
            _kick = sigma * Math.Sqrt(1 - (_keep * _keep));
            _value = sigma * SyntheticRecording.Gaussian(random);
        }

        public double Next() => _value = (_keep * _value) + (_kick * SyntheticRecording.Gaussian(_random));
    }
}
