using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace EdgeRnn.DeviceHost.State;

/// <summary>
/// One <c>run</c> per profile: an exclusive flock(2) on a lock file beside the state file (or the event log), holding
/// the owner's process id. The kernel drops the lock when the process dies, even by kill -9, so a stale file never
/// blocks a restart; a second process finds the lock taken and reads who holds it.
/// </summary>
/// <remarks>
/// open, flock and the pid I/O are done directly (source-generated P/Invoke, AOT clean), not through
/// <see cref="FileShare.None"/>: .NET's emulation of sharing takes a shared flock for any reader (so the second
/// process could not read the pid) and can be switched off by an environment variable.
/// </remarks>
internal sealed partial class InstanceLock : IDisposable
{
    private const int ORdWr = 0x2;
    private const int OCreat = 0x40;
    private const int OCloexec = 0x80000;
    private const int LockExclusive = 2;
    private const int LockNonBlocking = 4;
    private const int EWouldBlock = 11;
    private const int ModeRwRR = 0b110_100_100; // 0644

    private readonly SafeFileHandle _handle;

    private InstanceLock(string path, SafeFileHandle handle)
    {
        Path = path;
        _handle = handle;
    }

    /// <summary>The lock file.</summary>
    public string Path { get; }

    /// <summary>The lock file for a state or event-log path: the same path with ".lock" added.</summary>
    public static string PathFor(string guarded) => guarded + ".lock";

    /// <summary>
    /// Takes the lock, or returns null and the holder's process id (0 when it cannot be read) when another process
    /// holds it.
    /// </summary>
    /// <exception cref="IOException">The lock file cannot be created or locked for another reason.</exception>
    public static InstanceLock? TryAcquire(string path, out int holder)
    {
        holder = 0;
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
        if (!OperatingSystem.IsLinux())
        {
            return AcquirePortable(path);
        }

        int fd = Open(path, ORdWr | OCreat | OCloexec, ModeRwRR);
        if (fd < 0)
        {
            throw new IOException($"{path}: cannot create the lock file: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        }

        var handle = new SafeFileHandle(fd, ownsHandle: true);
        if (Flock(fd, LockExclusive | LockNonBlocking) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            try
            {
                if (errno != EWouldBlock)
                {
                    throw new IOException($"{path}: cannot lock: {Marshal.GetPInvokeErrorMessage(errno)}");
                }

                holder = ReadPid(handle);
                return null;
            }
            finally
            {
                handle.Dispose();
            }
        }

        try
        {
            RandomAccess.SetLength(handle, 0);
            RandomAccess.Write(handle, Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n"), 0);
        }
        catch (IOException)
        {
            // The pid is for the message of a second process; the lock holds without it (a full disk).
        }

        return new InstanceLock(path, handle);
    }

    private static int ReadPid(SafeFileHandle handle)
    {
        try
        {
            Span<byte> buffer = stackalloc byte[16];
            int n = RandomAccess.Read(handle, buffer, 0);
            return int.TryParse(Encoding.ASCII.GetString(buffer[..n]).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int pid) ? pid : 0;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    /// <summary>Elsewhere than Linux (a developer's machine): the runtime's sharing modes, without the holder's pid.</summary>
    private static InstanceLock? AcquirePortable(string path)
    {
        try
        {
            return new InstanceLock(path, File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Releases the lock (the file stays; its content is stale until the next holder writes its pid).</summary>
    public void Dispose() => _handle.Dispose();

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Open(string path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "flock", SetLastError = true)]
    private static partial int Flock(int fd, int operation);
}
