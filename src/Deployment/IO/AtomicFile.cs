namespace EdgeRnn.Deployment.IO;

/// <summary>
/// Writes files so that a crash or power cut leaves either the old or the new content, never a mix: a temporary file
/// in the same folder, flushed to disk, renamed over the target, then the folder's entry flushed (on Linux).
/// Used for models, test data, quantized models and device state.
/// </summary>
public static class AtomicFile
{
    /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/> atomically; on failure the target is untouched and no temporary file is left.</summary>
    /// <exception cref="IOException">The folder cannot be written (full disk, read-only file system...).</exception>
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        ArgumentNullException.ThrowIfNull(path);
        string fullPath = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(fullPath) ?? ".";
        Directory.CreateDirectory(directory);
        string temp = Path.Combine(directory, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, fullPath, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }

        SyncDirectory(directory);
    }

    /// <summary>
    /// Creates the folder <paramref name="path"/> with everything <paramref name="fill"/> writes into the folder it is
    /// given, as one set: <paramref name="fill"/> writes a temporary sibling folder, which is renamed to
    /// <paramref name="path"/> only when it is complete, so a crash or a full disk leaves no folder or the whole one. When
    /// <paramref name="path"/> already exists and holds files, they are not moved aside (they may not be ours):
    /// <paramref name="fill"/> writes into it directly, each file atomically. Returns true when the folder was written as one set.
    /// </summary>
    /// <exception cref="IOException">The parent folder cannot be written; nothing is left behind.</exception>
    public static bool WriteFolder(string path, Action<string> fill)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(fill);
        string fullPath = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        if (Directory.Exists(fullPath) && Directory.EnumerateFileSystemEntries(fullPath).Any())
        {
            fill(fullPath);
            return false;
        }

        string parent = Path.GetDirectoryName(fullPath) ?? ".";
        Directory.CreateDirectory(parent);
        string temp = Path.Combine(parent, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.partial");
        try
        {
            Directory.CreateDirectory(temp);
            fill(temp);
            SyncTree(temp);
            if (Directory.Exists(fullPath))
            {
                Directory.Delete(fullPath); // empty, checked above; rename(2) replaces only an empty folder
            }

            Directory.Move(temp, fullPath);
        }
        catch
        {
            TryDeleteFolder(temp);
            throw;
        }

        SyncDirectory(parent);
        return true;
    }

    /// <summary>Flushes the entries of every folder under <paramref name="folder"/> (its files were flushed as they were written).</summary>
    private static void SyncTree(string folder)
    {
        foreach (string sub in Directory.EnumerateDirectories(folder, "*", SearchOption.AllDirectories))
        {
            SyncDirectory(sub);
        }

        SyncDirectory(folder);
    }

    private static void TryDeleteFolder(string folder)
    {
        try
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: the failure that brought us here is the one to report.
        }
    }

    /// <summary>
    /// The rename is durable only once the folder's entry is on disk. .NET has no directory fsync: open the folder
    /// read-only and fsync it. Best effort: a failure here loses no data already written, only the guarantee against a
    /// power cut in the next few seconds.
    /// </summary>
    private static void SyncDirectory(string folder)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        try
        {
            int fd = NativeMethods.Open(folder, 0);
            if (fd >= 0)
            {
                _ = NativeMethods.Fsync(fd);
                _ = NativeMethods.Close(fd);
            }
        }
        catch (DllNotFoundException)
        {
        }
        catch (EntryPointNotFoundException)
        {
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // The original error matters more than a leftover temporary file.
        }
        catch (UnauthorizedAccessException)
        {
            // As above.
        }
    }
}
