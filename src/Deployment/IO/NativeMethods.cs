using System.Runtime.InteropServices;

namespace EdgeRnn.Deployment.IO;

/// <summary>The few libc calls .NET does not expose (fsync of a directory). Source-generated marshalling: AOT clean.</summary>
internal static partial class NativeMethods
{
    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    internal static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    internal static partial int Close(int fd);
}
