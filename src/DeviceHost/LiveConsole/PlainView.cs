using System.Globalization;
using System.Text;

namespace EdgeRnn.DeviceHost.LiveConsole;

/// <summary>
/// The console as one plain line per snapshot (no colour, no cursor movement), for logs, pipes, dumb terminals and
/// NO_COLOR: time, step, warm-up, every reading with its unit and forecast, status and faults, likelihood against the
/// thresholds, latency, overruns, the last event.
/// </summary>
internal static class PlainView
{
    public static string Line(StatusSnapshot s)
    {
        var b = new StringBuilder(256);
        b.Append(CultureInfo.InvariantCulture, $"{s.Time:yyyy-MM-ddTHH:mm:ssZ} {s.Profile} step {s.Steps}");
        if (s.WarmingUp)
        {
            b.Append(CultureInfo.InvariantCulture, $" warm-up {Math.Min(s.ScoredSteps, s.WarmupSteps)}/{s.WarmupSteps}");
        }

        foreach (SensorStatus sensor in s.Sensors)
        {
            b.Append(" | ").Append(Clean(sensor.Id)).Append(' ').Append(sensor.Status);
            foreach (ReadingStatus r in sensor.Readings)
            {
                b.Append(' ').Append(Clean(r.Feature)).Append(' ').Append(LiveView.Number(r.Value)).Append(' ').Append(Clean(r.Unit))
                    .Append(" (fc ").Append(LiveView.Number(r.Forecast)).Append(')');
            }

            if (sensor.IoErrors + sensor.OutOfRange + sensor.Stuck + sensor.OpenFailures > 0)
            {
                b.Append(CultureInfo.InvariantCulture, $" io {sensor.IoErrors} range {sensor.OutOfRange} stuck {sensor.Stuck} open {sensor.OpenFailures}");
            }
        }

        b.Append(CultureInfo.InvariantCulture, $" | likelihood {LiveView.Number(s.Likelihood, "0.0000")} (enter {s.EnterThreshold:G4}, exit {s.ExitThreshold:G4}){(s.Active ? " ANOMALY" : "")}");
        b.Append(CultureInfo.InvariantCulture, $" | p50 {LiveView.Number(s.Latency.P50Microseconds, "0.#")} us p99 {LiveView.Number(s.Latency.P99Microseconds, "0.#")} us overruns {s.Latency.Overruns}");
        b.Append(CultureInfo.InvariantCulture, $" | faults {s.Faults.Total}");
        if (s.LastEvent is { } e)
        {
            b.Append(" | last event ").Append(Clean(e));
        }

        return b.ToString();
    }

    private static string Clean(string s) => string.Create(s.Length, s, static (span, t) =>
    {
        for (int i = 0; i < t.Length; i++)
        {
            span[i] = char.IsControl(t[i]) ? '?' : t[i];
        }
    });
}
