using EdgeRnn.Runtime.Tools;

namespace EdgeRnn.DeviceHost.Commands;

/// <summary>The <c>verify</c> command: the shared verifier and report, so the device prints what the desktop prints.</summary>
internal static class VerifyWorker
{
    public static int Run(IReadOnlyList<string> paths, double atol, double rtol, bool json, TextWriter stdout, TextWriter stderr) =>
        VerifyReport.Run(paths, atol, rtol, json, stdout, stderr);
}
