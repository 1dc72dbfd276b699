using System.Globalization;
using System.Text;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace EdgeRnn.DeviceHost.LiveConsole;

/// <summary>What the technician has done in the view: paused, a question waiting for y/n, the last command's answer.</summary>
internal sealed class ViewState
{
    public bool Paused { get; set; }

    /// <summary>A command waiting for confirmation (<c>save</c>, <c>reset</c>), or null.</summary>
    public string? Confirming { get; set; }

    /// <summary>The last message for the footer (a command's result).</summary>
    public string? Message { get; set; }

    public bool MessageOk { get; set; } = true;

    /// <summary>Where the view is attached (the socket, or "in-process").</summary>
    public string Source { get; set; } = "";
}

/// <summary>
/// The live console's screen, built from a <see cref="StatusSnapshot"/> as Spectre.Console markup lines, each clipped
/// to the width, and as many as the height allows (80x24 holds a six-reading sensor): header, model, scorer, sensors
/// (reading and unit against the forecast, status, fault counters), the likelihood chart against the thresholds, the
/// recent events, latency and overruns, the machine, the keys.
/// </summary>
internal static class LiveView
{
    /// <summary>Rows of the likelihood chart.</summary>
    public const int ChartRows = 4;

    public static IRenderable Render(StatusSnapshot s, ViewState view, int width, int height)
    {
        width = Math.Max(40, width);
        height = Math.Max(16, height);
        var lines = new List<Line>();
        var head = new Line(width)
            .Add("edgernn-device top ", "bold")
            .Add(s.Profile, "cyan")
            .Add(string.Create(CultureInfo.InvariantCulture, $"  step {s.Steps}  "))
            .Add(s.Time.ToLocalTime().ToString("HH:mm:ss", CultureInfo.InvariantCulture));
        if (view.Paused)
        {
            head.Add("  PAUSED", "black on yellow");
        }

        head.Add(s.Active ? "  ANOMALY" : "", "bold white on red");
        lines.Add(head);
        lines.Add(new Line(width).Add("model ", "grey").Add(s.Model.Name, "bold").Add($" {s.Model.Task} {s.Model.Precision} {Short(s.Model.Sha256)}")
            .Add($"  {Trained(s.Model.Trained)}").Add(s.Model.Metrics is null ? "" : $"  {s.Model.Metrics}", "grey"));
        lines.Add(new Line(width).Add("scorer ", "grey").Add(s.Model.Scorer));

        var sensorLines = new List<Line>();
        foreach (SensorStatus sensor in s.Sensors)
        {
            string statusStyle = sensor.Status switch { "degraded" => "bold white on red", "warm-up" => "yellow", _ => "green" };
            string status = sensor.Status == "warm-up"
                ? string.Create(CultureInfo.InvariantCulture, $"warm-up {Math.Min(s.ScoredSteps, s.WarmupSteps)}/{s.WarmupSteps}")
                : sensor.Status;
            for (int r = 0; r < sensor.Readings.Length; r++)
            {
                ReadingStatus reading = sensor.Readings[r];
                var line = new Line(width);
                line.Add(Pad(r == 0 ? sensor.Id : "", 8), "bold").Add(" ")
                    .Add(Pad(reading.Feature, 12)).Add(" ")
                    .Add(PadLeft(Number(reading.Value), 9), "bold").Add(" ").Add(Pad(reading.Unit, 5))
                    .Add(" fc ", "grey").Add(PadLeft(Number(reading.Forecast), 9)).Add(" ");
                if (r == 0)
                {
                    line.Add(status, statusStyle).Add(string.Create(CultureInfo.InvariantCulture,
                        $" {sensor.IoErrors}/{sensor.OutOfRange}/{sensor.Stuck}/{sensor.OpenFailures}"), sensor.IoErrors + sensor.OutOfRange + sensor.Stuck + sensor.OpenFailures > 0 ? "red" : "grey");
                }
                else if (r == 1 && sensor.LastError is { } error)
                {
                    line.Add(error, "red");
                }

                sensorLines.Add(line);
            }
        }

        lines.Add(Rule(width, "sensors: reading, fc = its forecast, status, faults io/range/stuck/open"));
        lines.AddRange(sensorLines);

        lines.Add(Rule(width, string.Create(CultureInfo.InvariantCulture,
            $"likelihood {Number(s.Likelihood, "0.0000")}  enter >= {s.EnterThreshold:G4} ---  exit < {s.ExitThreshold:G4} ...  {s.HistorySeconds / 60:0} min")));
        lines.AddRange(Chart(s, width));

        var tail = new List<Line>
        {
            new Line(width).Add("step ", "grey").Add(string.Create(CultureInfo.InvariantCulture,
                $"p50 {Number(s.Latency.P50Microseconds, "0.#")} us p99 {Number(s.Latency.P99Microseconds, "0.#")} us max {Number(s.Latency.MaxMicroseconds, "0")} us  "))
                .Add(string.Create(CultureInfo.InvariantCulture, $"overruns {s.Latency.Overruns} ({s.Latency.MissedTicks} missed)"), s.Latency.Overruns > 0 ? "yellow" : "")
                .Add("  faults ", "grey").Add(string.Create(CultureInfo.InvariantCulture, $"{s.Faults.Total}"), s.Faults.Total > 0 ? "bold red" : "green")
                .Add(s.Faults.Total > 0 ? string.Create(CultureInfo.InvariantCulture, $" (out {s.Faults.Outputs} save {s.Faults.StateSaves} io {s.Faults.SensorIoErrors})") : "", "red"),
            DeviceLine(s.Device, width),
            Footer(s, view, width),
        };

        int eventRows = Math.Max(1, height - lines.Count - tail.Count - 1);
        lines.Add(Rule(width, string.Create(CultureInfo.InvariantCulture, $"events ({s.Anomalies} anomalies, {s.DegradedSteps} degraded steps)")));
        string[] events = s.Events.Length > eventRows ? s.Events[^eventRows..] : s.Events;
        foreach (string e in events)
        {
            string style = e.Contains(" anomaly_started", StringComparison.Ordinal) || e.Contains(" fault ", StringComparison.Ordinal) || e.Contains(" sensor_degraded", StringComparison.Ordinal)
                ? "red" : e.Contains(" warning", StringComparison.Ordinal) ? "yellow" : "";
            lines.Add(new Line(width).Add(e, style));
        }

        for (int i = events.Length; i < eventRows; i++)
        {
            lines.Add(new Line(width).Add(i == 0 && events.Length == 0 ? "(none yet)" : "", "grey"));
        }

        lines.AddRange(tail);
        if (lines.Count > height)
        {
            lines.RemoveRange(height - tail.Count, lines.Count - height);
        }

        return new Rows(lines.Select(l => (IRenderable)new Markup(l.Markup)));
    }

    private static IEnumerable<Line> Chart(StatusSnapshot s, int width)
    {
        // Likelihoods near 1 matter: with thresholds like 0.999 / 0.99 the chart counts nines (-log10(1 - L)), else it is linear.
        bool nines = s.EnterThreshold >= 0.9;
        double top = nines ? 4 : 1;
        // Rounded, so a threshold of 0.999 (1 - 0.999 is not exactly 1e-3 in binary) lands on its own row's edge.
        double Scale(double l) => Math.Round(nines ? Math.Min(4, -Math.Log10(Math.Max(1e-4, 1 - l))) : Math.Clamp(l, 0, 1), 9);
        double enter = Scale(s.EnterThreshold), exit = Scale(s.ExitThreshold);
        double?[] history = s.LikelihoodHistory;
        int columns = Math.Min(history.Length, width - 8);
        history = history[^columns..];
        const string Blocks = " ▁▂▃▄▅▆▇█";
        for (int row = ChartRows - 1; row >= 0; row--)
        {
            double low = row * top / ChartRows, high = (row + 1) * top / ChartRows;
            // Each row is labelled with its lower edge: a threshold's line is drawn in the row its value starts.
            string label = nines ? row switch { 0 => "0", 1 => ".9", 2 => ".99", _ => ".999" } : low.ToString("0.##", CultureInfo.InvariantCulture);
            var line = new Line(width).Add(PadLeft(label, 6) + "│", "grey");
            bool enterRow = enter >= low && (enter < high || row == ChartRows - 1);
            bool exitRow = exit >= low && (exit < high || row == ChartRows - 1);
            foreach (double? h in history)
            {
                if (h is { } v)
                {
                    double y = Scale(v);
                    string style = v >= s.EnterThreshold ? "red" : v >= s.ExitThreshold ? "yellow" : "green";
                    if (y >= high)
                    {
                        line.Add("█", style);
                        continue;
                    }

                    if (y > low)
                    {
                        line.Add(Blocks[(int)Math.Clamp(Math.Round((y - low) / (high - low) * 8), 1, 8)].ToString(), style);
                        continue;
                    }
                }

                line.Add(enterRow ? "-" : exitRow ? "." : " ", enterRow ? "red" : "yellow");
            }

            yield return line;
        }
    }

    private static Line DeviceLine(HostStatus d, int width)
    {
        var line = new Line(width).Add("host ", "grey");
        if (d.CpuCelsius is { } t)
        {
            line.Add(string.Create(CultureInfo.InvariantCulture, $"cpu {t:0.0}C"), t >= 80 ? "bold red" : t >= 70 ? "yellow" : "").Add("  ");
        }

        if (d.Load is { Length: >= 3 } load)
        {
            line.Add(string.Create(CultureInfo.InvariantCulture, $"load {load[0]:0.00} {load[1]:0.00}  "));
        }

        if (d.MemoryUsedMegabytes is { } used && d.MemoryTotalMegabytes is { } total)
        {
            line.Add(string.Create(CultureInfo.InvariantCulture, $"mem {used:0}/{total:0}M rss {d.ProcessMegabytes ?? 0:0}M  "));
        }

        if (d.UptimeSeconds is { } up)
        {
            TimeSpan u = TimeSpan.FromSeconds(up);
            line.Add(string.Create(CultureInfo.InvariantCulture, $"up {(int)u.TotalDays}d{u.Hours:00}h  "));
        }

        if (d.StateDiskFreeMegabytes is { } state)
        {
            line.Add($"disk {Megabytes(state)}", state < 50 ? "bold red" : "");
            if (d.LogDiskFreeMegabytes is { } log && Math.Abs(log - state) > 1)
            {
                line.Add($" (log {Megabytes(log)})");
            }
        }
        else if (d.LogDiskFreeMegabytes is { } log)
        {
            line.Add($"disk {Megabytes(log)}", log < 50 ? "bold red" : "");
        }

        return line;
    }

    private static Line Footer(StatusSnapshot s, ViewState view, int width)
    {
        var line = new Line(width);
        if (view.Confirming is { } what)
        {
            return line.Add(what == "reset"
                ? $"Reset the model and scorer state of {s.Profile} (it warms up again)? y/n"
                : $"Save the state of {s.Profile} now? y/n", "bold black on yellow");
        }

        line.Add("p", "bold").Add(view.Paused ? " resume " : " pause ").Add("r", "bold").Add(" reset ").Add("s", "bold").Add(" save ").Add("q", "bold").Add(" quit  ");
        if (view.Message is { } message)
        {
            line.Add(message, view.MessageOk ? "green" : "bold red");
        }
        else
        {
            line.Add(string.Create(CultureInfo.InvariantCulture, $"{view.Source} ({s.Consoles} console(s))"), "grey");
        }

        return line;
    }

    private static Line Rule(int width, string title)
    {
        var line = new Line(width).Add("── ", "grey").Add(title, "bold").Add(" ");
        return line.Add(new string('─', Math.Max(0, width - line.Length)), "grey");
    }

    private static string Trained(string? trained) => trained is null ? "trained ?"
        : trained.EndsWith(" (file date)", StringComparison.Ordinal) ? "file " + trained[..^12] : "trained " + trained;

    private static string Short(string hash) => hash.Length > 8 ? hash[..8] : hash;

    private static string Megabytes(double mb) => mb >= 10240
        ? string.Create(CultureInfo.InvariantCulture, $"{mb / 1024:0}G free")
        : mb >= 1024 ? string.Create(CultureInfo.InvariantCulture, $"{mb / 1024:0.0}G free") : string.Create(CultureInfo.InvariantCulture, $"{mb:0}M free");

    internal static string Number(double? v, string format = "G5") => v is { } x ? x.ToString(format, CultureInfo.InvariantCulture) : "-";

    private static string Pad(string s, int n) => s.Length >= n ? s[..n] : s.PadRight(n);

    private static string PadLeft(string s, int n) => s.Length >= n ? s : s.PadLeft(n);

    /// <summary>One screen line: text runs with styles, clipped at the width, turned into escaped markup.</summary>
    internal sealed class Line(int width)
    {
        private readonly StringBuilder _markup = new();

        /// <summary>Visible characters so far.</summary>
        public int Length { get; private set; }

        public string Markup => _markup.ToString();

        public Line Add(string text, string style = "")
        {
            if (text.Length == 0 || Length >= width)
            {
                return this;
            }

            // Control characters never reach the terminal (sensor ids and errors come from files and drivers).
            string clean = string.Create(text.Length, text, static (span, t) =>
            {
                for (int i = 0; i < t.Length; i++)
                {
                    span[i] = char.IsControl(t[i]) ? '?' : t[i];
                }
            });
            if (clean.Length > width - Length)
            {
                clean = clean[..(width - Length)];
            }

            Length += clean.Length;
            string escaped = Spectre.Console.Markup.Escape(clean);
            _markup.Append(style.Length == 0 ? escaped : $"[{style}]{escaped}[/]");
            return this;
        }
    }
}
