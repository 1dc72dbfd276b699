using System.Globalization;
using EdgeRnn.Runtime;

namespace EdgeRnn.Deployment.Metadata;

/// <summary>
/// Model inputs derived from the clock rather than read from a sensor: the phase of the day and of the week as a
/// sine and cosine pair (so 23:59 and 00:00 are neighbours). A model lists them among its features under these names,
/// after the sensor features; the device computes them from each sample's time, training from each row's timestamp.
/// They are inputs only: the scorer judges the forecast of the sensor features.
/// </summary>
public static class TimeFeatures
{
    /// <summary>The prefix every clock-derived feature name starts with.</summary>
    public const string Prefix = "time.";

    /// <summary>sin(2π x the fraction of the day elapsed).</summary>
    public const string DaySin = "time.day_sin";

    /// <summary>cos(2π x the fraction of the day elapsed).</summary>
    public const string DayCos = "time.day_cos";

    /// <summary>sin(2π x the fraction of the week elapsed, weeks starting on Monday 00:00).</summary>
    public const string WeekSin = "time.week_sin";

    /// <summary>cos(2π x the fraction of the week elapsed).</summary>
    public const string WeekCos = "time.week_cos";

    /// <summary>The daily pair.</summary>
    public static IReadOnlyList<string> Daily { get; } = [DaySin, DayCos];

    /// <summary>The daily and weekly pairs.</summary>
    public static IReadOnlyList<string> DailyAndWeekly { get; } = [DaySin, DayCos, WeekSin, WeekCos];

    /// <summary>Whether a feature name is a clock-derived feature.</summary>
    public static bool IsTimeFeature(string name) => name.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>
    /// The value of clock feature <paramref name="name"/> at <paramref name="unixSeconds"/> (seconds since 1970-01-01
    /// in the clock the model was trained on: the recording's timestamps as written, read as UTC).
    /// </summary>
    /// <exception cref="ArgumentException">The name is not a known clock feature.</exception>
    public static float Compute(string name, double unixSeconds)
    {
        const double Day = 86400, Week = 7 * Day;
        // 1970-01-01 was a Thursday: Monday 00:00 came 3 days earlier.
        double dayPhase = Modulo(unixSeconds, Day) / Day;
        double weekPhase = Modulo(unixSeconds + (3 * Day), Week) / Week;
        return name switch
        {
            DaySin => (float)Math.Sin(2 * Math.PI * dayPhase),
            DayCos => (float)Math.Cos(2 * Math.PI * dayPhase),
            WeekSin => (float)Math.Sin(2 * Math.PI * weekPhase),
            WeekCos => (float)Math.Cos(2 * Math.PI * weekPhase),
            _ => throw new ArgumentException($"'{name}' is not a clock feature; known: {string.Join(", ", DailyAndWeekly)}.", nameof(name)),
        };
    }

    /// <summary>How many of <paramref name="features"/>, from the first, are sensor features (clock features come last).</summary>
    /// <exception cref="ModelFormatException">A clock feature comes before a sensor feature, or is unknown.</exception>
    public static int SensorFeatureCount(IReadOnlyList<FeatureInfo> features)
    {
        ArgumentNullException.ThrowIfNull(features);
        int sensors = 0;
        while (sensors < features.Count && !IsTimeFeature(features[sensors].Name))
        {
            sensors++;
        }

        for (int i = sensors; i < features.Count; i++)
        {
            if (!DailyAndWeekly.Contains(features[i].Name))
            {
                throw new ModelFormatException(IsTimeFeature(features[i].Name)
                    ? $"feature '{features[i].Name}' is not a known clock feature ({string.Join(", ", DailyAndWeekly)})."
                    : $"feature '{features[i].Name}' comes after clock features; clock features must be the last features.");
            }
        }

        return sensors;
    }

    /// <summary>
    /// Parses a timestamp as seconds since 1970-01-01 UTC: epoch seconds, <c>YYYY-MM-DD HH:MM:SS</c> or ISO 8601 (a
    /// time without an offset is read as UTC). The one parser for recordings, calibration files and replays.
    /// </summary>
    public static bool TryParseTimestamp(ReadOnlySpan<char> text, out double seconds)
    {
        text = text.Trim().Trim('"');
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out seconds))
        {
            return double.IsFinite(seconds);
        }

        if (DateTimeOffset.TryParseExact(text, "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset dto)
            || DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out dto))
        {
            seconds = (dto.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / (double)TimeSpan.TicksPerSecond;
            return true;
        }

        seconds = 0;
        return false;
    }

    /// <summary>
    /// Writes the clock features of <paramref name="features"/> (those from index <paramref name="sensorFeatures"/> on)
    /// for the time <paramref name="unixSeconds"/> into <paramref name="row"/>.
    /// </summary>
    public static void Fill(IReadOnlyList<FeatureInfo> features, int sensorFeatures, double unixSeconds, Span<float> row)
    {
        ArgumentNullException.ThrowIfNull(features);
        for (int i = sensorFeatures; i < features.Count; i++)
        {
            row[i] = Compute(features[i].Name, unixSeconds);
        }
    }

    private static double Modulo(double x, double m)
    {
        double r = x % m;
        return r < 0 ? r + m : r;
    }
}
