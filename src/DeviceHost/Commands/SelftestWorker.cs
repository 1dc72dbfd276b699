using System.Globalization;
using EdgeRnn.Deployment.Cli;
using EdgeRnn.Deployment.Metadata;
using EdgeRnn.DeviceHost.IO;
using EdgeRnn.DeviceHost.Profiles;
using EdgeRnn.Runtime;

namespace EdgeRnn.DeviceHost.Commands;

/// <summary>
/// The <c>selftest</c> command: runs the model's golden vector (<c>edgernn.golden</c>, computed on the desktop) on
/// this device and compares within its tolerance; with a profile also checks the profile fits the model.
/// Exit codes: 0 pass, 1 the device computes something else, 2 no model, no golden vector, or a profile mismatch.
/// </summary>
internal static class SelftestWorker
{
    public static int Run(string? profilePath, string? modelPath, TextWriter stdout, TextWriter stderr)
    {
        try
        {
            LoadedProfile? profile = null;
            if (profilePath is not null)
            {
                profile = ProfileLoader.Load(profilePath);
                modelPath ??= profile.Resolve(profile.Profile.Model);
            }

            if (modelPath is null)
            {
                stderr.WriteLine("error: give --profile or --model.");
                return ToolExitCodes.BadInput;
            }

            RnnModel model = RnnModel.Load(modelPath);
            EdgeRnnMetadata? metadata = EdgeRnnMetadata.Read(model.Metadata, modelPath);
            if (profile is not null)
            {
                ProfileLoader.CheckAgainstModel(profile.Profile, metadata, profile.FullPath, modelPath);
                stdout.WriteLine($"profile  {profile.FullPath}: fits the model (features, units, sample period)");
            }

            if (metadata?.Golden is not { } golden)
            {
                stderr.WriteLine($"error: {modelPath}: the model has no golden vector (edgernn.golden) to check against.");
                return ToolExitCodes.BadInput;
            }

            GoldenCheckResult result = GoldenCheck.Run(model, golden);
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"golden   {result.Steps} steps, max abs error {result.MaxAbsError:G3} (tolerance {golden.Tolerance:G3}): {(result.Passed ? "PASSED" : "FAILED")}"));
            return result.Passed ? ToolExitCodes.Success : 1;
        }
        catch (Exception e) when (e is ProfileException or ModelFormatException or IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            stderr.WriteLine("error: " + (e is ProfileException or ModelFormatException ? ErrorText.Sanitize(e.Message, 2000) : $"{ErrorText.Sanitize(modelPath)}: {ErrorText.Describe(e)}"));
            return ToolExitCodes.BadInput;
        }
    }
}
