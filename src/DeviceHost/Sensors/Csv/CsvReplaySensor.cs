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
        string header = reader.ReadLine() ?? throw new IOException($"{path}: the replay file is empty (it needs a header row).");
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
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (line.Length == 0)
            {
                continue;
            }

            string[] cells = line.Split(',');
            timestamps.Add(timeColumn < cells.Length && TimeFeatures.TryParseTimestamp(cells[timeColumn], out double t) ? t : double.NaN);
            string? problem = cells.Length < columns.Length
                ? string.Create(CultureInfo.InvariantCulture, $"{cells.Length} cell(s), the header has {columns.Length}")
                : null;
            for (int i = 0; i < index.Length; i++)
            {
                int c = index[i];
                float v = float.NaN;
                if (c < cells.Length && !float.TryParse(cells[c], NumberStyles.Float, CultureInfo.InvariantCulture, out v))
                {
                    v = float.NaN;
                    if (cells[c].Trim().Length > 0)
                    {
                        problem ??= $"'{ErrorText.Sanitize(cells[c], 24)}' in column {ErrorText.Sanitize(readings[i].Reading, 64)} is not a number";
                    }
                }

                values.Add(v);
            }

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
