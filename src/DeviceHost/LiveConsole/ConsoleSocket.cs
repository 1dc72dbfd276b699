using System.Net.Sockets;
using System.Text;
using EdgeRnn.DeviceHost.Profiles;

namespace EdgeRnn.DeviceHost.LiveConsole;

/// <summary>
/// Where a running <c>run</c> serves its status: <c>$RUNTIME_DIRECTORY/edgernn-device.sock</c> under systemd
/// (<c>RuntimeDirectory=edgernn</c> in the unit: /run/edgernn/edgernn-device.sock), else next to the state file
/// (<c>pi-bme280.state.sock</c>), else next to the event log; a profile with neither has no socket.
/// </summary>
internal static class ConsoleSocket
{
    /// <summary>The socket's name in a runtime directory.</summary>
    public const string FileName = "edgernn-device.sock";

    /// <summary>The runtime directory of the shipped unit.</summary>
    public const string ServiceRuntimeDirectory = "/run/edgernn";

    /// <summary>The longest path a Unix socket address holds (sun_path is 108 bytes with its NUL).</summary>
    public const int MaxPathBytes = 107;

    /// <summary>Where <c>run</c> serves this profile's status; null when the profile has no state file or event log.</summary>
    public static string? ServePath(LoadedProfile profile, Func<string, string?> environment)
    {
        if (environment("RUNTIME_DIRECTORY") is { Length: > 0 } runtime)
        {
            // systemd may pass several directories separated by ':'; the first is the unit's own.
            return Path.Combine(runtime.Split(':')[0], FileName);
        }

        return BesideState(profile);
    }

    /// <summary>Where <c>top</c> looks for a running service of this profile, most likely first.</summary>
    public static IEnumerable<string> Candidates(LoadedProfile profile, Func<string, string?> environment)
    {
        if (environment("RUNTIME_DIRECTORY") is { Length: > 0 } runtime)
        {
            yield return Path.Combine(runtime.Split(':')[0], FileName);
        }

        yield return Path.Combine(ServiceRuntimeDirectory, FileName);
        if (BesideState(profile) is { } beside)
        {
            yield return beside;
        }
    }

    private static string? BesideState(LoadedProfile profile)
    {
        DeviceProfile p = profile.Profile;
        string? anchor = p.State is { } st ? profile.Resolve(st.Path) : p.Outputs.EventLog is { } log ? profile.Resolve(log.Path) : null;
        return anchor is null ? null : anchor + ".sock";
    }

    /// <summary>Null when <paramref name="path"/> can be a socket address, else why not.</summary>
    public static string? CheckPath(string path) => Encoding.UTF8.GetByteCount(path) > MaxPathBytes
        ? $"{path}: a Unix socket path holds at most {MaxPathBytes} bytes (this one has {Encoding.UTF8.GetByteCount(path)}); move the state file to a shorter path"
        : null;

    /// <summary>Whether a server answers at <paramref name="path"/> (a connection is accepted).</summary>
    public static bool Answers(string path)
    {
        if (!File.Exists(path) || CheckPath(path) is not null)
        {
            return false;
        }

        try
        {
            using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            probe.Connect(new UnixDomainSocketEndPoint(path));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
