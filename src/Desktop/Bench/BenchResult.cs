using System.Text.Json.Serialization;
using EdgeRnn.Runtime;

namespace EdgeRnn.Desktop.Bench;

/// <summary>Latency of one runtime on one model; times in microseconds.</summary>
/// <param name="Runtime">"EdgeRnn" or "OnnxRuntime".</param>
/// <param name="Api">What was timed, e.g. <c>RnnModel.Step</c> or <c>InferenceSession.RunWithBinding</c>.</param>
/// <param name="HeadlineUs">The median over blocks of the per-step average of each block (timer overhead amortized): the number to compare.</param>
/// <param name="MedianUs">The median of individually timed steps.</param>
/// <param name="P99Us">The 99th percentile of individually timed steps.</param>
/// <param name="MeanUs">The mean of individually timed steps.</param>
/// <param name="MinUs">The fastest individually timed step.</param>
/// <param name="Steps">How many steps were timed individually (the same number again in blocks).</param>
/// <param name="BlockSize">Steps per block for <paramref name="HeadlineUs"/>.</param>
/// <param name="AllocatedBytesPerStep">Managed bytes allocated per step on the benchmark thread during the block pass.</param>
internal sealed record LatencyStats(string Runtime, string Api, double HeadlineUs, double MedianUs, double P99Us, double MeanUs, double MinUs,
    int Steps, int BlockSize, double AllocatedBytesPerStep);

/// <summary>The result of <c>edgernn bench</c>.</summary>
/// <param name="Model">What was measured (a path, or the built-in model's description).</param>
/// <param name="Mode">"step" (one time step with carried state) or "run" (one whole-sequence run of the declared shape).</param>
/// <param name="Note">Why the mode is "run" (the model cannot stream), or null.</param>
/// <param name="StatePairs">The state inputs and outputs carried between steps (ORT: two alternating buffer sets).</param>
/// <param name="Ours">EdgeRnn's numbers.</param>
/// <param name="Ort">ONNX Runtime's numbers.</param>
/// <param name="RatioOrtToOurs">ORT's headline time divided by ours: above 1 means EdgeRnn is faster.</param>
/// <param name="MaxAbsDifference">The largest difference between the two runtimes' outputs after the last step of the warm-up.</param>
/// <param name="Machine">Processor, OS and library versions.</param>
/// <param name="Throughput">EdgeRnn's arithmetic throughput against this core's measured FMA peak (streaming mode only).</param>
internal sealed record BenchResult(string Model, string Mode, string? Note, IReadOnlyList<StatePairInfo> StatePairs, LatencyStats Ours, LatencyStats Ort,
    double RatioOrtToOurs, double MaxAbsDifference, MachineInfo Machine, ThroughputInfo? Throughput)
{
    /// <summary>
    /// A forecast model with edgernn metadata: the device's whole per-row work (normalize the reading, score it against
    /// the last forecast with the model's own scorer, step, keep the forecast), or null.
    /// </summary>
    public LatencyStats? DeviceRow { get; init; }
}

/// <summary>How close one EdgeRnn step comes to the machine's arithmetic peak.</summary>
/// <param name="MultiplyAddsPerStep">Multiply-adds in the step's matrix products.</param>
/// <param name="Gflops">2 * multiply-adds / headline time, in 10⁹ flops per second.</param>
/// <param name="PeakGflops">This core's fp32 FMA peak, measured in the same run (16 independent FMA chains of the widest vector).</param>
/// <param name="PercentOfPeak">Gflops / PeakGflops * 100.</param>
internal sealed record ThroughputInfo(long MultiplyAddsPerStep, double Gflops, double PeakGflops, double PercentOfPeak);

/// <summary>The result of <c>edgernn bench --streams N</c>: N streams per call against N separate steps, measured interleaved.</summary>
/// <param name="Model">What was measured.</param>
/// <param name="Streams">N, the streams stepped per call.</param>
/// <param name="Rounds">Interleaved rounds (each: a block of each path and an FMA-peak measurement).</param>
/// <param name="CallsPerBlock">Calls timed together in each block.</param>
/// <param name="UsPerCall">RnnModel.Step(streams, ...): microseconds per call (N stream-steps), the median over rounds.</param>
/// <param name="UsPerStreamStep"><paramref name="UsPerCall"/> / N.</param>
/// <param name="SeparateUsPerCall">N separate RnnModel.Step(state, ...) calls: microseconds for all N, the median over rounds.</param>
/// <param name="SeparateUsPerStreamStep"><paramref name="SeparateUsPerCall"/> / N.</param>
/// <param name="Speedup">Throughput of the multi-stream call over N separate steps: the median of the per-round ratios.</param>
/// <param name="SpeedupMin">The smallest per-round ratio.</param>
/// <param name="SpeedupMax">The largest per-round ratio.</param>
/// <param name="MultiplyAddsPerStreamStep">Multiply-adds of one stream's step.</param>
/// <param name="Gflops">Multi-stream: 2 x multiply-adds x N / time per call.</param>
/// <param name="SeparateGflops">The same for N separate steps.</param>
/// <param name="PeakGflops">This core's fp32 FMA peak: the median of the measurements taken in every round.</param>
/// <param name="PercentOfPeak"><paramref name="Gflops"/> / <paramref name="PeakGflops"/> x 100.</param>
/// <param name="SeparatePercentOfPeak"><paramref name="SeparateGflops"/> / <paramref name="PeakGflops"/> x 100.</param>
/// <param name="AllocatedBytesPerCall">Managed bytes allocated per timed call (both paths) on the benchmark thread.</param>
/// <param name="MaxAbsDifference">The largest difference between the two paths' outputs over up to 100 steps from reset (0: bit-identical).</param>
/// <param name="Machine">Processor, OS and library versions.</param>
internal sealed record StreamsBenchResult(string Model, int Streams, int Rounds, int CallsPerBlock, double UsPerCall, double UsPerStreamStep,
    double SeparateUsPerCall, double SeparateUsPerStreamStep, double Speedup, double SpeedupMin, double SpeedupMax, long MultiplyAddsPerStreamStep,
    double Gflops, double SeparateGflops, double PeakGflops, double PercentOfPeak, double SeparatePercentOfPeak, double AllocatedBytesPerCall,
    double MaxAbsDifference, MachineInfo Machine);

/// <summary>A state input and the output that feeds it on the next step.</summary>
internal sealed record StatePairInfo(string Input, string Output);

/// <summary>Where the numbers were measured.</summary>
internal sealed record MachineInfo(string Os, string Architecture, int ProcessorCount, string DotNet, string OrtVersion, string Simd);

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(BenchResult))]
[JsonSerializable(typeof(StreamsBenchResult))]
internal sealed partial class BenchJsonContext : JsonSerializerContext
{
}
