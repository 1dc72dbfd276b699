using System.Text;
using Microsoft.Win32.SafeHandles;

namespace EdgeRnn.DeviceHost.IO;

/// <summary>
/// stdout as a writer that reports write errors. <see cref="Console.Out"/> on Unix swallows EPIPE, so
/// <c>edgernn-device replay ... | head -3</c> would go on computing and writing into a closed pipe forever; a
/// <see cref="FileStream"/> over file descriptor 1 throws <see cref="IOException"/> instead (SIGPIPE is ignored by the
/// .NET runtime), which ends the replay. Lines are flushed as they are written, like <see cref="Console.Out"/>.
/// </summary>
internal static class StandardOutput
{
    private const int StandardOutputFd = 1;

    /// <summary>A writer over file descriptor 1, or <see cref="Console.Out"/> where that cannot be opened (or not on Linux).</summary>
    public static TextWriter Open()
    {
        if (!OperatingSystem.IsLinux())
        {
            return Console.Out;
        }

        try
        {
            return Open(new SafeFileHandle(StandardOutputFd, ownsHandle: false));
        }
        catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException or NotSupportedException)
        {
            return Console.Out; // stdout closed or not a file: keep the runtime's writer
        }
    }

    /// <summary>A line-flushed UTF-8 writer (no BOM) over <paramref name="handle"/>; write errors throw.</summary>
    public static TextWriter Open(SafeFileHandle handle)
    {
        var stream = new FileStream(handle, FileAccess.Write, bufferSize: 0);
        return new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), bufferSize: 4096) { AutoFlush = true };
    }
}
