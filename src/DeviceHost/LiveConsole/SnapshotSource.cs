using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using EdgeRnn.Deployment.Metadata;
using EdgeRnn.DeviceHost.Loop;
using EdgeRnn.DeviceHost.Profiles;
using EdgeRnn.DeviceHost.Sensors;

namespace EdgeRnn.DeviceHost.LiveConsole;

/// <summary>
/// Builds <see cref="StatusSnapshot"/>s of a running loop on the status server's thread: the loop's published
/// readings (<see cref="LiveReadings"/>), its counters (volatile or word-sized reads), the recent events, and the
/// machine. Nothing here runs on, or waits for, the loop thread.
/// </summary>
internal sealed class SnapshotSource
{
    /// <summary>The span of the likelihood chart.</summary>
    public static readonly TimeSpan ChartSpan = TimeSpan.FromMinutes(5);

    /// <summary>Columns of the likelihood chart (one character each in an 80-column terminal).</summary>
    public const int ChartColumns = 60;

    private readonly DeviceLoop _loop;
    private readonly RecentEvents _events;
    private readonly LiveSample _sample;
    private readonly ModelStatus _model;
    private readonly string? _statePath;
    private readonly string? _logPath;
    private HostStatus _host = new();
    private long _hostRead = long.MinValue / 2;

    public SnapshotSource(DeviceLoop loop, RecentEvents events)
    {
        _loop = loop;
        _events = events;
        Live = new LiveReadings(loop.Metadata, loop.Sensors.Length);
        _sample = new LiveSample(Live.Features, loop.Sensors.Length);
        _model = Describe(loop);
        DeviceProfile p = loop.Profile.Profile;
        _statePath = p.State is { } st ? loop.Profile.Resolve(st.Path) : null;
        _logPath = p.Outputs.EventLog is { } log ? loop.Profile.Resolve(log.Path) : null;
    }

    /// <summary>What the loop publishes into (set as <see cref="DeviceLoop.Live"/>).</summary>
    public LiveReadings Live { get; }

    /// <summary>The sampler's overrun counters, once the loop has one.</summary>
    public PeriodicSampler? Sampler { get; set; }

    /// <summary>Builds a snapshot now (one thread at a time: the status server's publisher).</summary>
    public StatusSnapshot Build(int consoles, long dropped)
    {
        long now = Stopwatch.GetTimestamp();
        bool have = Live.TryRead(_sample);
        DeviceProfile p = _loop.Profile.Profile;
        ScorerSettings scorer = _loop.Detector.Settings;
        if (now - _hostRead > Stopwatch.Frequency)
        {
            _host = HostInfo.Read(_statePath, _logPath);
            _hostRead = now;
        }

        bool warming = have ? _sample.Scored < scorer.WarmupSteps : _loop.Detector.Steps < scorer.WarmupSteps;
        var sensors = new SensorStatus[_loop.Sensors.Length];
        int offset = 0;
        long ioErrors = 0;
        for (int i = 0; i < sensors.Length; i++)
        {
            ResilientSensor s = _loop.Sensors[i];
            SensorProfile sp = p.Sensors[i];
            SensorCounters c = s.Counters;
            var readings = new ReadingStatus[sp.Readings.Length];
            for (int r = 0; r < readings.Length; r++)
            {
                ReadingProfile rp = sp.Readings[r];
                readings[r] = new ReadingStatus
                {
                    Reading = rp.Reading, Feature = rp.Feature, Unit = rp.Unit,
                    Value = have ? Finite(_sample.Raw[offset + r]) : null,
                    Forecast = have ? Finite(_sample.Forecast[offset + r]) : null,
                };
            }

            offset += s.Count;
            ioErrors += c.IoErrors;
            bool degraded = have && _sample.Degraded[i];
            sensors[i] = new SensorStatus
            {
                Id = s.Id, Kind = sp.Kind, Status = degraded ? "degraded" : warming ? "warm-up" : "ok",
                LastError = degraded ? s.LastError : null, Readings = readings,
                Samples = c.Samples, Retries = c.Retries, IoErrors = c.IoErrors, OutOfRange = c.OutOfRange, Stuck = c.Stuck,
                OpenFailures = c.OpenFailures, DegradedSamples = c.Degraded,
            };
        }

        double[] history = Live.History(now, ChartSpan, ChartColumns);
        (double? P50, double? P99, double? Max) summary = _loop.Latency.Summary();
        return new StatusSnapshot
        {
            Time = DateTimeOffset.UtcNow,
            Profile = p.Name,
            ProfilePath = _loop.Profile.FullPath,
            Pid = Environment.ProcessId,
            SamplePeriodSeconds = p.SamplePeriodSeconds,
            Steps = _loop.Steps,
            ScoredSteps = have ? _sample.Scored : 0,
            WarmupSteps = scorer.WarmupSteps,
            WarmingUp = warming,
            Likelihood = have ? Finite(_sample.Likelihood) : null,
            Error = have ? Finite(_sample.Error) : null,
            Active = have && _sample.Active,
            Anomalies = _loop.Anomalies,
            DegradedSteps = _loop.DegradedSteps,
            EnterThreshold = scorer.Threshold,
            ExitThreshold = scorer.ExitThreshold,
            MinDuration = scorer.MinDuration,
            LikelihoodHistory = [.. history.Select(v => double.IsNaN(v) ? (double?)null : v)],
            HistorySeconds = ChartSpan.TotalSeconds,
            Sensors = sensors,
            Events = _events.Last(RecentEvents.Capacity - 1),
            LastEvent = _loop.LastEvent,
            Latency = new LatencyStatus
            {
                P50Microseconds = summary.P50,
                P99Microseconds = summary.P99,
                MaxMicroseconds = summary.Max,
                Overruns = Sampler?.Overruns ?? 0,
                MissedTicks = Sampler?.MissedTicks ?? 0,
            },
            Faults = new FaultStatus
            {
                Outputs = _loop.Faults.Outputs, StateSaves = _loop.Faults.StateSaves, SensorIoErrors = ioErrors,
                Total = _loop.Faults.Total + ioErrors,
            },
            Model = _model,
            Device = _host,
            Consoles = consoles,
            DroppedConsoles = dropped,
        };
    }

