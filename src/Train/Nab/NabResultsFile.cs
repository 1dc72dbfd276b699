using System.Globalization;
using System.Text;

namespace EdgeRnn.Train.Nab;

/// <summary>
/// A NAB results file, <c>results/&lt;detector&gt;/&lt;category&gt;/&lt;detector&gt;_&lt;file&gt;.csv</c>: a header and one
/// row per data row, read by column name: <c>timestamp</c> and <c>anomaly_score</c> are required, <c>label</c> is
/// read when present, other columns (<c>value</c>, <c>raw_score</c>, NAB's <c>S(t)_&lt;profile&gt;</c>) are ignored.
/// Plain CSV: comma-separated, no commas inside fields (surrounding double quotes are removed).
/// </summary>
public sealed class NabResultsFile
{
    /// <summary>The longest line read, in characters; a longer one is an error, not a reason to buffer without bound.</summary>
    public const int MaxLineLength = 64 * 1024;

    private NabResultsFile(string source, DateTime[] timestamps, double[] scores, int[]? labels)
    {
        Source = source;
        Timestamps = timestamps;
        AnomalyScores = scores;
        Labels = labels;
    }

    /// <summary>Where the rows came from (the path, or the name given to <see cref="Read(TextReader, string)"/>).</summary>
    public string Source { get; }

    /// <summary>Each row's timestamp.</summary>
    public IReadOnlyList<DateTime> Timestamps { get; }

    /// <summary>Each row's <c>anomaly_score</c>.</summary>
    public IReadOnlyList<double> AnomalyScores { get; }

    /// <summary>Each row's <c>label</c> (1 inside a window), or null when the file has no label column. The scorer uses the windows, not these.</summary>
    public IReadOnlyList<int>? Labels { get; }

    /// <summary>The number of data rows.</summary>
    public int RowCount => Timestamps.Count;

    /// <summary>Reads a results file.</summary>
    /// <exception cref="NabFormatException">A bad header or row; the message is <c>file:line: reason</c>.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static NabResultsFile Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return Read(reader, path);
    }

    /// <summary>Reads results CSV text; <paramref name="source"/> names it in errors.</summary>
    /// <exception cref="NabFormatException">A bad header or row; the message is <c>source:line: reason</c>.</exception>
    public static NabResultsFile Read(TextReader reader, string source)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentException.ThrowIfNullOrEmpty(source);
        var lines = new BoundedLineReader(reader, source);
        string header = lines.Next() ?? throw new NabFormatException(source, 1, "empty file; expected a header with timestamp and anomaly_score columns.");
        string[] names = [.. header.Split(',').Select(Unquote)];
        int timestampColumn = ColumnOf(names, "timestamp", source, required: true);
        int scoreColumn = ColumnOf(names, "anomaly_score", source, required: true);
        int labelColumn = ColumnOf(names, "label", source, required: false);

        var timestamps = new List<DateTime>();
        var scores = new List<double>();
        List<int>? labels = labelColumn >= 0 ? [] : null;
        while (lines.Next() is { } line)
        {
            if (line.Length == 0)
            {
                continue;
            }

            string[] fields = line.Split(',');
            if (fields.Length != names.Length)
            {
                throw new NabFormatException(source, lines.LineNumber, $"{fields.Length} fields, but the header has {names.Length}.");
            }

            string time = Unquote(fields[timestampColumn]);
            if (!NabTimestamp.TryParse(time, out DateTime timestamp))
            {
                throw new NabFormatException(source, lines.LineNumber, $"timestamp '{time}' is not YYYY-MM-DD HH:MM:SS[.ffffff].");
            }

            string scoreText = Unquote(fields[scoreColumn]);
            if (!double.TryParse(scoreText, NumberStyles.Float, CultureInfo.InvariantCulture, out double score) || !double.IsFinite(score))
            {
                throw new NabFormatException(source, lines.LineNumber, $"anomaly_score '{scoreText}' is not a finite number.");
            }

            timestamps.Add(timestamp);
            scores.Add(score);
            if (labels is not null)
            {
                string labelText = Unquote(fields[labelColumn]);
                if (!TryParseLabel(labelText, out int label))
                {
                    throw new NabFormatException(source, lines.LineNumber, $"label '{labelText}' is not an integer.");
                }

                labels.Add(label);
            }
        }

        if (timestamps.Count == 0)
        {
            throw new NabFormatException(source, lines.LineNumber, "no data rows after the header.");
        }

        return new NabResultsFile(source, [.. timestamps], [.. scores], labels?.ToArray());
    }

    /// <summary>The rows as a file to score, named <paramref name="name"/> (<c>category/file.csv</c>), with its windows.</summary>
    /// <exception cref="NabFormatException">A window bound is not the timestamp of exactly one row; the message names this file.</exception>
    public NabScoringFile ToScoringFile(string name, IReadOnlyList<NabWindow> windows)
    {
        try
        {
            return new NabScoringFile(name, Timestamps, AnomalyScores, windows);
        }
        catch (NabFormatException e)
        {
            throw new NabFormatException(Source, $"windows of \"{name}\": {e.Reason}");
        }
    }

    private static int ColumnOf(string[] names, string name, string source, bool required)
    {
        int index = Array.IndexOf(names, name);
        if (index >= 0 && Array.IndexOf(names, name, index + 1) >= 0)
        {
            throw new NabFormatException(source, 1, $"the header has two '{name}' columns.");
        }

        if (index < 0 && required)
        {
            throw new NabFormatException(source, 1, $"no '{name}' column in the header ({string.Join(",", names)}); NAB results have timestamp,value,anomaly_score,label.");
        }

        return index;
    }

    /// <summary>An integer label, also written as a whole float (pandas writes 1.0 for an integer column that had a gap).</summary>
    private static bool TryParseLabel(string text, out int label)
    {
        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out label))
        {
            return true;
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double real) && real == Math.Floor(real) && Math.Abs(real) <= int.MaxValue)
        {
            label = (int)real;
            return true;
        }

        return false;
    }

    private static string Unquote(string field)
    {
        string trimmed = field.Trim();
        return trimmed.Length >= 2 && trimmed[0] == '"' && trimmed[^1] == '"' ? trimmed[1..^1] : trimmed;
    }

    /// <summary>Lines (\n, \r\n or \r) of at most <see cref="MaxLineLength"/> characters, counted from 1.</summary>
    private sealed class BoundedLineReader(TextReader reader, string source)
    {
        private readonly StringBuilder _line = new();

        public long LineNumber { get; private set; }

        public string? Next()
        {
            _line.Clear();
            int c = reader.Read();
            if (c < 0)
            {
                return null;
            }

            LineNumber++;
            while (c >= 0 && c != '\n' && c != '\r')
            {
                if (_line.Length == MaxLineLength)
                {
                    throw new NabFormatException(source, LineNumber, $"line longer than {MaxLineLength} characters.");
                }

                _line.Append((char)c);
                c = reader.Read();
            }

            if (c == '\r' && reader.Peek() == '\n')
            {
                reader.Read();
            }

            return _line.ToString();
        }
    }
}
