namespace EdgeRnn.Tests;

/// <summary>The repository, found once from the test binary (every test project links this one file).</summary>
internal static class RepoPaths
{
    /// <summary>The repository root: the folder holding EdgeRnn.sln above the test binary.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>devices/: profiles, shipped models, NAB replay data.</summary>
    public static string Devices => Path.Combine(Root, "devices");

    private static string FindRoot()
    {
        for (DirectoryInfo? d = new(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "EdgeRnn.sln")))
            {
                return d.FullName;
            }
        }

        throw new DirectoryNotFoundException("EdgeRnn.sln not found above " + AppContext.BaseDirectory);
    }
}
