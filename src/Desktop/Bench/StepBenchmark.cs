using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using EdgeRnn.Deployment.Metadata;
using EdgeRnn.Deployment.Scoring;
using EdgeRnn.Runtime;
using Microsoft.ML.OnnxRuntime;

namespace EdgeRnn.Desktop.Bench;

/// <summary>
/// Per-step latency of EdgeRnn (<see cref="RnnModel.Step(RnnState, ReadOnlySpan{float}, Span{float})"/>) against
/// ONNX Runtime's fastest path for one step: one thread, sequential, all graph optimizations, and an
/// <see cref="OrtIoBinding"/> over pre-allocated <see cref="OrtValue"/>s bound once. When the model carries state
/// through explicit inputs and outputs (h0/c0 → hn/cn), ORT gets two bindings over two state buffer sets and the
/// steps alternate between them, so ORT's state is carried too without any copy.
/// </summary>
/// <remarks>
/// Each runtime runs <c>warmup</c> steps, then <c>steps</c> individually timed steps (median, p99, mean), then
/// <c>steps</c> more in blocks of <c>blockSize</c> timed as a whole: the headline is the median of the block
/// averages, which is free of timer overhead. A model that cannot stream is measured as whole-sequence runs of its
/// declared input shapes (symbolic dimensions 1).
/// </remarks>
internal sealed class StepBenchmark : IDisposable
{
    /// <summary>The shortest warm-up per runtime, whatever the step count.</summary>
    public static readonly TimeSpan MinWarmupTime = TimeSpan.FromMilliseconds(300);

    private readonly RnnModel _model;
    private readonly byte[] _bytes;
    private readonly Target _ours;
    private readonly OrtTarget _ort;
    private readonly Target? _deviceRow;

    public StepBenchmark(byte[] modelBytes, string modelName)
    {
        ArgumentNullException.ThrowIfNull(modelBytes);
        _bytes = modelBytes;
        ModelName = modelName;
        _model = RnnModel.Load(modelBytes, sourceName: modelName);
        foreach (OnnxValueInfo input in _model.Inputs.Where(i => i.ElementType != TensorElementType.Float))
        {
            throw new NotSupportedException($"bench feeds float inputs only; input '{input.Name}' is {input.ElementType}.");
        }

        Tensor[] inputs = [.. _model.Inputs.Select(CreateInput)];
        if (_model.CanStream)
        {
            Mode = "step";
            _ours = new StreamingTarget(_model, inputs);
            StatePairs = _model.StatePairs;
            _deviceRow = DeviceRowTarget.TryCreate(_model);
        }
        else
        {
            Mode = "run";
            Note = _model.StreamingError;
            _ours = new WholeRunTarget(_model, inputs);
            StatePairs = [];
        }

        // One run of ours gives the output shapes ORT's pre-allocated outputs need.
        Tensor[] outputs = _model.Run(inputs);
        _ort = new OrtTarget(new OrtStepRunner(_bytes, _model, inputs, outputs, StatePairs));
    }

    public string ModelName { get; }

    public string Mode { get; }

    public string? Note { get; }

    public IReadOnlyList<(string Input, string Output)> StatePairs { get; }

    public BenchResult Run(int steps, int warmup, TextWriter progress)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(steps);
        ArgumentOutOfRangeException.ThrowIfNegative(warmup);
        ArgumentNullException.ThrowIfNull(progress);
        int blockSize = Math.Min(1000, steps);
        LatencyStats ours = Measure(_ours, "EdgeRnn", steps, warmup, blockSize, progress);
        LatencyStats ort = Measure(_ort, "OnnxRuntime", steps, warmup, blockSize, progress);
        LatencyStats? deviceRow = _deviceRow is null ? null : Measure(_deviceRow, "EdgeRnn+scorer", steps, warmup, blockSize, progress);

        // Same inputs, same number of steps from the same zero state: the outputs should agree.
        _ours.Reset();
        _ort.Reset();
        for (int i = 0; i < Math.Max(1, Math.Min(warmup, 100)); i++)
        {
            _ours.Step();
            _ort.Step();
        }

