using System.Globalization;
using EdgeRnn.Deployment.Metadata;

namespace EdgeRnn.Train.Data;

/// <summary>Which columns <see cref="CsvRecordingReader"/> reads and how it treats missing values.</summary>
public sealed record CsvReadOptions
{
    /// <summary>The timestamp column; null: a column named timestamp/time/date/datetime, else the first column.</summary>
    public string? TimestampColumn { get; init; }

    /// <summary>The feature columns in model order; null or empty: every column but the timestamp and the label.</summary>
    public IReadOnlyList<string>? Features { get; init; }

    /// <summary>An integer label column (classes; 0/1 anomaly labels), or null.</summary>
    public string? LabelColumn { get; init; }

    /// <summary>What to do with an empty or NaN feature value.</summary>
    public MissingValuePolicy Missing { get; init; } = MissingValuePolicy.Error;

    /// <summary>
    /// True: rows are taken in file order and timestamps may repeat or step back (NAB's machine-temperature file repeats
    /// an hour at line 10151). False (the default): timestamps must strictly increase.
    /// </summary>
    public bool KeepFileOrder { get; init; }
}

/// <summary>
/// Reads a sensor recording from CSV, one line at a time (the file is never held as one string). The header names the
/// columns. Timestamps: ISO 8601 (<c>2024-01-02T03:04:05Z</c>, offsets allowed; no offset means UTC),
/// <c>YYYY-MM-DD HH:MM:SS</c>, or Unix epoch seconds (fractions allowed). They must strictly increase. Values use the
/// invariant culture (<c>.</c> as decimal point). Every problem is a <see cref="CsvFormatException"/> with file, line and column.
/// </summary>
public static class CsvRecordingReader
{
    private static readonly string[] s_timestampNames = ["timestamp", "time", "date", "datetime"];

