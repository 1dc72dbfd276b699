using System.Globalization;

namespace EdgeRnn.Train.Nab;

/// <summary>
/// One NAB data file (<c>timestamp,value</c>), with the timestamps as written (results files repeat them verbatim).
/// </summary>
internal sealed class NabDataFile
{
    /// <summary>The longest line accepted: NAB's lines are about 30 characters.</summary>
    public const int MaxLineLength = 4096;

    /// <summary>The largest file accepted (NAB's largest is about 700 KB).</summary>
    public const long MaxFileBytes = 256L << 20;

    private NabDataFile(string path, string key, string[] timestamps, string[] values, DateTime[] times)
    {
        Path = path;
        Key = key;
        Timestamps = timestamps;
        ValueTexts = values;
        Times = times;
    }

    /// <summary>The file's path.</summary>
    public string Path { get; }

    /// <summary>NAB's key for the file: <c>category/file.csv</c>.</summary>
    public string Key { get; }

    /// <summary>The timestamps as written.</summary>
    public IReadOnlyList<string> Timestamps { get; }

    /// <summary>The values as written.</summary>
    public IReadOnlyList<string> ValueTexts { get; }

    /// <summary>The parsed timestamps.</summary>
    public IReadOnlyList<DateTime> Times { get; }

    /// <summary>The number of rows.</summary>
    public int Rows => Timestamps.Count;

    /// <summary>Finds every <c>*.csv</c> under <paramref name="root"/> (one folder per category), sorted by key.</summary>
    public static IReadOnlyList<(string Path, string Key)> Find(string root)
    {
        if (!Directory.Exists(root))
        {
            throw new DirectoryNotFoundException($"NAB data folder '{root}' does not exist (give the folder that holds the category folders, e.g. NAB/data).");
        }

        var files = Directory.EnumerateFiles(root, "*.csv", SearchOption.AllDirectories)
            .Select(p => (Path: p, Key: System.IO.Path.GetRelativePath(root, p).Replace('\\', '/')))
            .OrderBy(f => f.Key, StringComparer.Ordinal)
            .ToList();
        return files.Count > 0 ? files : throw new FileNotFoundException($"NAB data folder '{root}' holds no .csv files.");
    }

    /// <summary>Reads a data file; a clear error with file and line for anything malformed.</summary>
    /// <exception cref="NabFormatException">The file is not a NAB data file.</exception>
    public static NabDataFile Read(string path, string key)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new FileNotFoundException($"NAB data file '{path}' does not exist.", path);
        }

        if (info.Length > MaxFileBytes)
        {
            throw new NabFormatException(path, $"{info.Length} bytes; a NAB data file is at most {MaxFileBytes} bytes here.");
        }

        var timestamps = new List<string>();
        var values = new List<string>();
        var times = new List<DateTime>();
        using var reader = new StreamReader(path);
        string? header = ReadLine(reader, path, 1);
        if (header is null || !header.Trim().Equals("timestamp,value", StringComparison.OrdinalIgnoreCase))
        {
            throw new NabFormatException(path, 1, $"expected the header 'timestamp,value', got '{Sanitize(header)}'.");
        }

        int line = 1;
        while (ReadLine(reader, path, ++line) is { } text)
        {
            if (text.Length == 0)
            {
                continue;
            }

            int comma = text.IndexOf(',', StringComparison.Ordinal);
            string ts = comma < 0 ? text : text[..comma];
            string value = comma < 0 ? "" : text[(comma + 1)..];
            if (!NabTimestamp.TryParse(ts, out DateTime time))
            {
                throw new NabFormatException(path, line, $"'{Sanitize(ts)}' is not a timestamp (YYYY-MM-DD HH:MM:SS).");
            }

            if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v))
            {
                throw new NabFormatException(path, line, $"'{Sanitize(value)}' is not a finite number.");
            }

            timestamps.Add(ts);
            values.Add(value.Trim());
            times.Add(time);
        }

        if (timestamps.Count < 2)
        {
            throw new NabFormatException(path, $"{timestamps.Count} data rows; a NAB file needs at least 2.");
        }

        return new NabDataFile(path, key, [.. timestamps], [.. values], [.. times]);
    }

    private static string? ReadLine(StreamReader reader, string path, int line)
    {
        var buffer = new System.Text.StringBuilder();
        while (true)
        {
            int c = reader.Read();
            if (c < 0)
            {
                return buffer.Length == 0 ? null : buffer.ToString();
            }

            if (c == '\n')
            {
                return buffer.ToString().TrimEnd('\r');
            }

            if (buffer.Length >= MaxLineLength)
            {
                throw new NabFormatException(path, line, $"the line is longer than {MaxLineLength} characters.");
            }

            buffer.Append((char)c);
        }
    }

    private static string Sanitize(string? text) =>
        text is null ? "" : new string([.. text.Take(80).Select(ch => char.IsControl(ch) ? '?' : ch)]);
}
