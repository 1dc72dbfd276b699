using EdgeRnn.Runtime.Tools;

namespace EdgeRnn.Train.Commands;

/// <summary>The <c>verify</c> command: the verifier and report edgernn-device uses, so both print the same thing.</summary>
internal static class VerifyWorker
{
    public static int Run(IReadOnlyList<string> paths, double atol, double rtol, bool json, TextWriter stdout, TextWriter stderr) =>
        VerifyReport.Run(paths, atol, rtol, json, stdout, stderr);
}
