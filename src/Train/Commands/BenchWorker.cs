using System.Globalization;
using System.Text.Json;
using EdgeRnn.Deployment.Cli;
using EdgeRnn.Deployment.Verification;
using EdgeRnn.Desktop.Bench;
using EdgeRnn.Desktop.Models;
using EdgeRnn.Runtime;
using Microsoft.ML.OnnxRuntime;

namespace EdgeRnn.Train.Commands;

/// <summary>The <c>bench</c> command: resolves the model, runs <see cref="StepBenchmark"/>, prints the table or JSON.</summary>
internal static class BenchWorker
{
    private static readonly string[] s_streamsHeader = ["path", "us/call (median of rounds)", "us/stream-step", "GFLOP/s", "% of FMA peak", "api"];

    public static int Run(string? model, string? builtin, int hidden, int input, int layers, int steps, int warmup, int streams, int rounds, bool json,
        TextWriter stdout, TextWriter stderr)
    {
        if ((model is null) == (builtin is null))
        {
            stderr.WriteLine("error: give either --model (a .onnx file or a test folder) or --builtin lstm|gru|rnn, not both and not neither.");
            return ToolExitCodes.BadInput;
        }

        // --timed-steps, --warmup, --hidden, --input and --layers are range-checked by the parser (BenchCommand).
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(steps);
        ArgumentOutOfRangeException.ThrowIfNegative(warmup);

        byte[] bytes;
        string name;
        if (builtin is not null)
        {
            RecurrentCellKind cell = Enum.Parse<RecurrentCellKind>(builtin, ignoreCase: true);
            bytes = BuiltinModels.CreateStreaming(cell, input, hidden, layers);
            name = string.Create(CultureInfo.InvariantCulture, $"builtin {builtin} input={input} hidden={hidden} layers={layers}");
        }
        else
        {
            string path = Directory.Exists(model) ? Path.Combine(model!, TestDataLayout.ModelFileName) : model!;
            if (!File.Exists(path))
            {
                stderr.WriteLine($"error: '{path}' does not exist.");
                return ToolExitCodes.BadInput;
            }

            bytes = File.ReadAllBytes(path);
            name = path;
        }

        if (streams > 0)
        {
            return RunStreams(bytes, name, streams, Math.Min(rounds, steps), steps, warmup, json, stdout, stderr);
        }

        BenchResult result;
        try
        {
            using var bench = new StepBenchmark(bytes, name);
            if (bench.Note is not null)
            {
                stderr.WriteLine($"bench: the model cannot stream ({bench.Note}); timing whole-sequence runs of its declared shape instead.");
            }

            result = bench.Run(steps, warmup, stderr);
        }
        catch (Exception e) when (e is ModelFormatException or NotSupportedException or ArgumentException or OnnxRuntimeException or IOException)
        {
            stderr.WriteLine($"error: {name}: {e.Message}");
            return ToolExitCodes.BadInput;
        }

        if (json)
        {
            stdout.WriteLine(JsonSerializer.Serialize(result, BenchJsonContext.Default.BenchResult));
        }
        else
        {
            WriteTable(stdout, result);
        }

        return ToolExitCodes.Success;
    }

