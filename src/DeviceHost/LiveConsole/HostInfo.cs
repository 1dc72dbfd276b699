using System.Globalization;

namespace EdgeRnn.DeviceHost.LiveConsole;

/// <summary>
/// The machine as a field technician wants it at a glance: CPU temperature (/sys/class/thermal), load and uptime
/// (/proc), memory (/proc/meminfo), this process's resident memory, and the disk left where the state file and the
/// event log are. Anything missing (no thermal zone in a container) is null, never an error.
/// </summary>
internal static class HostInfo
{
    /// <summary>Reads it now (a few small /proc and /sys files; the status server calls it at most once a second).</summary>
    public static HostStatus Read(string? statePath, string? logPath) => new()
    {
        CpuCelsius = CpuTemperature(),
        Load = Load(),
        MemoryTotalMegabytes = MemInfo("MemTotal:") is { } total ? total / 1024 : null,
        MemoryUsedMegabytes = MemInfo("MemTotal:") is { } t && MemInfo("MemAvailable:") is { } a ? (t - a) / 1024 : null,
        ProcessMegabytes = Commands.DiagWorker.ResidentMegabytes(),
        UptimeSeconds = FirstNumber("/proc/uptime"),
        StateDiskFreeMegabytes = FreeMegabytes(statePath),
        LogDiskFreeMegabytes = FreeMegabytes(logPath),
    };

    /// <summary>The hottest thermal zone, in °C (the Pi has one: cpu-thermal).</summary>
    internal static double? CpuTemperature(string root = "/sys/class/thermal")
    {
        double? hottest = null;
        try
        {
            if (!Directory.Exists(root))
            {
                return null;
            }

            foreach (string zone in Directory.EnumerateDirectories(root, "thermal_zone*"))
            {
                if (FirstNumber(Path.Combine(zone, "temp")) is { } milli && (hottest is null || milli / 1000 > hottest))
                {
                    hottest = milli / 1000;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }

        return hottest;
    }

    private static double[]? Load()
    {
        string? text = ReadSmall("/proc/loadavg");
        string[]? parts = text?.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts is not { Length: >= 3 })
        {
            return null;
        }

        var load = new double[3];
        for (int i = 0; i < 3; i++)
        {
            if (!double.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out load[i]))
            {
                return null;
            }
        }

        return load;
    }

    private static double? MemInfo(string key)
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/meminfo"))
            {
                if (line.StartsWith(key, StringComparison.Ordinal)
                    && double.TryParse(line.AsSpan(key.Length).Trim().TrimEnd("kB").Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double kb))
                {
                    return kb;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }

        return null;
    }

    private static double? FirstNumber(string path)
    {
        string? text = ReadSmall(path);
        if (text is null)
        {
            return null;
        }

        string first = text.Split((char[])[' ', '\n'], StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "";
        return double.TryParse(first, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v : null;
    }

    private static string? ReadSmall(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1);
            var buffer = new byte[256];
            int n = stream.Read(buffer);
            return System.Text.Encoding.ASCII.GetString(buffer, 0, n);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static double? FreeMegabytes(string? path)
    {
        if (path is null)
        {
            return null;
        }

        try
        {
            string? folder = Path.GetDirectoryName(path);
            while (folder is not null && !Directory.Exists(folder))
            {
                folder = Path.GetDirectoryName(folder);
            }

            return folder is null ? null : new DriveInfo(folder).AvailableFreeSpace / (1024.0 * 1024.0);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
    }
}
