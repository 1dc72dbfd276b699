using System.Globalization;
using System.Text.Json;
using EdgeRnn.Deployment.Cli;
using EdgeRnn.Deployment.Verification;
using EdgeRnn.Runtime;

namespace EdgeRnn.DeviceHost.Commands;

/// <summary>The <c>info</c> command: loads a model and describes it.</summary>
internal static class InfoWorker
{
    private static readonly string[] s_header = ["", "name", "type", "shape"];

    public static int Run(string modelPath, bool json, TextWriter stdout, TextWriter stderr)
    {
        string path = Directory.Exists(modelPath) ? Path.Combine(modelPath, TestDataLayout.ModelFileName) : modelPath;
        RnnModel model;
        try
        {
            model = RnnModel.Load(path);
        }
        catch (Exception e) when (e is ModelFormatException or IOException or UnauthorizedAccessException or NotSupportedException)
        {
            stderr.WriteLine(e.Message.Contains(path, StringComparison.Ordinal) ? "error: " + e.Message : $"error: {path}: {e.Message}");
            return ToolExitCodes.BadInput;
        }

        ModelInfo info = Describe(path, model);
        if (json)
        {
            stdout.WriteLine(JsonSerializer.Serialize(info, DeviceJsonContext.Default.ModelInfo));
        }
        else
        {
            WriteText(stdout, info);
        }

        return ToolExitCodes.Success;
    }

    internal static ModelInfo Describe(string path, RnnModel model)
    {
        bool canStream = model.CanStream;
        return new ModelInfo(
            Path: path,
            Sha256: model.HashHex,
            Opset: model.Opset,
            Inputs: [.. model.Inputs.Select(ToValueInfo)],
            Outputs: [.. model.Outputs.Select(ToValueInfo)],
            Operators: CountOperators(model.OperatorSummary),
            CanStream: canStream,
            StreamingError: model.StreamingError,
            StatePairs: canStream ? [.. model.StatePairs.Select(p => new StatePair(p.Input, p.Output))] : [],
            StepInputs: canStream ? [.. model.StepInputs.Select(v => StepValue(model.Inputs, v))] : [],
            StepOutputs: canStream ? [.. model.StepOutputs.Select(v => StepValue(model.Outputs, v))] : [],
            Metadata: model.Metadata);
    }

    private static void WriteText(TextWriter w, ModelInfo info)
    {
        w.WriteLine($"model    {info.Path}");
        w.WriteLine($"sha256   {info.Sha256}");
        w.WriteLine(string.Create(CultureInfo.InvariantCulture, $"opset    ai.onnx {info.Opset}"));
        w.WriteLine("operators " + string.Join(", ", info.Operators.Select(kv => string.Create(CultureInfo.InvariantCulture, $"{kv.Key} x{kv.Value}"))));
        w.WriteLine();
        var rows = new List<string[]> { (string[])s_header.Clone() };
        rows.AddRange(info.Inputs.Select(v => new[] { "input", v.Name, v.Type, FormatShape(v.Shape) }));
        rows.AddRange(info.Outputs.Select(v => new[] { "output", v.Name, v.Type, FormatShape(v.Shape) }));
        VerifyReport.WriteAligned(w, rows);
        w.WriteLine();
        if (info.CanStream)
        {
            w.WriteLine("streaming yes: the model can run one time step at a time");
            w.WriteLine("  step inputs:  " + string.Join(", ", info.StepInputs.Select(v => $"{v.Name} {FormatShape(v.Shape)}")));
            w.WriteLine("  step outputs: " + string.Join(", ", info.StepOutputs.Select(v => $"{v.Name} {FormatShape(v.Shape)}")));
            w.WriteLine("  state carried between steps: "
                + (info.StatePairs.Count == 0 ? "inside the recurrent layers only" : string.Join(", ", info.StatePairs.Select(p => $"{p.Output} -> {p.Input}"))));
        }
        else
        {
            w.WriteLine("streaming no: " + info.StreamingError);
        }

        w.WriteLine();
        if (info.Metadata.Count == 0)
        {
            w.WriteLine("metadata (none)");
        }
        else
        {
            w.WriteLine("metadata");
            foreach ((string key, string value) in info.Metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                w.WriteLine($"  {key} = {(value.Length > 200 ? value[..200] + "..." : value)}");
            }
        }
    }

    private static ValueInfo ToValueInfo(OnnxValueInfo v)
    {
        string type = v.FormatType();
        int bracket = type.IndexOf('[', StringComparison.Ordinal);
        return new ValueInfo(v.Name, bracket < 0 ? type : type[..bracket], v.Shape?.Select(d => d.ToString()).ToArray());
    }

    private static ValueInfo StepValue(IReadOnlyList<OnnxValueInfo> declared, (string Name, int Length) step)
    {
        OnnxValueInfo? v = declared.FirstOrDefault(d => d.Name == step.Name);
        string type = v is null ? "float" : ToValueInfo(v).Type;
        return new ValueInfo(step.Name, type, [step.Length.ToString(CultureInfo.InvariantCulture)]);
    }

    private static string FormatShape(IReadOnlyList<string>? shape) => shape is null ? "[?]" : "[" + string.Join(", ", shape) + "]";

    private static Dictionary<string, int> CountOperators(string summary)
    {
        // OperatorSummary is "LSTM×2, MatMul×1".
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (string part in summary.Split(", ", StringSplitOptions.RemoveEmptyEntries))
        {
            int x = part.LastIndexOf('×');
            counts[part[..x]] = int.Parse(part[(x + 1)..], CultureInfo.InvariantCulture);
        }

        return counts;
    }
}
