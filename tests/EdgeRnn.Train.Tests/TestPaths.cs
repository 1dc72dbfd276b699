namespace EdgeRnn.Train.Tests;

internal static class TestPaths
{
    /// <summary>The repository root (the folder holding EdgeRnn.sln), found upward from the test binary.</summary>
    public static string RepoRoot { get; } = FindRoot();

    /// <summary>nab-sample's data folder: shared/data beside the repository (CI: a fresh clone with shared/ beside it).</summary>
    public static string NabData
    {
        get
        {
            foreach (string candidate in new[] { Path.Combine(RepoRoot, "..", "shared", "data", "nab-sample", "data"), "/work/shared/data/nab-sample/data" })
            {
                if (Directory.Exists(candidate))
                {
                    return Path.GetFullPath(candidate);
                }
            }

            throw new DirectoryNotFoundException("nab-sample not found beside the repository (../shared/data/nab-sample).");
        }
    }

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