    private static double? Finite(double v) => double.IsFinite(v) ? v : null;

    /// <summary>The model line: name, task, precision, hash, training date and metrics (from edgernn.provenance), scorer.</summary>
    internal static ModelStatus Describe(DeviceLoop loop)
    {
        string path = loop.Model.SourceName;
        string? trained = null, metrics = null, quantization = null;
        if (loop.Metadata.ProvenanceJson is { Length: < 65536 } provenance)
        {
            try
            {
                using JsonDocument doc = JsonDocument.Parse(provenance);
                JsonElement root = doc.RootElement;
                if (root.ValueKind == JsonValueKind.Object)
                {
                    foreach (string key in (string[])["trained", "trained_at", "created", "date"])
                    {
                        if (root.TryGetProperty(key, out JsonElement d) && d.ValueKind == JsonValueKind.String)
                        {
                            trained = d.GetString();
                            break;
                        }
                    }

                    if (root.TryGetProperty("metrics", out JsonElement m) && m.ValueKind == JsonValueKind.Object)
                    {
                        metrics = string.Join(", ", m.EnumerateObject().Where(x => x.Value.ValueKind == JsonValueKind.Number).Take(4)
                            .Select(x => string.Create(CultureInfo.InvariantCulture, $"{x.Name} {x.Value.GetDouble():G3}")));
                    }

                    foreach (string key in (string[])["quantization", "quantization_mode", "quantize"])
                    {
                        if (root.TryGetProperty(key, out JsonElement q) && q.ValueKind == JsonValueKind.String)
                        {
                            quantization = q.GetString();
                        }
                    }
                }
            }
            catch (JsonException)
            {
                metrics = "provenance is not JSON";
            }
        }

        if (trained is null)
        {
            try
            {
                trained = File.GetLastWriteTimeUtc(path).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + " (file date)";
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
            {
            }
        }

        string ops = loop.Model.OperatorSummary;
        bool int8 = quantization is not null || ops.Contains("Quantize", StringComparison.Ordinal) || ops.Contains("Integer", StringComparison.Ordinal);
        ScorerSettings s = loop.Detector.Settings;
        return new ModelStatus
        {
            Name = Path.GetFileName(path),
            Task = loop.Metadata.Task.ToString().ToLowerInvariant(),
            Precision = int8 ? "int8" + (quantization is null ? "" : $" ({quantization})") : "fp32",
            Sha256 = loop.Model.HashHex,
            Trained = trained,
            Metrics = metrics,
            Scorer = string.Create(CultureInfo.InvariantCulture,
                $"{s.Method ?? ScorerSettings.GaussianMethod}  warm-up {s.WarmupSteps}  windows {s.ShortWindow}/{s.LongWindow}  enter {s.Threshold:G4}  exit {s.ExitThreshold:G4}  min {s.MinDuration} step(s)"),
        };
    }
}
