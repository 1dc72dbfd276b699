using System.Globalization;
using System.Text;
using EdgeRnn.Runtime;

namespace EdgeRnn.DeviceHost.IO;

/// <summary>
/// Turns exceptions and file-derived text into sentences fit for a terminal, the journal and the event log. The device
/// binary is built with <c>UseSystemResourceKeys</c>, so a framework exception's message is a resource key
/// (<c>IO_FileNotFound_FileName, /etc/x.json</c>); <see cref="Describe"/> says what happened in words instead.
/// </summary>
internal static class ErrorText
{
    /// <summary>errno EPIPE on Linux: the reader of a pipe went away.</summary>
    private const int BrokenPipeErrno = 32;

    /// <summary>The longest file-derived text <see cref="Sanitize"/> keeps.</summary>
    public const int MaxLength = 300;

    /// <summary>
    /// A sentence for an I/O, access or format exception: the OS's own text where there is one (strerror, e.g. "No
    /// space left on device"), our words where the message is a resource key. Control characters are escaped.
    /// </summary>
    public static string Describe(Exception e)
    {
        ArgumentNullException.ThrowIfNull(e);
        string message = e.Message;
        if (!LooksLikeResourceKey(message))
        {
            return Sanitize(message);
        }

        string what = e switch
        {
            _ when message.StartsWith("IO_FileNotFound", StringComparison.Ordinal) => "the file does not exist",
            _ when message.StartsWith("IO_PathNotFound", StringComparison.Ordinal) => "a folder on the path does not exist",
            _ when message.StartsWith("UnauthorizedAccess", StringComparison.Ordinal) => "permission denied",
            _ when message.StartsWith("IO_PathTooLong", StringComparison.Ordinal) => "the path is too long",
            FileNotFoundException => "the file does not exist",
            DirectoryNotFoundException => "a folder on the path does not exist",
            PathTooLongException => "the path is too long",
            UnauthorizedAccessException => "permission denied",
            EndOfStreamException => "the file ends too early",
            InvalidDataException => "the data is not valid",
            OperationCanceledException => "the operation was cancelled",
            IOException io when IsBrokenPipe(io) => "the reader closed the pipe",
            IOException io when io.Message.StartsWith("IO_SharingViolation", StringComparison.Ordinal) => "the file is locked by another process",
            IOException io when io.Message.StartsWith("IO_FileExists", StringComparison.Ordinal) => "the file already exists",
            IOException => "an I/O error",
            ArgumentException => "the path or value is not valid",
            _ => "an unexpected error (" + e.GetType().Name + ")",
        };

        // The arguments after the key are usually the path; keep it when it is one.
        int comma = message.IndexOf(", ", StringComparison.Ordinal);
        string argument = comma > 0 ? message[(comma + 2)..].Trim() : "";
        return argument.Length > 0 && argument.Contains('/', StringComparison.Ordinal) ? $"{Sanitize(argument)}: {what}" : what;
    }

    /// <summary>Whether an exception is the EPIPE of a write to a pipe whose reader has gone (<c>... | head -3</c>).</summary>
    public static bool IsBrokenPipe(IOException e) => e.HResult == BrokenPipeErrno || e.Message.Contains("Broken pipe", StringComparison.Ordinal);

    /// <summary>
    /// Whether a message is a framework resource key rather than a sentence: an identifier such as
    /// <c>IO_FileNotFound_FileName</c> or <c>JsonRequiredPropertiesMissing</c>, alone or followed by ", " and its arguments.
    /// </summary>
    public static bool LooksLikeResourceKey(string message)
    {
        int end = message.IndexOf(',', StringComparison.Ordinal);
        ReadOnlySpan<char> key = end < 0 ? message.AsSpan().TrimEnd() : message.AsSpan(0, end);
        if (key.Length < 6 || !char.IsAsciiLetterUpper(key[0]))
        {
            return false;
        }

        int uppers = 0;
        foreach (char c in key)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '_')
            {
                return false;
            }

            uppers += char.IsAsciiLetterUpper(c) ? 1 : 0;
        }

        return uppers >= 2 || key.Contains('_');
    }

    /// <summary>
    /// Escapes control characters (C0 including newline and ESC, DEL, C1), bidirectional overrides and zero-width
    /// characters as <c>\uXXXX</c>, and cuts text longer than <paramref name="maxLength"/> with "...": text read from
    /// a file (a CSV header, a profile's names) must not forge log lines, sd_notify fields or terminal colours. The
    /// runtime's <see cref="DisplayText.Sanitize"/>, which model names go through too.
    /// </summary>
    public static string Sanitize(string? text, int maxLength = MaxLength) => DisplayText.Sanitize(text, maxLength);
}
