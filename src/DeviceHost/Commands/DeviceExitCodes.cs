using EdgeRnn.Deployment.Cli;

namespace EdgeRnn.DeviceHost.Commands;

/// <summary>
/// The exit codes of <c>edgernn-device</c> beyond the shared <see cref="ToolExitCodes"/>. The systemd unit lists
/// <see cref="ToolExitCodes.BadInput"/> and <see cref="AlreadyRunning"/> in <c>RestartPreventExitStatus</c>: neither
/// goes away by restarting.
/// </summary>
internal static class DeviceExitCodes
{
    /// <summary>3: another <c>run</c> holds the profile's lock (its state file or event log).</summary>
    public const int AlreadyRunning = 3;

    /// <summary>1 (replay): the output could not be written (a full disk, an I/O error; not a reader that closed the pipe).</summary>
    public const int OutputFailed = 1;

    /// <summary>4 (top): no running edgernn-device answers on the console socket (and top was not asked to run the loop itself).</summary>
    public const int NoService = 4;
}
