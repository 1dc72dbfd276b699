namespace EdgeRnn.Deployment.IO;

/// <summary>
/// Checks, before a command does any work, that it will be able to write its output: no part of the folder's path is
/// a file, the nearest existing folder takes a new file, and the output is not an existing folder. Training for minutes and then
/// failing on a read-only folder, or leaving half the outputs behind, is what this prevents.
/// </summary>
public static class OutputPath
{
    /// <summary>
    /// Null when <paramref name="path"/> can be written as a file (its folder may not exist yet); otherwise why not, as
    /// a sentence naming <paramref name="option"/>. Creates nothing.
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

    /// <summary>Null when files can be written in the folder <paramref name="path"/> (which may not exist yet); otherwise why not. Creates nothing.</summary>
    public static string? CheckFolder(string path, string option) => CheckFolder(path, option, path);

    private static string? CheckFolder(string folder, string option, string given)
    {
        try
        {
            // Nothing is created here: the nearest folder that exists must take a new file (the command creates the
            // rest), and nothing on the way may be a file.
            string? existing = Path.GetFullPath(folder);
            while (existing is not null && !Directory.Exists(existing))
            {
                if (File.Exists(existing))
                {
                    return $"{option} '{given}': '{existing}' is a file, not a folder";
                }

                existing = Path.GetDirectoryName(existing);
            }

            string probe = Path.Combine(existing ?? "/", $".edgernn-write-check.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
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
