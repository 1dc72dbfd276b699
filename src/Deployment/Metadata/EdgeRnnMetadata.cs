using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using EdgeRnn.Runtime;

namespace EdgeRnn.Deployment.Metadata;

/// <summary>
/// Everything a device needs to use a model, carried in the ONNX file's <c>metadata_props</c> under the
/// <c>edgernn.</c> prefix (format 1): task, features with units and normalization, sample period, scorer settings,
/// golden vector, and provenance. Unknown keys are ignored; a present but malformed key is a
/// <see cref="ModelFormatException"/> naming it.
/// </summary>
/// <remarks>
/// Keys and values (all strings; structured values are JSON):
/// <list type="bullet">
/// <item><c>edgernn.format</c>: <c>1</c> (required for the rest to be read)</item>
/// <item><c>edgernn.task</c>: <c>forecast</c> | <c>autoencoder</c> | <c>classify</c> (required)</item>
/// <item><c>edgernn.features</c>: <c>[{"name":"temperature","unit":"degC","mean":21.5,"std":3.2}, ...]</c> in model input order (required)</item>
/// <item><c>edgernn.sample_period_s</c>: seconds between samples, e.g. <c>300</c></item>
/// <item><c>edgernn.window</c>: window length in steps (autoencoder, classify)</item>
/// <item><c>edgernn.classes</c>: <c>["idle","walk"]</c> (classify)</item>
/// <item><c>edgernn.scorer</c>: <c>{"longWindow":500,"shortWindow":10,"warmupSteps":100,"threshold":0.999,"exitThreshold":0.99,"minDuration":1}</c></item>
/// <item><c>edgernn.golden</c>: <c>{"inputs":[[...]],"outputs":[[...]],"tolerance":1e-4}</c></item>
/// <item><c>edgernn.state_pairs</c>: <c>h0:hn,c0:cn</c> (see <see cref="RnnModel.StatePairs"/>)</item>
/// <item><c>edgernn.provenance</c>: a JSON object (data hash, seed, epochs, metrics, quantization mode...), kept as text</item>
/// </list>
/// </remarks>
public sealed record EdgeRnnMetadata
{
    /// <summary>The format version this runtime reads and writes.</summary>
    public const int CurrentFormat = 1;

    /// <summary>Key of the format version.</summary>
    public const string FormatKey = "edgernn.format";

    /// <summary>Key of the task.</summary>
    public const string TaskKey = "edgernn.task";

    /// <summary>Key of the features.</summary>
    public const string FeaturesKey = "edgernn.features";

    /// <summary>Key of the sample period in seconds.</summary>
    public const string SamplePeriodKey = "edgernn.sample_period_s";

    /// <summary>Key of the window length.</summary>
    public const string WindowKey = "edgernn.window";

    /// <summary>Key of the class names.</summary>
    public const string ClassesKey = "edgernn.classes";

    /// <summary>Key of the scorer settings.</summary>
    public const string ScorerKey = "edgernn.scorer";

    /// <summary>Key of the golden vector.</summary>
    public const string GoldenKey = "edgernn.golden";

    /// <summary>Key of the provenance object.</summary>
    public const string ProvenanceKey = "edgernn.provenance";

    /// <summary>What the model does.</summary>
    public required ModelTask Task { get; init; }

    /// <summary>Input features in model input order.</summary>
    public required IReadOnlyList<FeatureInfo> Features { get; init; }

    /// <summary>Seconds between samples, when known.</summary>
    public double? SamplePeriodSeconds { get; init; }

    /// <summary>Window length in steps (autoencoder, classify).</summary>
    public int? WindowLength { get; init; }

    /// <summary>Class names (classify).</summary>
    public IReadOnlyList<string>? Classes { get; init; }

    /// <summary>Anomaly scorer settings (forecast, autoencoder).</summary>
    public ScorerSettings? Scorer { get; init; }

    /// <summary>Self-check data.</summary>
    public GoldenVector? Golden { get; init; }

    /// <summary>Provenance as a JSON object text.</summary>
    public string? ProvenanceJson { get; init; }

