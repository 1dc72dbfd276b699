using System.Globalization;
using System.Text;

namespace EdgeRnn.Runtime;

/// <summary>
/// Makes text that comes from a file (names in a model, metadata, a device profile) safe to print on a terminal or in
/// a log line: a name holding a newline or an ESC sequence must not forge log lines or recolour the console.
/// </summary>
public static class DisplayText
{
    /// <summary>The default longest text <see cref="Sanitize(string?, int)"/> returns before it truncates, in characters.</summary>
    public const int DefaultMaxLength = 256;

    /// <summary>
    /// Returns <paramref name="text"/> with every control character (C0 including newline, tab and ESC, DEL, C1), every
    /// invisible formatting character (bidirectional overrides, zero-width characters), line and paragraph separators
    /// and every unpaired surrogate replaced by a <c>\uXXXX</c> escape, and truncated with "..." after
    /// <paramref name="maxLength"/> characters. Null becomes an empty string. Text without such characters that fits
    /// is returned as it is (no copy).
    /// </summary>
    /// <param name="text">The text to print.</param>
    /// <param name="maxLength">The most characters kept from <paramref name="text"/> (escapes do not count); at least 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxLength"/> is less than 1.</exception>
    public static string Sanitize(string? text, int maxLength = DefaultMaxLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 1);
        if (string.IsNullOrEmpty(text))
        {
            return "";
        }

        int keep = Math.Min(text.Length, maxLength);
        if (keep < text.Length && char.IsHighSurrogate(text[keep - 1]) && char.IsLowSurrogate(text[keep]))
        {
            keep--; // do not split a surrogate pair
        }

        int first = IndexOfUnsafe(text.AsSpan(0, keep));
        if (first < 0 && keep == text.Length)
        {
            return text;
        }

        var builder = new StringBuilder(keep + 16);
        builder.Append(text, 0, first < 0 ? keep : first);
        for (int i = first < 0 ? keep : first; i < keep; i++)
        {
            char c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                builder.Append(c).Append(text[++i]);
            }
            else if (IsUnsafe(c))
            {
                builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
            }
            else
            {
                builder.Append(c);
            }
        }

        if (keep < text.Length)
        {
            builder.Append("...");
        }

        return builder.ToString();
    }

    /// <summary>
    /// True when <paramref name="text"/> holds a control character (C0 including newline, tab and ESC, DEL, C1) or a
    /// line or paragraph separator: characters no name or label of a model needs, which would break a terminal line.
    /// </summary>
    public static bool ContainsControlCharacters(ReadOnlySpan<char> text)
    {
        foreach (char c in text)
        {
            if (char.IsControl(c) || c is '\u2028' or '\u2029')
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The index of the first character <see cref="Sanitize"/> escapes, or -1.</summary>
    private static int IndexOfUnsafe(ReadOnlySpan<char> text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c >= ' ' && c < '\u007F')
            {
                continue; // printable ASCII, the common case
            }

            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
                continue;
            }

            if (IsUnsafe(c))
            {
                return i;
            }
        }

        return -1;
    }

    private static bool IsUnsafe(char c) => char.GetUnicodeCategory(c) is UnicodeCategory.Control or UnicodeCategory.Format
        or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator or UnicodeCategory.Surrogate;
}
