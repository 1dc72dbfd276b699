using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace EdgeRnn.Train.Nab;

/// <summary>
/// NAB's ground truth: <c>labels/combined_windows.json</c>, an object whose keys are data files
/// (<c>category/file.csv</c>) and whose values are lists of <c>[start, end]</c> timestamp strings
/// (<c>"2013-12-10 06:25:00.000000"</c>). Rows whose timestamp lies in a window, bounds included, have label 1.
/// </summary>
/// <remarks>
/// Checked on reading: every window has two timestamps, starts no later than it ends, and starts after the previous
/// window of the file ended (NAB's sweep walks the windows in order and cannot score overlapping ones). That each
/// bound is a timestamp of the file is checked when the windows meet the file's rows (<see cref="NabScoringFile"/>).
/// </remarks>
public sealed class NabWindows
{
    /// <summary>The largest windows file read (NAB's own is about 30 KB).</summary>
    public const long MaxFileBytes = 64L << 20;

    private readonly Dictionary<string, IReadOnlyList<NabWindow>> _windows;

    private NabWindows(string source, Dictionary<string, IReadOnlyList<NabWindow>> windows)
    {
        Source = source;
        _windows = windows;
        Files = [.. windows.Keys.Order(StringComparer.Ordinal)];
    }

    /// <summary>Where the windows came from (the path, or the name given to <see cref="Parse"/>).</summary>
    public string Source { get; }

    /// <summary>The data files with an entry (<c>category/file.csv</c>), in ordinal order; some may have no windows.</summary>
    public IReadOnlyList<string> Files { get; }

    /// <summary>The number of windows over all files.</summary>
    public int WindowCount => _windows.Values.Sum(w => w.Count);

    /// <summary>Reads a NAB windows file.</summary>
    /// <exception cref="NabFormatException">The file is not a NAB windows file; the message names the file and the key at fault.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static NabWindows Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new FileNotFoundException($"{path}: no such NAB windows file.", path);
        }

        if (info.Length > MaxFileBytes)
        {
            throw new NabFormatException(path, $"{info.Length} bytes is larger than a NAB windows file can be ({MaxFileBytes} bytes at most).");
        }

        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>Parses the JSON text of a NAB windows file; <paramref name="source"/> names it in errors.</summary>
    /// <exception cref="NabFormatException">The text is not a NAB windows file; the message names <paramref name="source"/> and the key at fault.</exception>
    public static NabWindows Parse(string json, string source)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentException.ThrowIfNullOrEmpty(source);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException e)
        {
            throw new NabFormatException(source, $"not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}): {e.Message}");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new NabFormatException(source, $"expected a JSON object of \"category/file.csv\": [[start, end], ...], found {Describe(document.RootElement.ValueKind)}.");
            }

            var windows = new Dictionary<string, IReadOnlyList<NabWindow>>(StringComparer.Ordinal);
            foreach (JsonProperty file in document.RootElement.EnumerateObject())
            {
                if (windows.ContainsKey(file.Name))
                {
                    throw new NabFormatException(source, $"key \"{file.Name}\" appears twice.");
                }

                windows.Add(file.Name, ReadFileWindows(source, file));
            }

            return new NabWindows(source, windows);
        }
    }

    /// <summary>The windows of a data file (<c>category/file.csv</c>), in time order, or false when the file has no entry.</summary>
    public bool TryGetWindows(string file, [NotNullWhen(true)] out IReadOnlyList<NabWindow>? windows)
    {
        ArgumentNullException.ThrowIfNull(file);
        return _windows.TryGetValue(file, out windows);
    }

    /// <summary>The windows of a data file (<c>category/file.csv</c>), in time order.</summary>
    /// <exception cref="NabFormatException">The windows file has no entry for <paramref name="file"/>.</exception>
    public IReadOnlyList<NabWindow> GetWindows(string file) =>
        TryGetWindows(file, out IReadOnlyList<NabWindow>? windows)
            ? windows
            : throw new NabFormatException(Source, $"no key \"{file}\" (keys are category/file.csv, as under NAB's data folder).");

    private static List<NabWindow> ReadFileWindows(string source, JsonProperty file)
    {
        if (file.Value.ValueKind != JsonValueKind.Array)
        {
            throw new NabFormatException(source, $"key \"{file.Name}\": expected a list of [start, end] windows, found {Describe(file.Value.ValueKind)}.");
        }

        var list = new List<NabWindow>();
        int index = 0;
        foreach (JsonElement window in file.Value.EnumerateArray())
        {
            index++;
            if (window.ValueKind != JsonValueKind.Array || window.GetArrayLength() != 2)
            {
                string found = window.ValueKind == JsonValueKind.Array ? $"a list of {window.GetArrayLength()}" : Describe(window.ValueKind);
                throw new NabFormatException(source, $"key \"{file.Name}\", window {index}: expected [start, end] (two timestamp strings), found {found}.");
            }

            DateTime start = ReadTime(source, file.Name, index, window[0], "start");
            DateTime end = ReadTime(source, file.Name, index, window[1], "end");
            if (end < start)
            {
                throw new NabFormatException(source, $"key \"{file.Name}\", window {index}: ends ({NabTimestamp.Format(end)}) before it starts ({NabTimestamp.Format(start)}).");
            }

            if (list.Count > 0 && start <= list[^1].End)
            {
                throw new NabFormatException(source,
                    $"key \"{file.Name}\", window {index}: starts at {NabTimestamp.Format(start)}, not after window {index - 1} ends ({NabTimestamp.Format(list[^1].End)}); windows must be in time order and must not overlap.");
            }

            list.Add(new NabWindow(start, end));
        }

        return list;
    }

    private static DateTime ReadTime(string source, string file, int index, JsonElement element, string which)
    {
        if (element.ValueKind == JsonValueKind.String && NabTimestamp.TryParse(element.GetString(), out DateTime time))
        {
            return time;
        }

        string found = element.ValueKind == JsonValueKind.String ? $"\"{element.GetString()}\"" : Describe(element.ValueKind);
        throw new NabFormatException(source, $"key \"{file}\", window {index}: the {which} {found} is not a timestamp (expected \"YYYY-MM-DD HH:MM:SS[.ffffff]\").");
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "a list",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };
}
