using System.Globalization;

namespace EdgeRnn.Train.Data;

/// <summary>The kinds of anomaly <see cref="SyntheticRecording"/> injects; the value is the row label.</summary>
public enum AnomalyKind
{
    /// <summary>Normal operation.</summary>
    None = 0,

    /// <summary>One reading far off (a few standard deviations).</summary>
    Spike = 1,

    /// <summary>The sensor's level jumps and stays for the event.</summary>
    LevelShift = 2,

    /// <summary>A linearly growing offset.</summary>
    Drift = 3,

    /// <summary>The sensor repeats its last reading.</summary>
    Stuck = 4,

    /// <summary>Much more noise than usual.</summary>
    NoiseBurst = 5,
}

/// <summary>One injected anomaly.</summary>
public sealed record AnomalyEvent(AnomalyKind Kind, int Sensor, int Start, int Length);

/// <summary>
/// A seeded generator of multi-sensor recordings: each sensor is a mix of a daily-like and a faster sinusoid plus
/// correlated and independent Gaussian noise; anomalies of every <see cref="AnomalyKind"/> are injected into the part
/// after the first <c>cleanFraction</c> of rows (a clean training prefix, as NAB's probationary period), and each row's
/// label is the kind of the anomaly covering it (0 = none). The same seed gives the same recording.
/// </summary>
public static class SyntheticRecording
{
    /// <summary>Generates a recording of <paramref name="rows"/> rows of <paramref name="sensors"/> sensors, one row every <paramref name="periodSeconds"/> seconds.</summary>
    public static (SensorRecording Recording, IReadOnlyList<AnomalyEvent> Events) Generate(int rows, int sensors, int seed,
        int anomalies = 10, double cleanFraction = 0.5, double periodSeconds = 60)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 16);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sensors);
        ArgumentOutOfRangeException.ThrowIfNegative(anomalies);
        var random = new Random(seed);
        var values = new float[rows * sensors];
        var phase = new double[sensors];
        var level = new double[sensors];
        for (int s = 0; s < sensors; s++)
        {
            phase[s] = random.NextDouble() * Math.Tau;
            level[s] = 10 * random.NextDouble();
        }

        double slow = 96, fast = 17;
        for (int r = 0; r < rows; r++)
        {
            double common = Gaussian(random) * 0.05;
            for (int s = 0; s < sensors; s++)
            {
                double v = level[s] + Math.Sin((Math.Tau * r / slow) + phase[s]) + (0.3 * Math.Sin((Math.Tau * r / fast) + (2 * phase[s])))
                    + common + (0.05 * Gaussian(random));
                values[(r * sensors) + s] = (float)v;
            }
        }

        var labels = new int[rows];
        IReadOnlyList<AnomalyEvent> events = PlaceAnomalies(rows, sensors, anomalies, cleanFraction, random, labels,
            kind => kind == AnomalyKind.Spike ? 1 : Math.Max(4, Math.Min(rows / 40, 40)), gap: 8,
            (kind, sensor, start, length) => Inject(values, sensors, kind, sensor, start, length, random));

        var timestamps = new double[rows];
        double t0 = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds();
        for (int r = 0; r < rows; r++)
        {
            timestamps[r] = t0 + (r * periodSeconds);
        }

        string[] names = [.. Enumerable.Range(0, sensors).Select(s => "sensor" + s.ToString(CultureInfo.InvariantCulture))];
        string source = string.Create(CultureInfo.InvariantCulture, $"synthetic(rows={rows}, sensors={sensors}, seed={seed})");
        return (new SensorRecording(names, timestamps, values, labels, "anomaly", source), events);
    }

    /// <summary>
    /// Writes a recording as CSV: timestamp (<c>YYYY-MM-DD HH:MM:SS</c>, with milliseconds <c>.fff</c> when any
    /// timestamp has a fraction of a second, as a 50 Hz recording does), the features, and the label column if any.
    /// </summary>
    public static void WriteCsv(SensorRecording recording, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(recording);
        ArgumentNullException.ThrowIfNull(writer);
        // Whole seconds keep the plain format (NAB's, and what earlier versions wrote); sub-second periods need the
        // milliseconds or consecutive rows would repeat a timestamp.
        string format = recording.Timestamps.Any(t => Math.Round(t * 1000) % 1000 != 0) ? "yyyy-MM-dd HH:mm:ss.fff" : "yyyy-MM-dd HH:mm:ss";
        writer.Write("timestamp," + string.Join(',', recording.Features));
        writer.WriteLine(recording.Labels is null ? "" : "," + recording.LabelName);
        for (int r = 0; r < recording.Rows; r++)
        {
            writer.Write(DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(recording.Timestamps[r] * 1000)).UtcDateTime.ToString(format, CultureInfo.InvariantCulture));
            foreach (float v in recording.Row(r))
            {
                writer.Write(',');
                writer.Write(v.ToString("R", CultureInfo.InvariantCulture));
            }

            if (recording.Labels is not null)
            {
                writer.Write(',');
                writer.Write(recording.Labels[r].ToString(CultureInfo.InvariantCulture));
            }

            writer.WriteLine();
        }
    }

    /// <summary>
    /// Places up to <paramref name="anomalies"/> events (kinds spike, level shift, drift, stuck, noise burst in turn) in
    /// the rows after the clean first <paramref name="cleanFraction"/>, at random starts at least <paramref name="gap"/>
    /// rows apart (so a detector's statistics settle between events), on a random sensor each; calls
    /// <paramref name="inject"/> for each and writes its kind into <paramref name="labels"/>. An event that finds no free
    /// place in 50 tries is skipped, so a short recording may get fewer events than asked.
    /// </summary>
    internal static IReadOnlyList<AnomalyEvent> PlaceAnomalies(int rows, int sensors, int anomalies, double cleanFraction, Random random, int[] labels,
        Func<AnomalyKind, int> lengthOf, int gap, Action<AnomalyKind, int, int, int> inject)
    {
        var events = new List<AnomalyEvent>();
        int first = Math.Max(1, (int)(rows * cleanFraction));
        for (int a = 0; a < anomalies && first < rows - 8; a++)
        {
            var kind = (AnomalyKind)(1 + (a % 5));
            int length = lengthOf(kind);
            if (rows - length < first)
            {
                continue;
            }

            for (int attempt = 0; attempt < 50; attempt++)
            {
                int start = random.Next(first, rows - length);
                if (labels.AsSpan(Math.Max(0, start - gap), Math.Min(rows, start + length + gap) - Math.Max(0, start - gap)).ContainsAnyExcept(0))
                {
                    continue;
                }

                int sensor = random.Next(sensors);
                inject(kind, sensor, start, length);
                labels.AsSpan(start, length).Fill((int)kind);
                events.Add(new AnomalyEvent(kind, sensor, start, length));
                break;
            }
        }

        return events;
    }

    private static void Inject(float[] values, int sensors, AnomalyKind kind, int sensor, int start, int length, Random random)
    {
        float stuck = values[(Math.Max(0, start - 1) * sensors) + sensor];
        for (int k = 0; k < length; k++)
        {
            int i = ((start + k) * sensors) + sensor;
            values[i] = kind switch
            {
                AnomalyKind.Spike => values[i] + ((random.Next(2) == 0 ? -1 : 1) * 5f),
                AnomalyKind.LevelShift => values[i] + 2.5f,
                AnomalyKind.Drift => values[i] + (3f * (k + 1) / length),
                AnomalyKind.Stuck => stuck,
                _ => values[i] + (float)(1.0 * Gaussian(random)),
            };
        }
    }

    /// <summary>A standard normal draw (Box-Muller; two uniform draws per call, so the sequence depends only on the seed).</summary>
    internal static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(Math.Tau * random.NextDouble());
}
