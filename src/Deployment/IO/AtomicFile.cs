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
