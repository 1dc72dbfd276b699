namespace EdgeRnn.Train.Tests;

internal static class TestPaths
{
    /// <summary>nab-sample's data folder: shared/data beside the repository (CI: a fresh clone with shared/ beside it).</summary>
    public static string NabData
    {
        get
        {
            foreach (string candidate in new[] { Path.Combine(RepoPaths.Root, "..", "shared", "data", "nab-sample", "data"), "/work/shared/data/nab-sample/data" })
            {
                if (Directory.Exists(candidate))
                {
                    return Path.GetFullPath(candidate);
                }
            }

            throw new DirectoryNotFoundException("nab-sample not found beside the repository (../shared/data/nab-sample).");
        }
    }
}
