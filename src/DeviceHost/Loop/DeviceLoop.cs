using EdgeRnn.DeviceHost.Outputs;
using EdgeRnn.DeviceHost.Profiles;
using EdgeRnn.DeviceHost.Sensors;
using EdgeRnn.DeviceHost.State;
using EdgeRnn.Runtime;
using EdgeRnn.Runtime.Metadata;
using EdgeRnn.Runtime.Scoring;

namespace EdgeRnn.DeviceHost.Loop;

/// <summary>
/// One device: sensors → normalize with the model's statistics → <see cref="RnnModel.Step(RnnState, ReadOnlySpan{float}, Span{float})"/>
/// → <see cref="AnomalyDetector"/> → events. The step itself allocates nothing for replay and synthetic sensors (the
/// I2C bindings allocate a little per read).
/// </summary>
internal sealed class DeviceLoop : IDisposable
{
    private readonly float[] _raw;
    private readonly float[] _normalized;
    private readonly float[] _forecast;
    private readonly bool[] _degraded;
    private readonly List<IEventSink> _sinks = [];
    private readonly int _saveEvery;
    private readonly int _sensorFeatures;

    private DeviceLoop(LoadedProfile profile, RnnModel model, EdgeRnnMetadata metadata, ScorerSettings settings, ResilientSensor[] sensors, DeviceStateStore? store)
    {
        Profile = profile;
        Model = model;
        Metadata = metadata;
        State = model.CreateState();
        _sensorFeatures = TimeFeatures.SensorFeatureCount(metadata.Features);
        Detector = new AnomalyDetector(settings, metadata.Features.Count, _sensorFeatures);
        Sensors = sensors;
        Store = store;
        _saveEvery = profile.Profile.State?.SaveEverySteps ?? int.MaxValue;
        int n = metadata.Features.Count;
        _raw = new float[n];
        _normalized = new float[n];
        _forecast = new float[n];
        _degraded = new bool[sensors.Length];
    }

    public LoadedProfile Profile { get; }

    public RnnModel Model { get; }

    public EdgeRnnMetadata Metadata { get; }

    public RnnState State { get; }

    public AnomalyDetector Detector { get; }

    public ResilientSensor[] Sensors { get; }

    public DeviceStateStore? Store { get; }

    /// <summary>Steps taken by this process.</summary>
    public long Steps { get; private set; }

    /// <summary>Anomalies started in this process.</summary>
    public long Anomalies { get; private set; }

    /// <summary>Steps with at least one degraded sensor.</summary>
    public long DegradedSteps { get; private set; }

    /// <summary>The raw readings of the last step, in feature order and profile units.</summary>
    public ReadOnlySpan<float> LastRaw => _raw;

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
        catch (Exception e) when (e is ModelFormatException or IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new ProfileException($"{profile.FullPath}: $.model: {e.Message}", e);
        }

        ScorerSettings settings = ProfileLoader.CheckAgainstModel(p, metadata, profile.FullPath, modelPath);
        int features = metadata!.Features.Count;
        if (!model.CanStream || model.StepInputs.Count != 1 || model.StepInputs[0].Length != features
            || model.StepOutputs.Count < 1 || model.StepOutputs[0].Length != features)
        {
            throw new ProfileException($"{modelPath}: a forecast model must stream one input of {features} features to a forecast of {features} "
                + $"({(model.CanStream ? "it steps " + string.Join(", ", model.StepInputs.Select(v => $"{v.Name}[{v.Length}]")) + " to " + string.Join(", ", model.StepOutputs.Select(v => $"{v.Name}[{v.Length}]")) : model.StreamingError)}).");
        }

        SensorFactory factory = environment.Sensors;
        ResilientSensor[] sensors = [.. p.Sensors.Select(s => new ResilientSensor(s, () => factory.Open(s, profile), environment.Sleep))];
        DeviceStateStore? store = withState && p.State is { } st ? new DeviceStateStore(profile.Resolve(st.Path)) : null;
        return new DeviceLoop(profile, model, metadata, settings, sensors, store);
    }

    public void AddSink(IEventSink sink) => _sinks.Add(sink);

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

    public void Emit(in DeviceEvent e)
    {
        foreach (IEventSink sink in _sinks)
        {
            sink.OnEvent(e);
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
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            State.Reset();
            Detector.Reset();
            Emit(new DeviceEvent(DeviceEventKind.StateDiscarded, 0, DateTimeOffset.UtcNow, Detail: $"warning: {Store.Path}: {e.Message}; starting from a fresh state"));
        }
    }

    /// <summary>Saves the state now (atomically).</summary>
    public void SaveState() => Store?.Save(State, Detector);

    /// <summary>Takes one sample and scores it. Returns false when a replay has ended.</summary>
    public bool Step(out StepRecord record)
    {
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

        Metadata.Normalize(_raw, _normalized);
        for (int i = 0; i < _normalized.Length; i++)
        {
            // A reading no sensor has delivered yet stands at the training mean.
            _normalized[i] = float.IsFinite(_normalized[i]) ? _normalized[i] : 0;
        }

        ScoreResult score = Detector.Observe(_normalized);
        Model.Step(State, _normalized, _forecast);
        Detector.SetForecast(_forecast);
        Steps++;
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

        foreach (IEventSink sink in _sinks)
        {
            sink.OnStep(record, _raw);
        }

        if (Store is not null && Steps % _saveEvery == 0)
        {
            SaveState();
        }

        return true;
    }

    public void Dispose()
    {
        foreach (ResilientSensor sensor in Sensors)
        {
            sensor.Dispose();
        }

        foreach (IEventSink sink in _sinks)
        {
            sink.Dispose();
        }
    }
}
