using System.Globalization;
using EdgeRnn.Deployment.Metadata;
using EdgeRnn.DeviceHost.IO;
using EdgeRnn.DeviceHost.Profiles;

namespace EdgeRnn.DeviceHost.Sensors.Csv;

/// <summary>
/// Replays columns of a CSV file (a header row, then one row per sample; e.g. NAB's <c>timestamp,value</c>). The file
/// is parsed once at open, so a step costs no I/O or allocation. Empty or unparsable cells read as NaN (a fault the
/// resilient layer counts); a row with fewer cells than the header or a value that is not a number is also counted
/// as malformed (<see cref="MalformedRows"/>), and the command warns about them. Timing (real or accelerated time) is
/// the sampler's job. Every read consumes a row, so a failed row is never retried (<see cref="CanReread"/>).
/// </summary>
internal sealed class CsvReplaySensor : ISensor, ITimestampedSensor
{
    private const long MaxBytes = 256L << 20;
    private const int MaxListed = 3;

    /// <summary>
    /// The longest line read (characters); a longer data row is a malformed row, a longer header an error. A line is
    /// never held whole nor split into a string per cell, so a file of one huge line costs this much memory, not its size.
    /// </summary>
    internal const int MaxLineChars = 64 * 1024;
    private readonly float[] _values;
    private readonly double[] _timestamps;
    private readonly int _count;
    private readonly bool _loop;
    private int _row;

    public CsvReplaySensor(string path, ReadingProfile[] readings, bool loop)
    {
        _count = readings.Length;
        _loop = loop;
        Path = path;
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new FileNotFoundException(Directory.Exists(path) ? $"{path} is a folder, not a replay file." : $"{path}: the replay file does not exist.", path);
        }

        if (info.Length > MaxBytes)
        {
            throw new IOException($"{path}: the replay file is larger than {MaxBytes >> 20} MB.");
        }

        using var reader = new StreamReader(path);
        var buffer = new char[MaxLineChars];
        int headerLength = ReadLine(reader, buffer);
        if (headerLength < 0)
        {
            throw new IOException(headerLength == EndOfFile
                ? $"{path}: the replay file is empty (it needs a header row)."
                : $"{path}: the header row is longer than {MaxLineChars} characters.");
        }

        string header = new(buffer, 0, headerLength);
        string[] columns = [.. header.Split(',').Select(c => c.Trim())];
        int[] index = new int[readings.Length];
        for (int i = 0; i < readings.Length; i++)
        {
            index[i] = Array.IndexOf(columns, readings[i].Reading);
            if (index[i] < 0)
            {
                // The header is file content: say what it holds, escaped and short, never echo the line.
                string? near = columns.FirstOrDefault(c => c.Equals(readings[i].Reading, StringComparison.OrdinalIgnoreCase))
                    ?? columns.FirstOrDefault(c => EditDistance.Within(c, readings[i].Reading, 2));
                throw new IOException($"{path}: no column '{ErrorText.Sanitize(readings[i].Reading, 64)}' in its header row ({columns.Length} column(s)"
                    + (near is null ? $": {ErrorText.Sanitize(string.Join(", ", columns.Take(8)), 120)}{(columns.Length > 8 ? ", ..." : "")})." : $"; did you mean '{ErrorText.Sanitize(near, 64)}'?)."));
            }
        }

