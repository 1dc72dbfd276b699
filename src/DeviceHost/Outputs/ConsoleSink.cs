using System.Globalization;
using EdgeRnn.DeviceHost.IO;

namespace EdgeRnn.DeviceHost.Outputs;

/// <summary>Events (and with <c>console: steps</c> every step) as text lines; file-derived text has its control characters escaped.</summary>
internal sealed class ConsoleSink(TextWriter writer, bool steps) : IEventSink
{
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
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"step {step.Step} likelihood {step.Likelihood:0.000000} error {step.Error:0.000000}{(step.Active ? " ANOMALY" : "")}{(step.Degraded ? " degraded" : "")}"));
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
