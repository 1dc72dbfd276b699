using EdgeRnn.Deployment.IO;

namespace EdgeRnn.DeviceHost.IO;

/// <summary>
/// The file writes the device loop makes (the event log, the state file), behind virtual methods so tests can make
/// them fail the way a full SD card or a read-only remount does (<c>IOException("No space left on device")</c>)
/// without needing such a disk.
/// </summary>
internal class DeviceFileSystem
{
    /// <summary>The real file system.</summary>
    public static readonly DeviceFileSystem Real = new();

    /// <summary>
    /// Opens (creating it and its folder if needed) a log file for reading and appending. The stream is unbuffered:
    /// each <see cref="Stream.Write(ReadOnlySpan{byte})"/> is one write(2), so a line written is in the kernel even if
    /// the process dies right after.
    /// </summary>
    public virtual Stream OpenLog(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, bufferSize: 0);
    }

    /// <summary>Replaces <paramref name="path"/> with <paramref name="bytes"/> atomically (<see cref="AtomicFile"/>).</summary>
    public virtual void WriteAtomic(string path, ReadOnlySpan<byte> bytes) => AtomicFile.WriteAllBytes(path, bytes);
}