        // The timestamp column (a model's clock features are computed from it): "timestamp", else the first column.
        int timeColumn = Math.Max(0, Array.FindIndex(columns, c => c.Equals("timestamp", StringComparison.OrdinalIgnoreCase)));
        var values = new List<float>();
        var timestamps = new List<double>();
        var malformed = new List<string>();
        int lineNumber = 1;
        var cellStart = new int[index.Length];
        var cellLength = new int[index.Length];
        int length;
        while ((length = ReadLine(reader, buffer)) != EndOfFile)
        {
            lineNumber++;
            if (length == 0)
            {
                continue;
            }

            string? problem = null;
            double t = double.NaN;
            if (length == TooLong)
            {
                problem = $"longer than {MaxLineChars} characters";
                for (int i = 0; i < index.Length; i++)
                {
                    values.Add(float.NaN);
                }
            }
            else
            {
                // Find the cells the model reads without splitting the line into a string per cell.
                ReadOnlySpan<char> line = buffer.AsSpan(0, length);
                cellStart.AsSpan().Fill(-1);
                int cells = 0, timeStart = -1, timeLength = 0;
                for (int start = 0, pos = 0; ; pos++)
                {
                    if (pos < line.Length && line[pos] != ',')
                    {
                        continue;
                    }

                    if (cells == timeColumn)
                    {
                        (timeStart, timeLength) = (start, pos - start);
                    }

                    for (int i = 0; i < index.Length; i++)
                    {
                        if (index[i] == cells)
                        {
                            (cellStart[i], cellLength[i]) = (start, pos - start);
                        }
                    }

                    cells++;
                    start = pos + 1;
                    if (pos >= line.Length)
                    {
                        break;
                    }
                }

                if (timeStart >= 0 && TimeFeatures.TryParseTimestamp(line.Slice(timeStart, timeLength), out double parsed))
                {
                    t = parsed;
                }

                problem = cells < columns.Length
                    ? string.Create(CultureInfo.InvariantCulture, $"{cells} cell(s), the header has {columns.Length}")
                    : null;
                for (int i = 0; i < index.Length; i++)
                {
                    float v = float.NaN;
                    if (cellStart[i] >= 0)
                    {
                        ReadOnlySpan<char> cell = line.Slice(cellStart[i], cellLength[i]);
                        if (!float.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out v))
                        {
                            v = float.NaN;
                            if (cell.Trim().Length > 0)
                            {
                                problem ??= $"'{ErrorText.Sanitize(cell.ToString(), 24)}' in column {ErrorText.Sanitize(readings[i].Reading, 64)} is not a number";
                            }
                        }
                    }

                    values.Add(v);
                }
            }

            timestamps.Add(t);
            if (problem is not null)
            {
                MalformedRows++;
                if (malformed.Count < MaxListed)
                {
                    malformed.Add(string.Create(CultureInfo.InvariantCulture, $"line {lineNumber}: {problem}"));
                }
            }
        }

        MalformedSummary = string.Join("; ", malformed) + (MalformedRows > MaxListed ? "; ..." : "");

        _values = [.. values];
        _timestamps = [.. timestamps];
        Rows = _timestamps.Length;
    }

    private const int EndOfFile = -1;
    private const int TooLong = -2;

    /// <summary>
    /// Reads one line (without its \n or \r\n) into <paramref name="buffer"/>: its length, <see cref="EndOfFile"/>, or
    /// <see cref="TooLong"/> when it does not fit (the rest of that line is then skipped).
    /// </summary>
    private static int ReadLine(StreamReader reader, char[] buffer)
    {
        int n = 0;
        bool tooLong = false;
        int c;
        while ((c = reader.Read()) >= 0 && c != '\n')
        {
            if (n < buffer.Length)
            {
                buffer[n++] = (char)c;
            }
            else
            {
                tooLong = true;
            }
        }

        if (c < 0 && n == 0 && !tooLong)
        {
            return EndOfFile;
        }

        if (tooLong)
        {
            return TooLong;
        }

        return n > 0 && buffer[n - 1] == '\r' ? n - 1 : n;
    }

    /// <summary>Data rows in the file.</summary>
    public int Rows { get; }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>Rows with fewer cells than the header, or a value that is not a number (read as missing values).</summary>
    public int MalformedRows { get; }

    /// <summary>The first few malformed rows, "line 5: 'abc' in column value is not a number; ...".</summary>
    public string MalformedSummary { get; } = "";

    public int Count => _count;

    public bool CanReread => false;

    public string? OpenWarning => MalformedRows == 0 ? null
        : $"{Path}: {MalformedRows} malformed row(s) read as missing values (degraded steps): {MalformedSummary}";

    public bool Read(Span<float> values)
    {
        if (_row >= Rows)
        {
            if (!_loop || Rows == 0)
            {
                return false;
            }

            _row = 0;
        }

        _values.AsSpan(_row * _count, _count).CopyTo(values);
        LastTimestamp = _timestamps[_row];
        _row++;
        return true;
    }

    public double LastTimestamp { get; private set; } = double.NaN;

    public void Dispose()
    {
    }
}
