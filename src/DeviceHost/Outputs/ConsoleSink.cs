using System.Globalization;
using EdgeRnn.DeviceHost.IO;

namespace EdgeRnn.DeviceHost.Outputs;

/// <summary>Events (and with <c>console: steps</c> every step) as text lines; file-derived text has its control characters escaped.</summary>
/// <remarks>A step line: <c>step 31 likelihood 0.000000 error 0.2038 at 14:03:07.250 temperature 71.08 degF</c> (the readings
/// when <paramref name="readings"/> names them: feature and unit per raw value, in order).</remarks>
internal sealed class ConsoleSink(TextWriter writer, bool steps, IReadOnlyList<(string Feature, string Unit)>? readings = null) : IEventSink
{
    private readonly System.Text.StringBuilder _line = new(128);

    public string Name => "console";

    public void OnEvent(in DeviceEvent e)
    {
        string likelihood = e.Kind is DeviceEventKind.AnomalyStarted or DeviceEventKind.AnomalyEnded
            ? string.Create(CultureInfo.InvariantCulture, $" likelihood={e.Likelihood:0.000000}")
            : "";
        writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{e.Time:yyyy-MM-ddTHH:mm:ss.fffZ} step {e.Step} {e.Name}{likelihood}{(e.Detail is null ? "" : " " + ErrorText.Sanitize(e.Detail, 4000))}"));
    }

    public void OnStep(in StepRecord step, ReadOnlySpan<float> raw)
    {
        if (steps)
        {
            System.Text.StringBuilder line = _line.Clear();
            line.Append(CultureInfo.InvariantCulture,
                $"step {step.Step} likelihood {step.Likelihood:0.000000} error {step.Error:0.000000}{(step.Active ? " ANOMALY" : "")}{(step.Degraded ? " degraded" : "")} at {DateTime.Now:HH:mm:ss.fff}");
            for (int i = 0; readings is not null && i < readings.Count && i < raw.Length; i++)
            {
                line.Append(CultureInfo.InvariantCulture, $" {readings[i].Feature} {raw[i]:G6} {readings[i].Unit}");
            }

            // One string per line: a writer sees whole lines (and a pipe gets each in one write).
            writer.WriteLine(line.ToString());
        }
    }

    public void Dispose()
    {
        try
        {
            writer.Flush();
        }
        catch (IOException)
        {
            // A closed journal stream or pipe at shutdown: nothing left to tell it.
        }
    }
}
