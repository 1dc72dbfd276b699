using System.Globalization;

namespace EdgeRnn.Train.Nab;

/// <summary>
/// NAB's timestamps: <c>YYYY-MM-DD HH:MM:SS</c> in data and results files, <c>YYYY-MM-DD HH:MM:SS.ffffff</c> in the
/// labels (a <c>T</c> separator and fewer fields are accepted too). No time zone: NAB compares them as written.
/// </summary>
internal static class NabTimestamp
{
    private static readonly string[] s_formats =
    [
        "yyyy-MM-dd HH:mm:ss",
        "yyyy-MM-dd HH:mm:ss.FFFFFFF",
        "yyyy-MM-dd'T'HH:mm:ss",
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF",
        "yyyy-MM-dd HH:mm",
        "yyyy-MM-dd'T'HH:mm",
        "yyyy-MM-dd",
    ];

    public static bool TryParse(ReadOnlySpan<char> text, out DateTime value) =>
        DateTime.TryParseExact(text.Trim(), s_formats, CultureInfo.InvariantCulture, DateTimeStyles.None, out value);

    /// <summary>
    /// A NAB timestamp (no offset) as seconds since 1970-01-01, read as UTC like every recording
    /// (<see cref="Deployment.Metadata.TimeFeatures.TryParseTimestamp"/>).
    /// </summary>
    public static double ToUnixSeconds(DateTime value) => (DateTime.SpecifyKind(value, DateTimeKind.Utc) - DateTime.UnixEpoch).TotalSeconds;

    /// <summary>The timestamp as NAB writes it in labels: <c>yyyy-MM-dd HH:mm:ss.ffffff</c>.</summary>
    public static string Format(DateTime value) => value.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture);
}
