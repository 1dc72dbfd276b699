namespace EdgeRnn.Train.Nab;

/// <summary>
/// A NAB input that cannot be used: a malformed <c>combined_windows.json</c>, a bad row of a results CSV, or a window
/// that does not match the timestamps of its file. The message names the file (and the 1-based line when one line
/// is at fault) and what is wrong.
/// </summary>
public sealed class NabFormatException : FormatException
{
    /// <summary>Creates the exception; <see cref="Exception.Message"/> is <c>file: reason</c>.</summary>
    public NabFormatException(string file, string reason)
        : base($"{file}: {reason}")
    {
        File = file;
        Reason = reason;
    }

    /// <summary>Creates the exception; <see cref="Exception.Message"/> is <c>file:line: reason</c>.</summary>
    public NabFormatException(string file, long line, string reason)
        : base($"{file}:{line}: {reason}")
    {
        File = file;
        Line = line;
        Reason = reason;
    }

    /// <summary>The file (or, for in-memory input, the data set's name).</summary>
    public string File { get; }

    /// <summary>The 1-based line at fault, or 0 when the problem is not one line.</summary>
    public long Line { get; }

    /// <summary>What is wrong, without the location.</summary>
    public string Reason { get; }
}