        double diff = MaxAbsDifference(_ours.FirstOutput, _ort.FirstOutput);
        ThroughputInfo? throughput = null;
        if (Mode == "step")
        {
            progress.WriteLine("bench: measuring this core's FMA peak...");
            long macs = _model.StepMultiplyAdds;
            double peak = FmaPeak.MeasureGflops(20_000_000);
            double gflops = 2.0 * macs / (ours.HeadlineUs * 1e3);
            throughput = new ThroughputInfo(macs, gflops, peak, 100 * gflops / peak);
        }

        return new BenchResult(ModelName, Mode, Note, [.. StatePairs.Select(p => new StatePairInfo(p.Input, p.Output))], ours, ort,
            ort.HeadlineUs / ours.HeadlineUs, diff, Machine(), throughput) { DeviceRow = deviceRow };
    }

    public void Dispose() => _ort.Dispose();

    private static LatencyStats Measure(Target target, string runtime, int steps, int warmup, int blockSize, TextWriter progress)
    {
        progress.WriteLine(string.Create(CultureInfo.InvariantCulture, $"bench: {runtime}: {warmup} warm-up steps (at least {MinWarmupTime.TotalMilliseconds} ms), {steps} timed steps, {steps} steps in blocks of {blockSize}..."));
        target.Reset();

        // Warm up for the given steps and at least MinWarmupTime: tiered JIT promotes hot code to optimized code only
        // after a ~100 ms delay, so a short warm-up would time tier-0 code in the individually timed steps.
        long warmupEnd = Stopwatch.GetTimestamp() + (long)(MinWarmupTime.TotalSeconds * Stopwatch.Frequency);
        for (int i = 0; i < warmup || Stopwatch.GetTimestamp() < warmupEnd; i++)
        {
            target.Step();
        }

        long[] ticks = new long[steps];
        for (int i = 0; i < steps; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            target.Step();
            ticks[i] = Stopwatch.GetTimestamp() - t0;
        }

        int blocks = Math.Max(1, steps / blockSize);
        double[] blockUs = new double[blocks];
        long allocated = GC.GetAllocatedBytesForCurrentThread();
        for (int b = 0; b < blocks; b++)
        {
            long t0 = Stopwatch.GetTimestamp();
            for (int i = 0; i < blockSize; i++)
            {
                target.Step();
            }

            blockUs[b] = ToUs(Stopwatch.GetTimestamp() - t0) / blockSize;
        }

        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
        Array.Sort(ticks);
        Array.Sort(blockUs);
        return new LatencyStats(runtime, target.Api,
            HeadlineUs: Percentile(blockUs, 0.5),
            MedianUs: ToUs(Percentile(ticks, 0.5)),
            P99Us: ToUs(Percentile(ticks, 0.99)),
            MeanUs: ToUs(ticks.Average()),
            MinUs: ToUs(ticks[0]),
            Steps: steps,
            BlockSize: blockSize,
            AllocatedBytesPerStep: (double)allocated / ((long)blocks * blockSize));
    }

    private static double ToUs(double ticks) => ticks * 1e6 / Stopwatch.Frequency;

    private static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

    private static double Percentile(long[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, Math.Max(0, (int)Math.Ceiling(p * sorted.Length) - 1))];

    private static double MaxAbsDifference(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double max = 0;
        for (int i = 0; i < Math.Min(a.Length, b.Length); i++)
        {
            max = Math.Max(max, Math.Abs((double)a[i] - b[i]));
        }

        return a.Length == b.Length ? max : double.NaN;
    }

    private static Tensor CreateInput(OnnxValueInfo info)
    {
        int[] shape = info.Shape is null ? [1] : [.. info.Shape.Select(d => d.IsKnown ? (int)d.Value : 1)];
        var random = new Random(42 + info.Name.Length);
        var data = new float[Tensor.ElementCount(shape)];
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = random.NextSingle() - 0.5f;
        }

        return Tensor.FromFloat(data, shape);
    }

    internal static MachineInfo Machine() => new(
        RuntimeInformation.OSDescription,
        RuntimeInformation.ProcessArchitecture.ToString(),
        Environment.ProcessorCount,
        RuntimeInformation.FrameworkDescription,
        OrtEnv.Instance().GetVersionString(),
        Vector512.IsHardwareAccelerated ? "Vector512" : Vector256.IsHardwareAccelerated ? "Vector256" : Vector128.IsHardwareAccelerated ? "Vector128" : "scalar");

    private abstract class Target
    {
        public abstract string Api { get; }

        public abstract ReadOnlySpan<float> FirstOutput { get; }

        public abstract void Step();

        public abstract void Reset();
    }

    /// <summary>EdgeRnn streaming: state carried inside <see cref="RnnState"/>, no allocation.</summary>
    private sealed class StreamingTarget : Target
    {
        private readonly RnnModel _model;
        private readonly RnnState _state;
        private readonly float[] _input;
        private readonly float[] _output;
        private readonly bool _singleInput;

        public StreamingTarget(RnnModel model, Tensor[] inputs)
        {
            _model = model;
            _state = model.CreateState();
            (string name, int length) = model.StepInputs[0];
            _input = inputs[model.Inputs.ToList().FindIndex(i => i.Name == name)].FloatData!;
            _singleInput = model.StepInputs.Count == 1 && _input.Length == length;
            _output = new float[model.StepOutputs.Count > 0 ? model.StepOutputs[0].Length : 0];
            foreach ((string stepName, _) in model.StepInputs)
            {
                inputs[model.Inputs.ToList().FindIndex(i => i.Name == stepName)].FloatData!.CopyTo(_state.GetInput(stepName));
            }
        }

        public override string Api => _singleInput ? "RnnModel.Step(state, input, output)" : "RnnModel.Step(state)";

        public override ReadOnlySpan<float> FirstOutput => _singleInput ? _output : _state.GetOutput(_model.StepOutputs[0].Name);

        public override void Step()
        {
            if (_singleInput)
            {
                _model.Step(_state, _input, _output);
            }
            else
            {
                _model.Step(_state);
            }
        }

        public override void Reset() => _state.Reset();
    }

    /// <summary>
    /// The device's per-row work on a forecast model with edgernn metadata: normalize a raw reading, score it against the
    /// last forecast (<see cref="AnomalyDetector"/> with the model's scorer settings), step, keep the forecast.
    /// </summary>
    private sealed class DeviceRowTarget(StreamingDetector stream) : Target
    {
        private readonly float[] _readings = new float[stream.SensorFeatures];
        private int _t;

        public static DeviceRowTarget? TryCreate(RnnModel model)
        {
            EdgeRnnMetadata? metadata;
            try
            {
                metadata = EdgeRnnMetadata.Read(model.Metadata, model.SourceName);
                return metadata is { Task: ModelTask.Forecast, Scorer: { } scorer } ? new DeviceRowTarget(new StreamingDetector(model, metadata, scorer)) : null;
            }
            catch (Exception e) when (e is ModelFormatException or ArgumentException)
            {
                return null; // the step is still timed; the row needs readable metadata and a forecast graph
            }
        }

        public override string Api => "StreamingDetector.Step (normalize, score, step, keep the forecast)";

        public override ReadOnlySpan<float> FirstOutput => stream.Forecast;

        public override void Step()
        {
            // A reading around each feature's mean (a slow sine), as a sensor would give, one minute apart.
            float wave = MathF.Sin(_t * 0.01f);
            for (int i = 0; i < _readings.Length; i++)
            {
                _readings[i] = stream.Metadata.Features[i].Mean + (wave * stream.Metadata.Features[i].Std);
            }

            stream.Step(_readings, 60.0 * _t++);
        }

        public override void Reset()
        {
            stream.Reset();
            _t = 0;
        }
    }

    /// <summary>EdgeRnn whole-sequence: one <see cref="RnnModel.Run(Tensor[])"/> of the declared shapes per "step".</summary>
    private sealed class WholeRunTarget(RnnModel model, Tensor[] inputs) : Target
    {
        private Tensor[] _last = [];

        public override string Api => "RnnModel.Run(inputs)";

        public override ReadOnlySpan<float> FirstOutput => _last.Length > 0 && _last[0].IsFloat ? _last[0].FloatData : [];

        public override void Step() => _last = model.Run(inputs);

        public override void Reset() => _last = [];
    }

    /// <summary>ONNX Runtime through <see cref="OrtStepRunner"/>.</summary>
    private sealed class OrtTarget(OrtStepRunner runner) : Target, IDisposable
    {
        public override string Api => OrtStepRunner.Api;

        public override ReadOnlySpan<float> FirstOutput => runner.FirstOutput;

        public override void Step() => runner.Step();

        public override void Reset() => runner.Reset();

        public void Dispose() => runner.Dispose();
    }
}
