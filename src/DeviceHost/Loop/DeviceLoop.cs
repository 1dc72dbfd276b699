using System.Diagnostics;
using System.Globalization;
using EdgeRnn.Deployment.Metadata;
using EdgeRnn.Deployment.Scoring;
using EdgeRnn.DeviceHost.IO;
using EdgeRnn.DeviceHost.Outputs;
using EdgeRnn.DeviceHost.Profiles;
using EdgeRnn.DeviceHost.Sensors;
using EdgeRnn.DeviceHost.State;
using EdgeRnn.Runtime;

namespace EdgeRnn.DeviceHost.Loop;

/// <summary>
/// One device: sensors (and the clock) → <see cref="StreamingDetector"/> (normalize, score against the last forecast,
/// step, keep the forecast) → events. The step itself allocates nothing for replay and synthetic sensors (the
/// I2C bindings allocate a little per read).
/// </summary>
/// <remarks>
/// An output that throws (a full disk under the event log, a closed journal stream, a missing GPIO chip) or a state
/// save that fails is a fault: counted in <see cref="Faults"/>, reported by a <c>fault</c> event to the other outputs
/// when it starts and a <c>fault_cleared</c> event when it ends, and retried (the output at its next event, the save
/// at the next save); the loop goes on.
/// </remarks>
internal sealed class DeviceLoop : IDisposable
{
    private readonly float[] _raw;
    private readonly StreamingDetector _stream;
    private readonly bool[] _degraded;
    private readonly List<SinkSlot> _sinks = [];
    private readonly int _saveEvery;
    private readonly int _sensorFeatures;
    private readonly List<string> _warnings;
    private long _steps;
    private int _emitDepth;
    private bool _stateFailing;
    private string? _lastEvent;

    private DeviceLoop(LoadedProfile profile, RnnModel model, EdgeRnnMetadata metadata, ScorerSettings settings, ResilientSensor[] sensors, DeviceStateStore? store, List<string> warnings)
    {
        _warnings = warnings;
        Profile = profile;
        Model = model;
        Metadata = metadata;
        _stream = new StreamingDetector(model, metadata, settings);
        _sensorFeatures = _stream.SensorFeatures;
        Sensors = sensors;
        Store = store;
        _saveEvery = profile.Profile.State?.SaveEverySteps ?? int.MaxValue;
        int n = metadata.Features.Count;
        _raw = new float[n];
        _degraded = new bool[sensors.Length];
    }

    public LoadedProfile Profile { get; }

    public RnnModel Model { get; }

    public EdgeRnnMetadata Metadata { get; }

    public RnnState State => _stream.State;

    public AnomalyDetector Detector => _stream.Detector;

    public ResilientSensor[] Sensors { get; }

    public DeviceStateStore? Store { get; }

    /// <summary>Steps taken by this process (readable from any thread).</summary>
    public long Steps => Volatile.Read(ref _steps);

    /// <summary>Output and state faults.</summary>
    public DeviceFaults Faults { get; } = new();

    /// <summary>The last event, "name at step N" (readable from any thread), for the service status.</summary>
    public string? LastEvent => Volatile.Read(ref _lastEvent);

    /// <summary>What opening found that the operator should know (malformed replay rows), reported by the command.</summary>
    public IReadOnlyList<string> Warnings => _warnings;

    /// <summary>How long steps take: sensor reads, scoring, the model step and the outputs (read from any thread).</summary>
    public StepLatency Latency { get; } = new();

    /// <summary>Anomalies started in this process.</summary>
    public long Anomalies { get; private set; }

    /// <summary>Steps with at least one degraded sensor.</summary>
    public long DegradedSteps { get; private set; }

    /// <summary>The raw readings of the last step, in feature order and profile units.</summary>
    public ReadOnlySpan<float> LastRaw => _raw;

    /// <summary>Where the loop publishes readings, forecasts and likelihoods for the live console (null: nobody watches).</summary>
    public LiveConsole.LiveReadings? Live { get; set; }

