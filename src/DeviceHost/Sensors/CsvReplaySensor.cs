using System.Globalization;
using EdgeRnn.DeviceHost.Profiles;
using EdgeRnn.Runtime.Metadata;

namespace EdgeRnn.DeviceHost.Sensors;

/// <summary>
/// Replays columns of a CSV file (a header row, then one row per sample; e.g. NAB's <c>timestamp,value</c>). The file
/// is parsed once at open, so a step costs no I/O or allocation. Empty or unparsable cells read as NaN (a fault the
/// resilient layer counts). Timing (real or accelerated time) is the sampler's job.
/// </summary>
internal sealed class CsvReplaySensor : ISensor, ITimestampedSensor
{
    private const long MaxBytes = 256L << 20;
    private readonly float[] _values;
    private readonly double[] _timestamps;
    private readonly int _count;
    private readonly bool _loop;
    private int _row;

    public CsvReplaySensor(string path, ReadingProfile[] readings, bool loop)
    {
        _count = readings.Length;
        _loop = loop;
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new FileNotFoundException($"{path}: the replay file does not exist.", path);
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
                throw new IOException($"{path}: no column '{readings[i].Reading}' (columns: {header}).");
            }
        }

        // The timestamp column (a model's clock features are computed from it): "timestamp", else the first column.
        int timeColumn = Math.Max(0, Array.FindIndex(columns, c => c.Equals("timestamp", StringComparison.OrdinalIgnoreCase)));
        var values = new List<float>();
        var timestamps = new List<double>();
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0)
            {
                continue;
            }

            string[] cells = line.Split(',');
            timestamps.Add(timeColumn < cells.Length && TimeFeatures.TryParseTimestamp(cells[timeColumn], out double t) ? t : double.NaN);
            foreach (int c in index)
            {
                values.Add(c < cells.Length && float.TryParse(cells[c], NumberStyles.Float, CultureInfo.InvariantCulture, out float v) ? v : float.NaN);
            }
        }

        _values = [.. values];
        _timestamps = [.. timestamps];
        Rows = _timestamps.Length;
    }

    /// <summary>Data rows in the file.</summary>
    public int Rows { get; }

    public int Count => _count;

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
