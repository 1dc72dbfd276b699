namespace EdgeRnn.Train.Data;

/// <summary>A recording that cannot be read: the message names the file, the 1-based line and column, and what is wrong.</summary>
public sealed class CsvFormatException : FormatException
{
    /// <summary>Creates the exception; <see cref="Exception.Message"/> is <c>file:line:column: reason</c>.</summary>
    public CsvFormatException(string file, long line, int column, string reason)
        : base($"{file}:{line}:{column}: {reason}")
    {
        File = file;
        Line = line;
        Column = column;
        Reason = reason;
    }

    /// <summary>The file.</summary>
    public string File { get; }

    /// <summary>The 1-based line.</summary>
    public long Line { get; }

    /// <summary>The 1-based character column where the offending field starts (0 when the whole line is at fault).</summary>
    public int Column { get; }

    /// <summary>What is wrong, without the location.</summary>
    public string Reason { get; }
}