    /// <summary>
    /// Loads the profile's model, checks that the profile fits it, and opens the sensors (lazily: a missing chip is a
    /// degraded sensor, not a failure). <paramref name="withState"/> false ignores the profile's state file.
    /// </summary>
    /// <exception cref="ProfileException">The model cannot be loaded or does not fit the profile.</exception>
    public static DeviceLoop Open(LoadedProfile profile, DeviceEnvironment environment, bool withState = true)
    {
        DeviceProfile p = profile.Profile;
        string modelPath = profile.Resolve(p.Model);
        RnnModel model;
        EdgeRnnMetadata? metadata;
        try
        {
            model = RnnModel.Load(modelPath);
            metadata = EdgeRnnMetadata.Read(model.Metadata, modelPath);
        }
        catch (Exception e) when (e is ModelFormatException or IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw new ProfileException($"{profile.FullPath}: $.model: {ErrorText.Describe(e)}", e);
        }

        ScorerSettings settings = ProfileLoader.CheckAgainstModel(p, metadata, profile.FullPath, modelPath);
        CheckStreamsForecast(model, metadata!.Features.Count, modelPath);

        // Replays and synthetic signals are configuration, not hardware: a missing file or column is a bad profile
        // (exit 2 now), not a sensor to retry forever. Chips open lazily: a missing chip is a degraded sensor.
        var warnings = new List<string>();
        ResilientSensor[] sensors = OpenSensors(profile, environment, warnings);

        DeviceStateStore? store = withState && p.State is { } st ? new DeviceStateStore(profile.Resolve(st.Path), environment.Files) : null;
        return new DeviceLoop(profile, model, metadata, settings, sensors, store, warnings);
    }

