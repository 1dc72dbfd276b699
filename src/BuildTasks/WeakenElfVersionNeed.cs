using Microsoft.Build.Framework;
using MSBuildTask = Microsoft.Build.Utilities.Task;

namespace EdgeRnn.BuildTasks;

/// <summary>
/// MSBuild task: marks the requirement of <see cref="Version"/> weak in each of <see cref="Files"/> (see
/// <see cref="ElfVersionPatcher"/>). Files that do not exist are skipped with a low-importance message.
/// </summary>
public sealed class WeakenElfVersionNeed : MSBuildTask
{
    /// <summary>The ELF shared libraries to patch in place (copies in an output folder, never the NuGet cache).</summary>
    [Required]
    public ITaskItem[] Files { get; set; } = [];

    /// <summary>The version name, e.g. GLIBCXX_3.4.32.</summary>
    [Required]
    public string Version { get; set; } = "";

    /// <inheritdoc />
    public override bool Execute()
    {
        foreach (ITaskItem item in Files)
        {
            string path = item.GetMetadata("FullPath");
            if (!File.Exists(path))
            {
                Log.LogMessage(MessageImportance.Low, "{0}: not present, nothing to patch.", path);
                continue;
            }

            try
            {
                ElfPatchResult result = ElfVersionPatcher.WeakenVersionNeed(path, Version);
                Log.LogMessage(result == ElfPatchResult.Patched ? MessageImportance.Normal : MessageImportance.Low,
                    "{0}: {1} requirement {2}.", path, Version, result switch
                    {
                        ElfPatchResult.Patched => "marked weak",
                        ElfPatchResult.AlreadyWeak => "already weak",
                        _ => "not present",
                    });
            }
            catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
            {
                Log.LogError("{0}: cannot weaken the {1} requirement: {2}", path, Version, e.Message);
            }
        }

        return !Log.HasLoggedErrors;
    }
}
