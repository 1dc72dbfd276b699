using EdgeRnn.DeviceHost.IO;

namespace EdgeRnn.DeviceHost.Profiles;

/// <summary>
/// The folders a profile may have the device write to (its state file, event log and their lock, temporary and rotated
/// files), so that a profile run by hand as root cannot make the device overwrite or append to an arbitrary file
/// (<c>"state": {"path": "/etc/passwd"}</c>).
/// </summary>
/// <remarks>
/// By default: the folders systemd made for the service (<c>$STATE_DIRECTORY</c>, <c>$LOGS_DIRECTORY</c>,
/// <c>$RUNTIME_DIRECTORY</c>, each a colon-separated list), the shipped locations <c>/var/lib/edgernn</c> and
/// <c>/var/log/edgernn</c>, and the profile's own folder (a profile writes beside itself, as devices/replay.json does
/// into <c>run/</c>), each with everything below it. <c>EDGERNN_WRITABLE_DIRS</c> (colon-separated) replaces that list;
/// a profile cannot widen it. Paths are compared after symbolic links are resolved, so a link inside an allowed folder
/// cannot lead out of it, and the file itself must not be a symbolic link (the log appends through it).
/// </remarks>
internal static class WritableFolders
{
    /// <summary>The environment variable that replaces the default list.</summary>
    public const string Variable = "EDGERNN_WRITABLE_DIRS";

    /// <summary>The folders (absolute, links resolved) a profile in <paramref name="profileFolder"/> may write to, with why each is allowed.</summary>
    /// <param name="profileFolder">The profile's folder.</param>
    /// <param name="environment">Reads an environment variable (the process's by default).</param>
    public static IReadOnlyList<(string Folder, string Why)> For(string profileFolder, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var list = new List<(string, string)>();
        if (environment(Variable) is { Length: > 0 } explicitList)
        {
            Add(list, explicitList, Variable);
            return list;
        }

        Add(list, environment("STATE_DIRECTORY"), "systemd StateDirectory");
        Add(list, environment("LOGS_DIRECTORY"), "systemd LogsDirectory");
        Add(list, environment("RUNTIME_DIRECTORY"), "systemd RuntimeDirectory");
        Add(list, "/var/lib/edgernn", "the shipped state folder");
        Add(list, "/var/log/edgernn", "the shipped log folder");
        Add(list, profileFolder, "the profile's folder");
        return list;
    }

    /// <summary>
    /// Why the device may not write <paramref name="path"/> (absolute), or null when it may: the real path of its folder
    /// must be inside one of <paramref name="allowed"/>, and the file must not be a symbolic link.
    /// </summary>
    public static string? Refusal(string path, IReadOnlyList<(string Folder, string Why)> allowed)
    {
        FileSystemInfo file = new FileInfo(path);
        if (file.Exists && file.LinkTarget is not null)
        {
            return $"{ErrorText.Sanitize(path)} is a symbolic link; the device writes only regular files it can replace (give the link's target)";
        }

        string real = Path.Join(RealPath(Path.GetDirectoryName(path) ?? "/"), Path.GetFileName(path));
        foreach ((string folder, _) in allowed)
        {
            if (IsInside(real, folder))
            {
                return null;
            }
        }

        return $"{ErrorText.Sanitize(real)} is outside the folders a profile may write to ({string.Join(", ", allowed.Select(a => $"{ErrorText.Sanitize(a.Folder)} ({a.Why})"))}); "
            + $"put the file in one of them, or list its folder in {Variable} (colon-separated) for the device's process";
    }

    private static bool IsInside(string path, string folder) =>
        folder == "/" || path.StartsWith(folder.TrimEnd('/') + "/", StringComparison.Ordinal);

    private static void Add(List<(string, string)> list, string? folders, string why)
    {
        if (folders is null)
        {
            return;
        }

        foreach (string f in folders.Split(':', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (Path.IsPathRooted(f) && !f.Contains('\0', StringComparison.Ordinal))
            {
                list.Add((RealPath(Path.GetFullPath(f)), why));
            }
        }
    }

    /// <summary>
    /// <paramref name="path"/> (absolute) with every symbolic link among its existing leading parts resolved (as
    /// realpath(3) does for the part that exists; the rest is kept as written). At most 40 links are followed, as Linux does.
    /// </summary>
    internal static string RealPath(string path)
    {
        string[] parts = Path.GetFullPath(path).Split('/', StringSplitOptions.RemoveEmptyEntries);
        string current = "/";
        int links = 0;
        for (int i = 0; i < parts.Length; i++)
        {
            string next = Path.Join(current, parts[i]);
            FileSystemInfo info = Directory.Exists(next) ? new DirectoryInfo(next) : new FileInfo(next);
            if (!info.Exists)
            {
                // Nothing below a missing part exists: keep the rest as written.
                return Path.GetFullPath(Path.Join(next, string.Join('/', parts.AsSpan(i + 1).ToArray())));
            }

            if (info.LinkTarget is { } target && ++links <= 40)
            {
                FileSystemInfo? final;
                try
                {
                    final = info.ResolveLinkTarget(returnFinalTarget: true);
                }
                catch (IOException)
                {
                    return Path.GetFullPath(Path.Join(next, string.Join('/', parts.AsSpan(i + 1).ToArray()))); // a link loop: compared as written
                }

                next = final is null ? Path.GetFullPath(target, current) : RealPath(final.FullName);
            }

            current = next;
        }

        return current;
    }
}
