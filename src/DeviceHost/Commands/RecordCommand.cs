using System.CommandLine;
using System.Globalization;
using EdgeRnn.Deployment.Cli;
using EdgeRnn.DeviceHost.Loop;
using EdgeRnn.DeviceHost.Options;

namespace EdgeRnn.DeviceHost.Commands;

/// <summary><c>edgernn-device record</c>: the profile's sensors to a CSV to train on (<see cref="RecordWorker"/>).</summary>
internal static class RecordCommand
{
    public static Command Create(DeviceEnvironment environment)
    {
        Option<string> profile = DeviceOptions.Profile(required: true);
        var output = new Option<string>("--out", "-o") { Description = "The CSV to write (it must not exist); with rotation, later parts are data.2.csv, data.3.csv, ...", Required = true };
        var duration = new Option<string?>("--duration") { Description = "Record for this long: seconds, or a number with s, m, h or d (90m, 24h). Default: until Ctrl+C / SIGTERM (or the end of a replay)." };
        var rows = new Option<long?>("--rows") { Description = "Record this many rows." }.InRange(1L, long.MaxValue);
        var rotate = new Option<long>("--rotate-rows") { Description = "Start a new part after this many rows (each part a complete CSV).", DefaultValueFactory = _ => 1_000_000 }.InRange(1L, long.MaxValue);
        var command = new Command("record",
            "Records the profile's sensors at its sample rate to the CSV edgernn train reads: a timestamp column (the device's local time) "
            + "and one column per reading named by its feature, in the profile's units; a sample a sensor could not deliver is an "
            + "empty cell (train with --missing interpolate). No model is needed. Written to a temporary file flushed every 30 s and "
            + "renamed when the part ends, so a recording is never left half-written. Exit codes: 0 = recorded, 1 = the file could "
            + "not be written (the parts already closed are intact), 2 = bad profile or options.")
        {
            profile, output, duration, rows, rotate,
        };
        command.SetAction(parse =>
        {
            string? d = parse.GetValue(duration);
            TimeSpan? span = null;
            if (d is not null)
            {
                if (!TryParseDuration(d, out TimeSpan parsed))
                {
                    parse.Error().WriteLine($"error: --duration '{d}': give seconds, or a number with s, m, h or d (90m, 24h).");
                    return ToolExitCodes.BadInput;
                }

                span = parsed;
            }

            return RecordWorker.Run(parse.GetValue(profile)!, parse.GetValue(output)!, span, parse.GetValue(rows), parse.GetValue(rotate),
                parse.Out(), parse.Error(), environment);
        });
        return command;
    }

    /// <summary>Parses "90", "90s", "15m", "2h", "1d" (positive, at most 10 years).</summary>
    internal static bool TryParseDuration(string text, out TimeSpan duration)
    {
        duration = default;
        text = text.Trim();
        double scale = 1;
        if (text.Length > 0 && char.IsLetter(text[^1]))
        {
            scale = char.ToLowerInvariant(text[^1]) switch { 's' => 1, 'm' => 60, 'h' => 3600, 'd' => 86400, _ => double.NaN };
            text = text[..^1];
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !(v * scale > 0) || v * scale > 10 * 365.25 * 86400)
        {
            return false;
        }

        duration = TimeSpan.FromSeconds(v * scale);
        return true;
    }
}
