using System.Globalization;

namespace EdgeRnn.DeviceHost.Outputs;

/// <summary>Events (and with <c>console: steps</c> every step) as text lines.</summary>
internal sealed class ConsoleSink(TextWriter writer, bool steps) : IEventSink
{
    public void OnEvent(in DeviceEvent e)
    {
        string likelihood = e.Kind is DeviceEventKind.AnomalyStarted or DeviceEventKind.AnomalyEnded
            ? string.Create(CultureInfo.InvariantCulture, $" likelihood={e.Likelihood:0.000000}")
            : "";
        writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{e.Time:yyyy-MM-ddTHH:mm:ss.fffZ} step {e.Step} {e.Name}{likelihood}{(e.Detail is null ? "" : " " + e.Detail)}"));
    }

    public void OnStep(in StepRecord step, ReadOnlySpan<float> raw)
    {
        if (steps)
        {
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"step {step.Step} likelihood {step.Likelihood:0.000000} error {step.Error:0.000000}{(step.Active ? " ANOMALY" : "")}{(step.Degraded ? " degraded" : "")}"));
        }
    }

    public void Dispose() => writer.Flush();
}
