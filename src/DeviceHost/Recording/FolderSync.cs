using System.Runtime.InteropServices;

namespace EdgeRnn.DeviceHost.Recording;

/// <summary>
/// Flushes a folder's entries to disk (fsync on the folder), so a rename survives a power cut: .NET has no directory
/// fsync. Best effort: a failure loses no data already written, only the guarantee for the next seconds.
/// </summary>
internal static partial class FolderSync
{
    private const int ReadOnly = 0;

    public static void Flush(string folder)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        try
        {
            int fd = Open(folder, ReadOnly);
            if (fd >= 0)
            {
                _ = Fsync(fd);
                _ = Close(fd);
            }
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
        }
    }

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync")]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