    /// <summary>Reads <paramref name="path"/>.</summary>
    /// <exception cref="CsvFormatException">The file is malformed; the message says where and why.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static SensorRecording Read(string path, CsvReadOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var reader = new StreamReader(path, System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true, new FileStreamOptions { BufferSize = 1 << 16 });
        return Read(reader, path, options);
    }

    /// <summary>Reads CSV text from <paramref name="reader"/>; <paramref name="fileName"/> names it in errors.</summary>
    /// <exception cref="CsvFormatException">The text is malformed; the message says where and why.</exception>
    public static SensorRecording Read(TextReader reader, string fileName, CsvReadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(reader);
        options ??= new CsvReadOptions();
        string? header = reader.ReadLine();
        if (header is null)
        {
            throw new CsvFormatException(fileName, 1, 0, "the file is empty; expected a header line such as 'timestamp,value'.");
        }

        string[] names = SplitHeader(header);
        int columnCount = names.Length;
        int tsIndex = FindTimestampColumn(names, options.TimestampColumn, fileName);
        int labelIndex = options.LabelColumn is null ? -1 : IndexOf(names, options.LabelColumn, fileName, "label");
        int[] featureIndex;
        if (options.Features is { Count: > 0 } wanted)
        {
            featureIndex = [.. wanted.Select(f => IndexOf(names, f, fileName, "feature"))];
            if (featureIndex.Contains(tsIndex) || featureIndex.Contains(labelIndex))
            {
                throw new CsvFormatException(fileName, 1, 0, "a feature column cannot also be the timestamp or the label column.");
            }
        }
        else
        {
            featureIndex = [.. Enumerable.Range(0, columnCount).Where(i => i != tsIndex && i != labelIndex
                && !(labelIndex < 0 && (names[i].Equals("label", StringComparison.OrdinalIgnoreCase) || names[i].Equals("anomaly", StringComparison.OrdinalIgnoreCase))))];
        }

        if (featureIndex.Length == 0)
        {
            throw new CsvFormatException(fileName, 1, 0, "no feature columns: the header has only a timestamp" + (labelIndex >= 0 ? " and a label." : "."));
        }

        int features = featureIndex.Length;
        var featureSlot = new int[columnCount];
        Array.Fill(featureSlot, -1);
        for (int f = 0; f < features; f++)
        {
            featureSlot[featureIndex[f]] = f;
        }

        var timestamps = new List<double>(1024);
        var values = new List<float>(1024 * features);
        var labels = labelIndex >= 0 ? new List<int>(1024) : null;
        var fieldStarts = new int[columnCount + 1];
        var rowValues = new float[features];
        long lineNumber = 1;
        bool anyMissing = false;
        double previous = double.NegativeInfinity;
        long previousLine = 0;
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNumber++;
            ReadOnlySpan<char> text = line.AsSpan().TrimEnd('\r');
            if (text.IsWhiteSpace())
            {
                continue;
            }

            int count = Split(text, fieldStarts, columnCount);
            if (count != columnCount)
            {
                throw new CsvFormatException(fileName, lineNumber, count > columnCount ? fieldStarts[columnCount] + 1 : text.Length + 1,
                    $"expected {columnCount} fields as in the header, found {(count > columnCount ? "more" : count.ToString(CultureInfo.InvariantCulture))}.");
            }

            ReadOnlySpan<char> tsField = Field(text, fieldStarts, tsIndex);
            if (!TryParseTimestamp(tsField, out double ts))
            {
                throw new CsvFormatException(fileName, lineNumber, fieldStarts[tsIndex] + 1,
                    $"'{tsField.ToString()}' in column '{names[tsIndex]}' is not a timestamp (ISO 8601, 'YYYY-MM-DD HH:MM:SS' or epoch seconds).");
            }

            if (ts == previous && !options.KeepFileOrder)
            {
                throw new CsvFormatException(fileName, lineNumber, fieldStarts[tsIndex] + 1,
                    $"duplicate timestamp '{tsField.ToString()}' (also on line {previousLine}).");
            }

            if (ts < previous && !options.KeepFileOrder)
            {
                throw new CsvFormatException(fileName, lineNumber, fieldStarts[tsIndex] + 1,
                    $"timestamp '{tsField.ToString()}' is earlier than line {previousLine}'s: rows must be sorted by time.");
            }

            bool drop = false;
            for (int f = 0; f < features; f++)
            {
                int c = featureIndex[f];
                ReadOnlySpan<char> field = Field(text, fieldStarts, c);
                if (IsMissing(field))
                {
                    switch (options.Missing)
                    {
                        case MissingValuePolicy.Error:
                            throw new CsvFormatException(fileName, lineNumber, fieldStarts[c] + 1,
                                $"missing value in column '{names[c]}' (choose --missing interpolate or drop to accept gaps).");
                        case MissingValuePolicy.Drop:
                            drop = true;
                            break;
                        default:
                            anyMissing = true;
                            rowValues[f] = float.NaN;
                            break;
                    }

                    continue;
                }

                if (!float.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out float v) || !float.IsFinite(v))
                {
                    throw new CsvFormatException(fileName, lineNumber, fieldStarts[c] + 1,
                        $"'{field.ToString()}' in column '{names[c]}' is not a finite number.");
                }

                rowValues[f] = v;
            }

            int label = 0;
            if (labelIndex >= 0)
            {
                ReadOnlySpan<char> field = Field(text, fieldStarts, labelIndex);
                if (!int.TryParse(field, NumberStyles.Integer, CultureInfo.InvariantCulture, out label) || label < 0)
                {
                    throw new CsvFormatException(fileName, lineNumber, fieldStarts[labelIndex] + 1,
                        $"'{field.ToString()}' in label column '{names[labelIndex]}' is not a class number (0, 1, 2, ...).");
                }
            }

            previous = ts;
            previousLine = lineNumber;
            if (drop)
            {
                continue;
            }

            timestamps.Add(ts);
            values.AddRange(rowValues);
            labels?.Add(label);
        }

        if (timestamps.Count == 0)
        {
            throw new CsvFormatException(fileName, lineNumber, 0, "no data rows after the header.");
        }

        float[] data = [.. values];
        double[] times = [.. timestamps];
        if (anyMissing)
        {
            for (int f = 0; f < features; f++)
            {
                if (!Interpolate(data, times, f, features))
                {
                    throw new CsvFormatException(fileName, lineNumber, 0, $"column '{names[featureIndex[f]]}' has no values at all.");
                }
            }
        }

        return new SensorRecording([.. featureIndex.Select(i => names[i])], times, data, labels?.ToArray(), labelIndex >= 0 ? names[labelIndex] : null, fileName);
    }

    /// <summary>Parses one timestamp as seconds since 1970-01-01 UTC (<see cref="TimeFeatures.TryParseTimestamp"/>).</summary>
    public static bool TryParseTimestamp(ReadOnlySpan<char> text, out double seconds) => TimeFeatures.TryParseTimestamp(text, out seconds);

    private static bool Interpolate(float[] data, double[] times, int f, int features)
    {
        int rows = times.Length, last = -1;
        for (int r = 0; r < rows; r++)
        {
            if (float.IsNaN(data[(r * features) + f]))
            {
                continue;
            }

            if (last < 0)
            {
                for (int k = 0; k < r; k++)
                {
                    data[(k * features) + f] = data[(r * features) + f];
                }
            }
            else if (r - last > 1)
            {
                float a = data[(last * features) + f], b = data[(r * features) + f];
                for (int k = last + 1; k < r; k++)
                {
                    double t = (times[k] - times[last]) / (times[r] - times[last]);
                    data[(k * features) + f] = (float)(a + ((b - a) * t));
                }
            }

            last = r;
        }

        if (last < 0)
        {
            return false;
        }

        for (int k = last + 1; k < rows; k++)
        {
            data[(k * features) + f] = data[(last * features) + f];
        }

        return true;
    }

    private static bool IsMissing(ReadOnlySpan<char> field)
    {
        field = field.Trim();
        return field.IsEmpty || field.Equals("nan", StringComparison.OrdinalIgnoreCase) || field.Equals("na", StringComparison.OrdinalIgnoreCase)
            || field.Equals("null", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Records where each field starts (fieldStarts[i]) and returns the field count (capped at columns + 1).</summary>
    private static int Split(ReadOnlySpan<char> line, int[] fieldStarts, int columns)
    {
        int count = 0, start = 0;
        while (count <= columns)
        {
            fieldStarts[count++] = start;
            int comma = line[start..].IndexOf(',');
            if (comma < 0)
            {
                return count;
            }

            start += comma + 1;
        }

        return count;
    }

    private static ReadOnlySpan<char> Field(ReadOnlySpan<char> line, int[] fieldStarts, int i)
    {
        int start = fieldStarts[i];
        int end = line[start..].IndexOf(',');
        return line.Slice(start, end < 0 ? line.Length - start : end).Trim().Trim('"');
    }

    private static string[] SplitHeader(string header) =>
        [.. header.TrimStart('\uFEFF').Split(',').Select(n => n.Trim().Trim('"'))];

    private static int FindTimestampColumn(string[] names, string? wanted, string fileName)
    {
        if (wanted is not null)
        {
            return IndexOf(names, wanted, fileName, "timestamp");
        }

        int i = Array.FindIndex(names, n => s_timestampNames.Contains(n, StringComparer.OrdinalIgnoreCase));
        return i >= 0 ? i : 0;
    }

    private static int IndexOf(string[] names, string name, string fileName, string role)
    {
        int i = Array.FindIndex(names, n => string.Equals(n, name, StringComparison.Ordinal));
        if (i < 0)
        {
            i = Array.FindIndex(names, n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase));
        }

        return i >= 0 ? i : throw new CsvFormatException(fileName, 1, 0, $"no {role} column '{name}'; the header has: {string.Join(", ", names)}.");
    }
}
