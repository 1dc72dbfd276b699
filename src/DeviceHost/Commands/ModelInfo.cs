using System.Text.Json.Serialization;
using EdgeRnn.Runtime;

namespace EdgeRnn.DeviceHost.Commands;

/// <summary>What <c>info</c> reports about a model; serialized as the <c>--json</c> output.</summary>
internal sealed record ModelInfo(
    string Path,
    string Sha256,
    int Opset,
    IReadOnlyList<ValueInfo> Inputs,
    IReadOnlyList<ValueInfo> Outputs,
    IReadOnlyDictionary<string, int> Operators,
    bool CanStream,
    string? StreamingError,
    IReadOnlyList<StatePair> StatePairs,
    IReadOnlyList<ValueInfo> StepInputs,
    IReadOnlyList<ValueInfo> StepOutputs,
    IReadOnlyDictionary<string, string> Metadata);

/// <summary>A graph value: name, element type and dimensions (numbers, symbolic names, or "?").</summary>
internal sealed record ValueInfo(string Name, string Type, IReadOnlyList<string>? Shape);

/// <summary>A state input and the output that feeds it on the next step.</summary>
internal sealed record StatePair(string Input, string Output);

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ModelInfo))]
internal sealed partial class DeviceJsonContext : JsonSerializerContext
{
}