    /// <summary>
    /// Reads the <c>edgernn.</c> keys of a model's metadata. Returns null when the model carries no
    /// <c>edgernn.format</c> (a plain ONNX model).
    /// </summary>
    /// <exception cref="ModelFormatException">A key is present but malformed, or a required key is missing.</exception>
    public static EdgeRnnMetadata? Read(IReadOnlyDictionary<string, string> metadata, string sourceName = "model")
    {
        ArgumentNullException.ThrowIfNull(metadata);
        if (!metadata.TryGetValue(FormatKey, out string? formatText))
        {
            return null;
        }

        if (!int.TryParse(formatText, NumberStyles.None, CultureInfo.InvariantCulture, out int format) || format < 1)
        {
            throw Error(sourceName, FormatKey, $"'{Quote(formatText)}' is not a format version");
        }

        if (format > CurrentFormat)
        {
            throw Error(sourceName, FormatKey, $"version {format} was written by a newer EdgeRnn; this runtime reads version {CurrentFormat}");
        }

        string taskText = Required(metadata, TaskKey, sourceName);
        ModelTask task = taskText switch
        {
            "forecast" => ModelTask.Forecast,
            "autoencoder" => ModelTask.Autoencoder,
            "classify" => ModelTask.Classify,
            _ => throw Error(sourceName, TaskKey, $"'{Quote(taskText)}' is not one of forecast, autoencoder, classify"),
        };

        FeatureJson[] features = Json(metadata, FeaturesKey, sourceName, MetadataJsonContext.Default.FeatureJsonArray, required: true)!;
        if (features.Length == 0)
        {
            throw Error(sourceName, FeaturesKey, "lists no features");
        }

        var list = new List<FeatureInfo>(features.Length);
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < features.Length; i++)
        {
            // JSON null where an object, a string or an array belongs is an error naming the entry, never a null later.
            FeatureJson f = features[i] ?? throw Error(sourceName, FeaturesKey, $"entry {i} is null; each feature is an object with a name, a unit, a mean and a std");
            if (string.IsNullOrEmpty(f.Name) || !names.Add(f.Name))
            {
                throw Error(sourceName, FeaturesKey, $"feature names must be non-empty and distinct (entry {i}: '{Quote(f.Name)}')");
            }

            if (DisplayText.ContainsControlCharacters(f.Name) || (f.Unit is not null && DisplayText.ContainsControlCharacters(f.Unit)))
            {
                throw Error(sourceName, FeaturesKey, $"feature '{Quote(f.Name)}' (entry {i}) has control characters in its name or unit; they would be printed raw on the device's console and logs");
            }

            if (!float.IsFinite(f.Mean) || !(f.Std > 0) || !float.IsFinite(f.Std))
            {
                throw Error(sourceName, FeaturesKey, $"feature '{Quote(f.Name)}' needs a finite mean and a positive std (got {f.Mean}, {f.Std})");
            }

            list.Add(new FeatureInfo(f.Name, f.Unit ?? "", f.Mean, f.Std));
        }

        double? period = null;
        if (metadata.TryGetValue(SamplePeriodKey, out string? periodText))
        {
            period = double.TryParse(periodText, NumberStyles.Float, CultureInfo.InvariantCulture, out double p) && p > 0 && double.IsFinite(p)
                ? p
                : throw Error(sourceName, SamplePeriodKey, $"'{Quote(periodText)}' is not a positive number of seconds");
        }

        int? window = null;
        if (metadata.TryGetValue(WindowKey, out string? windowText))
        {
            window = int.TryParse(windowText, NumberStyles.None, CultureInfo.InvariantCulture, out int w) && w > 0
                ? w
                : throw Error(sourceName, WindowKey, $"'{Quote(windowText)}' is not a positive number of steps");
        }

        ScorerSettings? scorer = Json(metadata, ScorerKey, sourceName, MetadataJsonContext.Default.ScorerSettings, required: false);
        scorer?.Validate($"{sourceName}: metadata '{ScorerKey}'");
        GoldenVector? golden = Json(metadata, GoldenKey, sourceName, MetadataJsonContext.Default.GoldenVector, required: false);
        if (golden is not null)
        {
            CheckSteps(golden.Inputs, "inputs", sourceName);
            CheckSteps(golden.Outputs, "outputs", sourceName);
            if (golden.Inputs.Length != golden.Outputs.Length || golden.Inputs.Length == 0 || !(golden.Tolerance >= 0))
            {
                throw Error(sourceName, GoldenKey, "needs as many output steps as input steps (at least one) and a tolerance >= 0");
            }
        }

        string[]? classes = Json(metadata, ClassesKey, sourceName, MetadataJsonContext.Default.StringArray, required: false);
        for (int i = 0; classes is not null && i < classes.Length; i++)
        {
            if (classes[i] is null || DisplayText.ContainsControlCharacters(classes[i]))
            {
                throw Error(sourceName, ClassesKey, $"entry {i} is {(classes[i] is null ? "null" : $"'{Quote(classes[i])}', which holds control characters")}; class names are strings to print");
            }
        }
        if (metadata.TryGetValue(ProvenanceKey, out string? provenance))
        {
            try
            {
                using JsonDocument doc = JsonDocument.Parse(provenance);
            }
            catch (JsonException e)
            {
                throw Error(sourceName, ProvenanceKey, "is not valid JSON: " + e.Message);
            }
        }

