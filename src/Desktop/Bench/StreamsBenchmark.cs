using System.Diagnostics;
using EdgeRnn.Runtime;

namespace EdgeRnn.Desktop.Bench;

/// <summary>
/// Many streams of one model per call: <see cref="RnnModel.Step(RnnStreams, ReadOnlySpan{float}, Span{float})"/> on
/// N streams against N separate <see cref="RnnModel.Step(RnnState, ReadOnlySpan{float}, Span{float})"/> calls (the
/// baseline), measured interleaved in rounds on the same thread, with this core's FMA peak measured in every round too,
/// so that the ratios and the percentage of peak hold on a machine shared with other work.
/// </summary>
/// <remarks>
/// Each round times one block of multi-stream calls, one block of N-separate-step calls (the order alternates between
/// rounds) and a short FMA-peak loop. Headline times are medians over rounds of each block's average; the speed-up is
/// the median of the per-round ratios (each ratio from blocks a few milliseconds apart). Before timing, both paths run
/// the same inputs from reset and their outputs are compared (they should be bit-identical).
/// </remarks>
internal sealed class StreamsBenchmark
{
    private readonly RnnModel _model;
    private readonly RnnStreams _streams;
    private readonly RnnState[] _states;
    private readonly float[] _inputs;
    private readonly float[] _outputs;
    private readonly float[] _separateOutputs;
    private readonly int _inputLength;
    private readonly int _outputLength;

    public StreamsBenchmark(byte[] modelBytes, string modelName, int streams)
    {
        ArgumentNullException.ThrowIfNull(modelBytes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(streams);
        ModelName = modelName;
        _model = RnnModel.Load(modelBytes, sourceName: modelName);
        if (!_model.CanStream || _model.StepInputs.Count != 1)
        {
            throw new NotSupportedException(_model.StreamingError ?? "--streams needs a model with exactly one float step input.");
        }

        _streams = _model.CreateStreams(streams);
        _states = [.. Enumerable.Range(0, streams).Select(_ => _model.CreateState())];
        _inputLength = _model.StepInputs[0].Length;
        _outputLength = _model.StepOutputs.Count > 0 ? _model.StepOutputs[0].Length : 0;
        var random = new Random(42);
        _inputs = [.. Enumerable.Range(0, streams * _inputLength).Select(_ => random.NextSingle() - 0.5f)];
        _outputs = new float[streams * _outputLength];
        _separateOutputs = new float[streams * _outputLength];
    }

    public string ModelName { get; }

    public StreamsBenchResult Run(int rounds, int callsPerBlock, int warmup, TextWriter progress)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rounds);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(callsPerBlock);
        ArgumentOutOfRangeException.ThrowIfNegative(warmup);
        ArgumentNullException.ThrowIfNull(progress);
        int n = _streams.Count;
        double difference = CompareOutputs(Math.Max(1, Math.Min(warmup, 100)));
        progress.WriteLine($"bench: {n} streams: warming up both paths (at least {StepBenchmark.MinWarmupTime.TotalMilliseconds} ms each), then {rounds} interleaved rounds of {callsPerBlock} calls each...");
        WarmUp(StepStreams, warmup);
        WarmUp(StepSeparately, warmup);
        FmaPeak.MeasureGflops(1000);

        var streamsUs = new double[rounds];
        var separateUs = new double[rounds];
        var ratios = new double[rounds];
        var peaks = new double[rounds];
        long allocated = 0;
        for (int r = 0; r < rounds; r++)
        {
            if (r % 2 == 0)
            {
                streamsUs[r] = TimeBlock(StepStreams, callsPerBlock, ref allocated);
                separateUs[r] = TimeBlock(StepSeparately, callsPerBlock, ref allocated);
            }
            else
            {
                separateUs[r] = TimeBlock(StepSeparately, callsPerBlock, ref allocated);
                streamsUs[r] = TimeBlock(StepStreams, callsPerBlock, ref allocated);
            }

            ratios[r] = separateUs[r] / streamsUs[r];
            peaks[r] = FmaPeak.MeasureGflops(2_000_000);
        }

        double usPerCall = Median(streamsUs), separatePerCall = Median(separateUs), peak = Median(peaks);
        long macs = _model.StepMultiplyAdds;
        double gflops = 2.0 * macs * n / (usPerCall * 1e3);
        double separateGflops = 2.0 * macs * n / (separatePerCall * 1e3);
        Array.Sort(ratios);
        return new StreamsBenchResult(ModelName, n, rounds, callsPerBlock, usPerCall, usPerCall / n, separatePerCall, separatePerCall / n,
            Median(ratios), ratios[0], ratios[^1], macs, gflops, separateGflops, peak, 100 * gflops / peak, 100 * separateGflops / peak,
            (double)allocated / ((long)rounds * callsPerBlock * 2), difference, StepBenchmark.Machine());
    }

    private void StepStreams() => _model.Step(_streams, _inputs, _outputs);

    private void StepSeparately()
    {
        for (int s = 0; s < _states.Length; s++)
        {
            _model.Step(_states[s], _inputs.AsSpan(s * _inputLength, _inputLength), _separateOutputs.AsSpan(s * _outputLength, _outputLength));
        }
    }

    /// <summary>Both paths from reset on the same inputs: the largest difference of any output over <paramref name="steps"/> steps.</summary>
    private double CompareOutputs(int steps)
    {
        _streams.Reset();
        foreach (RnnState state in _states)
        {
            state.Reset();
        }

        double max = 0;
        for (int t = 0; t < steps; t++)
        {
            StepStreams();
            StepSeparately();
            for (int i = 0; i < _outputs.Length; i++)
            {
                max = Math.Max(max, Math.Abs((double)_outputs[i] - _separateOutputs[i]));
            }
        }

        return max;
    }

    private static void WarmUp(Action step, int calls)
    {
        long end = Stopwatch.GetTimestamp() + (long)(StepBenchmark.MinWarmupTime.TotalSeconds * Stopwatch.Frequency);
        for (int i = 0; i < calls || Stopwatch.GetTimestamp() < end; i++)
        {
            step();
        }
    }

    /// <summary>Microseconds per call over one block; adds the block's allocations to <paramref name="allocated"/>.</summary>
    private static double TimeBlock(Action step, int calls, ref long allocated)
    {
        long bytes = GC.GetAllocatedBytesForCurrentThread();
        long t0 = Stopwatch.GetTimestamp();
        for (int i = 0; i < calls; i++)
        {
            step();
        }

        long ticks = Stopwatch.GetTimestamp() - t0;
        allocated += GC.GetAllocatedBytesForCurrentThread() - bytes;
        return ticks * 1e6 / Stopwatch.Frequency / calls;
    }

    private static double Median(double[] values)
    {
        double[] sorted = [.. values.Order()];
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
