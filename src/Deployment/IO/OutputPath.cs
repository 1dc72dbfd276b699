namespace EdgeRnn.Deployment.IO;

/// <summary>
/// Checks, before a command does any work, that it will be able to write its output: the folder exists or can be
/// created, a file can be created in it, and the output is not an existing folder. Training for minutes and then
/// failing on a read-only folder, or leaving half the outputs behind, is what this prevents.
/// </summary>
public static class OutputPath
{
    /// <summary>
    /// Null when <paramref name="path"/> can be written as a file (creating its folder if needed); otherwise why not,
    /// as a sentence naming <paramref name="option"/>.
    /// </summary>
    public static string? CheckFile(string path, string option)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(option);
        string full;
        try
        {
            full = Path.GetFullPath(path);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return $"{option} '{path}' is not a usable path ({e.Message})";
        }

        if (Directory.Exists(full))
        {
            return $"{option} '{path}' is a folder; give a file name";
        }

        return CheckFolder(Path.GetDirectoryName(full) ?? ".", option, path);
    }

    /// <summary>Null when files can be written in the folder <paramref name="path"/> (created if needed); otherwise why not.</summary>
    public static string? CheckFolder(string path, string option) => CheckFolder(path, option, path);

    private static string? CheckFolder(string folder, string option, string given)
    {
        string probe = Path.Combine(folder, $".edgernn-write-check.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            if (File.Exists(folder))
            {
                return $"{option} '{given}': '{folder}' is a file, not a folder";
            }

            Directory.CreateDirectory(folder);
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose))
            {
            }

            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return $"{option} '{given}' cannot be written: {e.Message}";
        }
    }
}
