using System.Globalization;
using EdgeRnn.Deployment.Cli;
using EdgeRnn.Deployment.IO;
using EdgeRnn.Train.Data;

namespace EdgeRnn.Train.Commands;

/// <summary>What <c>edgernn synth</c> reads; null rows and sensors mean the kit's defaults.</summary>
internal sealed record SynthRequest(string Out, SensorKit Kit, int? Rows, int? Sensors, int Anomalies, double CleanFraction, int Seed);

/// <summary>
/// <c>edgernn synth</c>: writes a seeded recording with labelled injected anomalies: the generic multi-sensor one
/// (<see cref="SyntheticRecording"/>) or a sensor kit of a shipped device profile (<see cref="SensorKitRecording"/>).
/// </summary>
internal static class SynthWorker
{
    /// <summary>Rows of the generic recording when --rows is not given.</summary>
    public const int GenericRows = 5000;

    /// <summary>Sensors of the generic recording when --sensors is not given.</summary>
    public const int GenericSensors = 3;

    /// <summary>Readings (rows x features) one recording may hold: it is generated in memory as one float array.</summary>
    public const long MaxValues = 100_000_000;

    public static int Run(SynthRequest request, TextWriter stdout, TextWriter stderr)
    {
        SensorRecording recording;
        IReadOnlyList<AnomalyEvent> events;
        string columns;
        if (!Enum.IsDefined(request.Kit))
        {
            // System.CommandLine also parses numbers into an enum ("--kit 9").
            stderr.WriteLine($"error: --kit {request.Kit} is not a kit; use one of {string.Join(", ", Enum.GetNames<SensorKit>().Select(n => n.ToLowerInvariant()))}.");
            return ToolExitCodes.BadInput;
        }

        if (request.Kit == SensorKit.Generic)
        {
            int rows = request.Rows ?? GenericRows, sensors = request.Sensors ?? GenericSensors;
            if (rows < 16 || sensors < 1 || request.Anomalies < 0 || !(request.CleanFraction is > 0 and < 1))
            {
                stderr.WriteLine("error: --rows must be at least 16, --sensors at least 1, --anomalies at least 0 and --clean-fraction in (0, 1).");
                return ToolExitCodes.BadInput;
            }

            if ((long)rows * sensors > MaxValues)
            {
                stderr.WriteLine(string.Create(CultureInfo.InvariantCulture, $"error: --rows {rows} x --sensors {sensors} is more than the {MaxValues:N0} readings one recording holds."));
                return ToolExitCodes.BadInput;
            }

            (recording, events) = SyntheticRecording.Generate(rows, sensors, request.Seed, request.Anomalies, request.CleanFraction);
            columns = string.Create(CultureInfo.InvariantCulture, $"{recording.FeatureCount} sensors");
        }
        else
        {
            SensorKitSpec spec = SensorKitRecording.Spec(request.Kit);
            string kit = request.Kit.ToString().ToLowerInvariant();
            if (request.Sensors is not null)
            {
                stderr.WriteLine($"error: --sensors is for the generic recording; the {kit} kit's columns are fixed ({string.Join(", ", spec.Features.Select(f => f.Name))}).");
                return ToolExitCodes.BadInput;
            }

            int rows = request.Rows ?? spec.DefaultRows;
            if (rows < 16 || request.Anomalies < 0 || !(request.CleanFraction is > 0 and < 1))
            {
                stderr.WriteLine("error: --rows must be at least 16, --anomalies at least 0 and --clean-fraction in (0, 1).");
                return ToolExitCodes.BadInput;
            }

            if ((long)rows * spec.Features.Count > MaxValues)
            {
                stderr.WriteLine(string.Create(CultureInfo.InvariantCulture, $"error: --rows {rows} of the {kit} kit's {spec.Features.Count} features is more than the {MaxValues:N0} readings one recording holds."));
                return ToolExitCodes.BadInput;
            }

            (recording, events) = SensorKitRecording.Generate(request.Kit, rows, request.Seed, request.Anomalies, request.CleanFraction);
            columns = string.Create(CultureInfo.InvariantCulture,
                $"{string.Join(", ", spec.Features.Select(f => $"{f.Name} {f.Unit}"))} every {spec.PeriodSeconds} s (as {spec.Profile})");
        }

        try
        {
            string full = Path.GetFullPath(request.Out);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            // "\n" on every OS: the same options and seed write the same bytes (a model's provenance records their SHA-256).
            // Written whole, then atomically: an existing recording is replaced only by a complete one.
            using var buffer = new MemoryStream();
            using (var writer = new StreamWriter(buffer, leaveOpen: true) { NewLine = "\n" })
            {
                SyntheticRecording.WriteCsv(recording, writer);
            }

            AtomicFile.WriteAllBytes(full, buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            stderr.WriteLine($"error: cannot write {request.Out}: {e.Message}");
            return ToolExitCodes.BadInput;
        }

        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"wrote {request.Out}: {recording.Rows} rows of {columns}, {events.Count} anomalies"));
        return ToolExitCodes.Success;
    }
}