        return new EdgeRnnMetadata
        {
            Task = task,
            Features = list,
            SamplePeriodSeconds = period,
            WindowLength = window,
            Classes = classes,
            Scorer = scorer,
            Golden = golden,
            ProvenanceJson = provenance,
        };
    }

    /// <summary>The metadata as <c>metadata_props</c> entries, ready for the desktop's <c>OnnxGraphBuilder.SetMetadata</c>.</summary>
    public IReadOnlyDictionary<string, string> ToProperties()
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [FormatKey] = CurrentFormat.ToString(CultureInfo.InvariantCulture),
            [TaskKey] = Task switch { ModelTask.Forecast => "forecast", ModelTask.Autoencoder => "autoencoder", _ => "classify" },
            [FeaturesKey] = JsonSerializer.Serialize([.. Features.Select(f => new FeatureJson { Name = f.Name, Unit = f.Unit, Mean = f.Mean, Std = f.Std })], MetadataJsonContext.Default.FeatureJsonArray),
        };
        if (SamplePeriodSeconds is { } p)
        {
            map[SamplePeriodKey] = p.ToString("R", CultureInfo.InvariantCulture);
        }

        if (WindowLength is { } w)
        {
            map[WindowKey] = w.ToString(CultureInfo.InvariantCulture);
        }

        if (Classes is not null)
        {
            map[ClassesKey] = JsonSerializer.Serialize([.. Classes], MetadataJsonContext.Default.StringArray);
        }

        if (Scorer is not null)
        {
            map[ScorerKey] = JsonSerializer.Serialize(Scorer, MetadataJsonContext.Default.ScorerSettings);
        }

        if (Golden is not null)
        {
            map[GoldenKey] = JsonSerializer.Serialize(Golden, MetadataJsonContext.Default.GoldenVector);
        }

        if (ProvenanceJson is not null)
        {
            map[ProvenanceKey] = ProvenanceJson;
        }

        return map;
    }

    /// <summary>normalized[i] = (raw[i] - mean[i]) / std[i] for each feature.</summary>
    public void Normalize(ReadOnlySpan<float> raw, Span<float> normalized)
    {
        if (raw.Length != Features.Count || normalized.Length < Features.Count)
        {
            throw new ArgumentException($"Expected {Features.Count} features, got {raw.Length}.", nameof(raw));
        }

        for (int i = 0; i < raw.Length; i++)
        {
            FeatureInfo f = Features[i];
            normalized[i] = (raw[i] - f.Mean) / f.Std;
        }
    }

    /// <summary>raw[i] = normalized[i] * std[i] + mean[i] for each feature.</summary>
    public void Denormalize(ReadOnlySpan<float> normalized, Span<float> raw)
    {
        if (normalized.Length != Features.Count || raw.Length < Features.Count)
        {
            throw new ArgumentException($"Expected {Features.Count} features, got {normalized.Length}.", nameof(normalized));
        }

        for (int i = 0; i < normalized.Length; i++)
        {
            FeatureInfo f = Features[i];
            raw[i] = (normalized[i] * f.Std) + f.Mean;
        }
    }

    /// <summary>Golden 'inputs' or 'outputs': present, and no step null (JSON null deserializes to a null array).</summary>
    private static void CheckSteps(float[][]? steps, string field, string sourceName)
    {
        if (steps is null)
        {
            throw Error(sourceName, GoldenKey, $"has no '{field}' (it is missing or null); it needs an array of steps, each an array of numbers");
        }

        for (int t = 0; t < steps.Length; t++)
        {
            if (steps[t] is null)
            {
                throw Error(sourceName, GoldenKey, $"'{field}' step {t} is null; each step is an array of numbers");
            }
        }
    }

    /// <summary>A value from the file, made safe to quote in a message.</summary>
    private static string Quote(string? value) => DisplayText.Sanitize(value, 64);

    private static string Required(IReadOnlyDictionary<string, string> metadata, string key, string sourceName) =>
        metadata.TryGetValue(key, out string? value) ? value : throw Error(sourceName, key, "is missing");

    private static T? Json<T>(IReadOnlyDictionary<string, string> metadata, string key, string sourceName, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, bool required)
        where T : class
    {
        if (!metadata.TryGetValue(key, out string? text))
        {
            return required ? throw Error(sourceName, key, "is missing") : null;
        }

        try
        {
            return JsonSerializer.Deserialize(text, type) ?? throw Error(sourceName, key, "is null");
        }
        catch (JsonException e)
        {
            throw Error(sourceName, key, $"is not valid: {e.Message}");
        }
    }

    private static ModelFormatException Error(string sourceName, string key, string what) =>
        new($"{sourceName}: metadata '{key}' {what}.");
}

/// <summary>The JSON form of a feature.</summary>
internal sealed class FeatureJson
{
    public string Name { get; set; } = "";

    public string? Unit { get; set; }

    public float Mean { get; set; }

    public float Std { get; set; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(FeatureJson[]))]
[JsonSerializable(typeof(ScorerSettings))]
[JsonSerializable(typeof(GoldenVector))]
[JsonSerializable(typeof(string[]))]
internal sealed partial class MetadataJsonContext : JsonSerializerContext;
