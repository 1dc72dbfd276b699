using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using EdgeRnn.DeviceHost.IO;

namespace EdgeRnn.DeviceHost.Profiles;

/// <summary>
/// Says in words what is wrong with profile JSON that failed to deserialize. The device binary's framework messages
/// are resource keys (<c>JsonRequiredPropertiesMissing, ...ReadingProfile, 'unit'</c>), so the error is found again by
/// walking the document against the profile's source-generated contract (<see cref="JsonTypeInfo.Properties"/>: AOT
/// safe): the first unknown field (with a "did you mean"), missing required field, null or value of the wrong type,
/// named by its JSON path.
/// </summary>
internal static class ProfileJsonErrors
{
    private const int MaxDepth = 32;

    /// <summary>A sentence naming the JSON path at fault; <paramref name="e"/> is the deserializer's exception.</summary>
    public static string Describe(string json, JsonException e, JsonTypeInfo root)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = false, MaxDepth = MaxDepth });
        }
        catch (JsonException syntax)
        {
            return string.Create(CultureInfo.InvariantCulture,
                $"line {syntax.LineNumber + 1}, byte {syntax.BytePositionInLine + 1}: not valid JSON (a missing comma, quote or bracket, a trailing comma, or text that is not a value)");
        }

        using (document)
        {
            if (Walk(document.RootElement, root, "$", 0) is { } found)
            {
                return found;
            }
        }

        string path = e.Path is { Length: > 0 } p ? p : "$";
        return ErrorText.LooksLikeResourceKey(e.Message) ? $"{path}: the value is not valid here" : $"{path}: {FirstSentence(e.Message)}";
    }

    private static string FirstSentence(string message)
    {
        int pathAt = message.IndexOf(" Path:", StringComparison.Ordinal);
        return ErrorText.Sanitize(pathAt > 0 ? message[..pathAt] : message);
    }

    private static string? Walk(JsonElement element, JsonTypeInfo info, string path, int depth)
    {
        if (depth > MaxDepth)
        {
            return null;
        }

        switch (info.Kind)
        {
            case JsonTypeInfoKind.Object:
                return element.ValueKind == JsonValueKind.Object ? WalkObject(element, info, path, depth) : $"{path}: must be an object {{ ... }}, not {Kind(element)}";
            case JsonTypeInfoKind.Enumerable when info.ElementType is { } elementType:
                if (element.ValueKind != JsonValueKind.Array)
                {
                    return $"{path}: must be an array [ ... ], not {Kind(element)}";
                }

                JsonTypeInfo itemInfo = info.Options.GetTypeInfo(elementType);
                int i = 0;
                foreach (JsonElement item in element.EnumerateArray())
                {
                    string at = string.Create(CultureInfo.InvariantCulture, $"{path}[{i++}]");
                    if (item.ValueKind == JsonValueKind.Null)
                    {
                        return $"{at}: must not be null";
                    }

                    if (Walk(item, itemInfo, at, depth + 1) is { } found)
                    {
                        return found;
                    }
                }

                return null;
            default:
                return CheckValue(element, info.Type, path);
        }
    }

    private static string? WalkObject(JsonElement element, JsonTypeInfo info, string path, int depth)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (JsonProperty property in element.EnumerateObject())
        {
            JsonPropertyInfo? known = info.Properties.FirstOrDefault(p => p.Name == property.Name);
            string at = $"{path}.{ErrorText.Sanitize(property.Name, 64)}";
            if (known is null)
            {
                string? near = EditDistance.Nearest(property.Name, info.Properties.Select(p => p.Name));
                return $"{at}: unknown field '{ErrorText.Sanitize(property.Name, 64)}'"
                    + (near is null ? $" (the fields here are {string.Join(", ", info.Properties.Select(p => p.Name))})" : $"; did you mean '{near}'?");
            }

            if (!seen.Add(property.Name))
            {
                return $"{at}: the field is given twice";
            }

            if (property.Value.ValueKind == JsonValueKind.Null)
            {
                if (!known.IsSetNullable)
                {
                    return $"{at}: must not be null";
                }

                continue;
            }

            if (Walk(property.Value, info.Options.GetTypeInfo(known.PropertyType), at, depth + 1) is { } found)
            {
                return found;
            }
        }

        foreach (JsonPropertyInfo p in info.Properties)
        {
            if (p.IsRequired && !seen.Contains(p.Name))
            {
                return $"{path}: the field '{p.Name}' is required";
            }
        }

        return null;
    }

    private static string? CheckValue(JsonElement element, Type declared, string path)
    {
        Type type = Nullable.GetUnderlyingType(declared) ?? declared;
        if (type == typeof(string))
        {
            return element.ValueKind == JsonValueKind.String ? null : $"{path}: must be a string in quotes, not {Kind(element)}";
        }

        if (type == typeof(bool))
        {
            return element.ValueKind is JsonValueKind.True or JsonValueKind.False ? null : $"{path}: must be true or false, not {Kind(element)}";
        }

        if (element.ValueKind != JsonValueKind.Number)
        {
            return type == typeof(int) || type == typeof(long) || type == typeof(double) ? $"{path}: must be a number, not {Kind(element)}" : null;
        }

        if (type == typeof(int) && !element.TryGetInt32(out _))
        {
            return $"{path}: must be a whole number from {int.MinValue} to {int.MaxValue} (got {ErrorText.Sanitize(element.GetRawText(), 32)})";
        }

        if (type == typeof(long) && !element.TryGetInt64(out _))
        {
            return $"{path}: must be a whole number (got {ErrorText.Sanitize(element.GetRawText(), 32)})";
        }

        if (type == typeof(double) && (!element.TryGetDouble(out double d) || !double.IsFinite(d)))
        {
            return $"{path}: the number is out of range (got {ErrorText.Sanitize(element.GetRawText(), 32)})";
        }

        return null;
    }

    private static string Kind(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "true/false",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };
}
