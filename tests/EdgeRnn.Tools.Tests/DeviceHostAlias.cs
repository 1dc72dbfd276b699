extern alias DeviceHost;

namespace EdgeRnn.Tools.Tests;

internal static class DeviceHostAlias
{
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr) => DeviceHost::EdgeRnn.DeviceHost.Program.Run(args, stdout, stderr);
}