    /// <summary><c>--streams N</c>: N streams per call against N separate steps (<see cref="StreamsBenchmark"/>).</summary>
    private static int RunStreams(byte[] bytes, string name, int streams, int rounds, int steps, int warmup, bool json, TextWriter stdout, TextWriter stderr)
    {
        StreamsBenchResult r;
        try
        {
            r = new StreamsBenchmark(bytes, name, streams).Run(rounds, Math.Max(1, steps / rounds), warmup, stderr);
        }
        catch (Exception e) when (e is ModelFormatException or NotSupportedException or ArgumentException or IOException)
        {
            stderr.WriteLine($"error: {name}: {e.Message}");
            return ToolExitCodes.BadInput;
        }

        if (json)
        {
            stdout.WriteLine(JsonSerializer.Serialize(r, BenchJsonContext.Default.StreamsBenchResult));
            return ToolExitCodes.Success;
        }

        stdout.WriteLine($"model   {r.Model}");
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"mode    {r.Streams} streams per call, against {r.Streams} separate steps; {r.Rounds} interleaved rounds of {r.CallsPerBlock} calls each"));
        stdout.WriteLine($"machine {r.Machine.Os}, {r.Machine.Architecture}, {r.Machine.ProcessorCount} cores, {r.Machine.DotNet}, {r.Machine.Simd}");
        stdout.WriteLine();
        var rows = new List<string[]>
        {
            s_streamsHeader,
            new[] { "streams", Us(r.UsPerCall), Us(r.UsPerStreamStep), Gf(r.Gflops), Gf(r.PercentOfPeak) + "%", "RnnModel.Step(streams, inputs, outputs)" },
            new[] { "separate", Us(r.SeparateUsPerCall), Us(r.SeparateUsPerStreamStep), Gf(r.SeparateGflops), Gf(r.SeparatePercentOfPeak) + "%", $"{r.Streams} x RnnModel.Step(state, input, output)" },
        };
        VerifyReport.WriteAligned(stdout, rows);
        stdout.WriteLine();
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"streams / separate throughput = {r.Speedup:0.00}x (median of per-round ratios; range {r.SpeedupMin:0.00}-{r.SpeedupMax:0.00}x); FMA peak {r.PeakGflops:0.0} GFLOP/s (median of rounds); {r.MultiplyAddsPerStreamStep} multiply-adds per stream-step."));
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"outputs of the two paths differ by at most {r.MaxAbsDifference:0.###e+0}; {r.AllocatedBytesPerCall:0.#} B allocated per call."));
        return ToolExitCodes.Success;
    }

    private static string Gf(double v) => v.ToString("0.0", CultureInfo.InvariantCulture);

    private static void WriteTable(TextWriter w, BenchResult r)
    {
        w.WriteLine($"model   {r.Model}");
        w.WriteLine(r.Mode == "step"
            ? "mode    one time step per call, state carried" + (r.StatePairs.Count > 0 ? " (" + string.Join(", ", r.StatePairs.Select(p => $"{p.Output} -> {p.Input}")) + ")" : "")
            : $"mode    whole-sequence run per call (cannot stream: {r.Note})");
        w.WriteLine($"machine {r.Machine.Os}, {r.Machine.Architecture}, {r.Machine.ProcessorCount} cores, {r.Machine.DotNet}, {r.Machine.Simd}, ORT {r.Machine.OrtVersion}");
        w.WriteLine();
        string unit = r.Mode == "step" ? "step" : "run";
        var rows = new List<string[]>
        {
            new[] { "runtime", $"us/{unit} (median of {r.Ours.BlockSize}-{unit} blocks)", "median", "p99", "mean", "min", $"alloc B/{unit}", "api" },
        };
        foreach (LatencyStats s in new[] { r.Ours, r.Ort, r.DeviceRow }.OfType<LatencyStats>())
        {
            rows.Add([s.Runtime, Us(s.HeadlineUs), Us(s.MedianUs), Us(s.P99Us), Us(s.MeanUs), Us(s.MinUs),
                s.AllocatedBytesPerStep.ToString("0.#", CultureInfo.InvariantCulture), s.Api]);
        }

        VerifyReport.WriteAligned(w, rows);
        w.WriteLine();
        w.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"ORT / EdgeRnn = {r.RatioOrtToOurs:0.00}x (headline times; above 1 means EdgeRnn is faster); outputs differ by at most {r.MaxAbsDifference:0.###e+0}."));
        if (r.Throughput is { } t)
        {
            w.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"EdgeRnn throughput: {t.MultiplyAddsPerStep} multiply-adds/step = {t.Gflops:0.0} GFLOP/s, {t.PercentOfPeak:0.0}% of this core's measured fp32 FMA peak ({t.PeakGflops:0.0} GFLOP/s)."));
        }
    }

    private static string Us(double us) => us.ToString("0.000", CultureInfo.InvariantCulture);
}