    /// <summary>
    /// Opens a profile's sensors: replays and synthetic signals at once (a missing file or column is a bad profile,
    /// <see cref="ProfileException"/>, and what was opened is closed again), chips lazily (a missing chip is a degraded
    /// sensor, retried). What opening warns about goes to <paramref name="warnings"/>.
    /// </summary>
    public static ResilientSensor[] OpenSensors(LoadedProfile profile, DeviceEnvironment environment, List<string> warnings)
    {
        DeviceProfile p = profile.Profile;
        SensorFactory factory = environment.Sensors;
        var sensors = new ResilientSensor[p.Sensors.Length];
        for (int i = 0; i < sensors.Length; i++)
        {
            SensorProfile s = p.Sensors[i];
            ISensor? initial = null;
            if (!SensorKinds.Get(s.Kind).IsHardware)
            {
                try
                {
                    initial = factory.Open(s, profile);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
                {
                    for (int j = 0; j < i; j++)
                    {
                        sensors[j].Dispose();
                    }

                    throw new ProfileException($"{profile.FullPath}: $.sensors[{i}].file: {ErrorText.Describe(e)}", e);
                }

                if (initial.OpenWarning is { } warning)
                {
                    warnings.Add(warning);
                }
            }

            sensors[i] = new ResilientSensor(s, () => factory.Open(s, profile), environment.Sleep, initial);
        }

        return sensors;
    }

    /// <summary>Checks that a model streams one input of <paramref name="features"/> features to a forecast of as many.</summary>
    /// <exception cref="ProfileException">It does not.</exception>
    public static void CheckStreamsForecast(RnnModel model, int features, string modelPath)
    {
        if (!model.CanStream || model.StepInputs.Count != 1 || model.StepInputs[0].Length != features
            || model.StepOutputs.Count < 1 || model.StepOutputs[0].Length != features)
        {
            throw new ProfileException($"{modelPath}: a forecast model must stream one input of {features} features to a forecast of {features} "
                + $"({(model.CanStream ? "it steps " + string.Join(", ", model.StepInputs.Select(v => $"{v.Name}[{v.Length}]")) + " to " + string.Join(", ", model.StepOutputs.Select(v => $"{v.Name}[{v.Length}]")) : model.StreamingError)}).");
        }
    }

    public void AddSink(IEventSink sink) => _sinks.Add(new SinkSlot(sink));

    /// <summary>
    /// The time of the sample just read, for the model's clock features: a replayed recording's own timestamp, else
    /// the device's local wall-clock time (recordings are written in local time; set TZ for the service).
    /// </summary>
    private double SampleTime()
    {
        foreach (ResilientSensor sensor in Sensors)
        {
            double t = sensor.LastTimestamp;
            if (double.IsFinite(t))
            {
                return t;
            }
        }

        return (DateTime.Now - DateTime.UnixEpoch).TotalSeconds;
    }

    /// <summary>Sends an event to every output; an output that throws is a counted fault (see the remarks), never the loop's end.</summary>
    public void Emit(in DeviceEvent e)
    {
        Volatile.Write(ref _lastEvent, string.Create(CultureInfo.InvariantCulture, $"{e.Name} at step {e.Step}"));
        _emitDepth++;
        try
        {
            foreach (SinkSlot slot in _sinks)
            {
                try
                {
                    slot.Sink.OnEvent(e);
                    Succeeded(slot);
                }
                catch (Exception x) when (x is not OutOfMemoryException)
                {
                    Failed(slot, x);
                }
            }
        }
        finally
        {
            _emitDepth--;
        }
    }

    private void Succeeded(SinkSlot slot)
    {
        if (slot.Failing && _emitDepth == 1)
        {
            slot.Failing = false;
            Emit(new DeviceEvent(DeviceEventKind.FaultCleared, Steps, DateTimeOffset.UtcNow,
                Detail: string.Create(CultureInfo.InvariantCulture, $"{slot.Sink.Name}: works again after {slot.Failures} failed write(s)")));
        }
    }

    // Catching everything is the point here: an output must never end an unattended device's loop. The fault is counted
    // and reported, and a programming error shows up the same way instead of as a restart loop.
    private void Failed(SinkSlot slot, Exception x)
    {
        slot.Failures++;
        Faults.AddOutput();
        if (!slot.Failing && _emitDepth == 1)
        {
            slot.Failing = true;
            Emit(new DeviceEvent(DeviceEventKind.Fault, Steps, DateTimeOffset.UtcNow,
                Detail: $"{slot.Sink.Name}: {ErrorText.Describe(x)}; what it misses is lost until it works again (tried again at each event)"));
        }
    }

    /// <summary>
    /// Opens every output now, so one that cannot work (a log folder on a read-only disk, no GPIO chip) is reported at
    /// start; it is a fault like a failed write, and the output is tried again at its next event.
    /// </summary>
    public void OpenOutputs()
    {
        _emitDepth++;
        try
        {
            foreach (SinkSlot slot in _sinks)
            {
                try
                {
                    slot.Sink.Open();
                }
                catch (Exception x) when (x is not OutOfMemoryException)
                {
                    Failed(slot, x);
                }
            }
        }
        finally
        {
            _emitDepth--;
        }
    }

    /// <summary>Restores the saved state; a bad file is reported, discarded and the loop starts fresh.</summary>
    public void RestoreState()
    {
        if (Store is null)
        {
            return;
        }

        try
        {
            if (Store.TryRestore(State, Detector))
            {
                Emit(new DeviceEvent(DeviceEventKind.StateRestored, 0, DateTimeOffset.UtcNow,
                    Detail: $"{Store.Path}: {State.StepCount} model steps, {Detector.Steps} scored{(Detector.Active ? ", anomaly active" : "")}"));
            }
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            // ArgumentException: a length field the readers did not expect to be out of range must not throw on every start.
            State.Reset();
            Detector.Reset();
            Emit(new DeviceEvent(DeviceEventKind.StateDiscarded, 0, DateTimeOffset.UtcNow, Detail: $"warning: {Store.Path}: {ErrorText.Describe(e)}; starting from a fresh state"));
        }
    }

    /// <summary>
    /// Saves the state now (atomically). A failure (a full or read-only disk) is a counted fault with a <c>fault</c>
    /// event; the state stays in memory and the next save tries again. Returns whether the state was saved.
    /// </summary>
    public bool SaveState()
    {
        if (Store is null)
        {
            return true;
        }

        try
        {
            Store.Save(State, Detector);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Faults.AddStateSave();
            if (!_stateFailing)
            {
                _stateFailing = true;
                Emit(new DeviceEvent(DeviceEventKind.Fault, Steps, DateTimeOffset.UtcNow,
                    Detail: $"state {Store.Path}: cannot save: {ErrorText.Describe(e)}; kept in memory and saved again at the next save"));
            }

            return false;
        }

        if (_stateFailing)
        {
            _stateFailing = false;
            Emit(new DeviceEvent(DeviceEventKind.FaultCleared, Steps, DateTimeOffset.UtcNow,
                Detail: string.Create(CultureInfo.InvariantCulture, $"state {Store.Path}: saved again after {Faults.StateSaves} failed save(s)")));
        }

        return true;
    }

    /// <summary>
    /// Forgets the model's and the scorer's state (a live console's "reset"): the loop starts fresh, warming up again,
    /// and any active anomaly ends without an event. Called by the loop thread between steps.
    /// </summary>
    public void ResetState(string why)
    {
        _stream.Reset();
        Emit(new DeviceEvent(DeviceEventKind.Warning, Steps, DateTimeOffset.UtcNow, Detail: $"state reset ({why}): the model and the scorer start fresh and warm up again"));
    }

    /// <summary>Takes one sample and scores it. Returns false when a replay has ended.</summary>
    public bool Step(out StepRecord record)
    {
        long begun = Stopwatch.GetTimestamp();
        bool degraded = false;
        int offset = 0;
        for (int i = 0; i < Sensors.Length; i++)
        {
            ResilientSensor sensor = Sensors[i];
            SampleQuality q = sensor.Read(_raw.AsSpan(offset, sensor.Count));
            if (q == SampleQuality.EndOfData)
            {
                record = default;
                return false;
            }

            bool bad = q == SampleQuality.Degraded;
            degraded |= bad;
            if (bad != _degraded[i])
            {
                _degraded[i] = bad;
                Emit(new DeviceEvent(bad ? DeviceEventKind.SensorDegraded : DeviceEventKind.SensorRecovered, Steps + 1, DateTimeOffset.UtcNow,
                    Detail: bad ? $"{sensor.Id}: {sensor.LastError}" : sensor.Id));
            }

            offset += sensor.Count;
        }

        if (_sensorFeatures < _raw.Length)
        {
            TimeFeatures.Fill(Metadata.Features, _sensorFeatures, SampleTime(), _raw);
        }

        // Normalize (a reading no sensor has delivered stands at the training mean), score against the last forecast,
        // step, keep the forecast: the one sequence the desktop scores with too.
        LiveConsole.LiveReadings? live = Live;
        live?.BeforeStep(begun, _stream.Forecast, State.StepCount > 0);
        ScoreResult score = _stream.StepRow(_raw);
        Volatile.Write(ref _steps, _steps + 1);
        live?.AfterStep(begun, _raw, score, Steps, Detector.Steps, _degraded);
        if (degraded)
        {
            DegradedSteps++;
        }

        record = new StepRecord(Steps, score.Error, score.Likelihood, score.Active, degraded);
        if (score.Change != DecisionChange.None)
        {
            if (score.Change == DecisionChange.Started)
            {
                Anomalies++;
            }

            Emit(new DeviceEvent(score.Change == DecisionChange.Started ? DeviceEventKind.AnomalyStarted : DeviceEventKind.AnomalyEnded,
                Steps, DateTimeOffset.UtcNow, score.Likelihood));
        }

        foreach (SinkSlot slot in _sinks)
        {
            if (slot.Failing)
            {
                continue; // a failing output is tried again at the next event, not at every step
            }

            _emitDepth++;
            try
            {
                slot.Sink.OnStep(record, _raw);
            }
            catch (Exception x) when (x is not OutOfMemoryException)
            {
                Failed(slot, x);
            }
            finally
            {
                _emitDepth--;
            }
        }

        if (Store is not null && Steps % _saveEvery == 0)
        {
            SaveState();
        }

        Latency.Record(Stopwatch.GetTimestamp() - begun);
        return true;
    }

    public void Dispose()
    {
        foreach (ResilientSensor sensor in Sensors)
        {
            sensor.Dispose();
        }

        foreach (SinkSlot slot in _sinks)
        {
            try
            {
                slot.Sink.Dispose();
            }
            catch (Exception x) when (x is IOException or UnauthorizedAccessException or InvalidOperationException)
            {
                // Closing a failed output may fail again; its fault is already counted.
            }
        }
    }

    /// <summary>An output and whether it is failing now.</summary>
    private sealed class SinkSlot(IEventSink sink)
    {
        public IEventSink Sink { get; } = sink;

        public bool Failing { get; set; }

        public long Failures { get; set; }
    }
}
