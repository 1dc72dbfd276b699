using System.Globalization;
using EdgeRnn.Deployment.Cli;
using EdgeRnn.Deployment.IO;
using EdgeRnn.Deployment.Verification;
using EdgeRnn.Desktop.Models;
using EdgeRnn.Desktop.Reference;
using EdgeRnn.Desktop.Verification;
using EdgeRnn.Runtime;

namespace EdgeRnn.Train.Commands;

/// <summary>
/// The <c>testdata</c> command: writes an ONNX backend test folder whose expected outputs come from ONNX Runtime, so
/// <c>edgernn-device verify</c> on a device proves it computes what the desktop reference computes.
/// </summary>
internal static class TestDataWorker
{
    public static int Run(string? model, string? builtin, int hidden, int input, int layers, int steps, int sets, int seed, string output,
        TextWriter stdout, TextWriter stderr)
    {
        if ((model is null) == (builtin is null))
        {
            stderr.WriteLine("error: give either --model (.onnx) or --builtin lstm|gru|rnn, not both and not neither.");
            return ToolExitCodes.BadInput;
        }

        if (OutputPath.CheckFolder(output, "--out") is { } unwritable)
        {
            stderr.WriteLine($"error: {unwritable}.");
            return ToolExitCodes.BadInput;
        }

        // --seq-len, --sets, --hidden, --input and --layers are range-checked by the parser (TestDataCommand).
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(steps);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sets);

        byte[] bytes;
        if (builtin is not null)
        {
            bytes = BuiltinModels.CreateSequence(Enum.Parse<RecurrentCellKind>(builtin, ignoreCase: true), input, hidden, layers);
        }
        else if (!File.Exists(model))
        {
            stderr.WriteLine($"error: model file '{model}' does not exist.");
            return ToolExitCodes.BadInput;
        }
        else
        {
            bytes = File.ReadAllBytes(model!);
        }

        RnnModel parsed;
        try
        {
            parsed = RnnModel.Load(bytes, sourceName: model ?? "builtin");
        }
        catch (ModelFormatException e)
        {
            stderr.WriteLine("error: " + e.Message);
            return ToolExitCodes.BadInput;
        }

        var rng = new Random(seed);
        var inputSets = new List<IReadOnlyDictionary<string, Tensor>>();
        var outputSets = new List<IReadOnlyDictionary<string, Tensor>>();
        for (int set = 0; set < sets; set++)
        {
            var feeds = new Dictionary<string, Tensor>(StringComparer.Ordinal);
            foreach (OnnxValueInfo info in parsed.Inputs)
            {
                int[] shape = [.. (info.Shape ?? []).Select(d => d.IsKnown ? (int)d.Value : IsTimeAxis(d.Param) ? steps : 1)];
                int count = Tensor.ElementCount(shape);
                feeds[info.Name] = info.ElementType == TensorElementType.Float
                    ? Tensor.FromFloat([.. Enumerable.Range(0, count).Select(_ => (float)Gaussian(rng))], shape)
                    : Tensor.FromInt64(info.ElementType, new long[count], shape);
            }

            inputSets.Add(feeds);
            outputSets.Add(OrtReference.Run(bytes, feeds));
            stderr.WriteLine(string.Create(CultureInfo.InvariantCulture, $"data set {set}: expected outputs computed by ONNX Runtime"));
        }

        TestDataWriter.Write(output, bytes, inputSets, outputSets);
        stdout.WriteLine($"wrote {output}: {TestDataLayout.ModelFileName} and {sets} data set(s); check a device with: edgernn-device verify {output}");
        return ToolExitCodes.Success;
    }

    /// <summary>Symbolic dimensions named like a time axis (seq, sequence, time, steps, len) get --seq-len; others 1.</summary>
    private static bool IsTimeAxis(string? name) =>
        name is not null && (name.Contains("seq", StringComparison.OrdinalIgnoreCase) || name.Contains("time", StringComparison.OrdinalIgnoreCase)
            || name.Contains("step", StringComparison.OrdinalIgnoreCase) || name.Contains("len", StringComparison.OrdinalIgnoreCase));

    private static double Gaussian(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
}
