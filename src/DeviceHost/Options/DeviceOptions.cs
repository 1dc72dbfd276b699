using System.CommandLine;

namespace EdgeRnn.DeviceHost.Options;

/// <summary>Options only edgernn-device has, defined once (the shared ones are in <see cref="Deployment.Cli.CommonOptions"/>).</summary>
internal static class DeviceOptions
{
    /// <summary><c>--profile</c>: the device profile.</summary>
    public static Option<string> Profile(bool required) => new("--profile")
    {
        Description = "The device profile (devices/*.json): sensors, model, outputs, alarm policy.",
        Required = required,
    };

    /// <summary><c>--model</c>/<c>-m</c> where a profile names the model too.</summary>
    public static Option<string> ModelOrProfiles() =>
        Deployment.Cli.CommonOptions.Model("The model file (.onnx). Default: the --profile's model.", required: false);

    /// <summary><c>--max-steps</c>: stop after this many steps.</summary>
    public static Option<long?> MaxSteps(string whenAbsent) =>
        Deployment.Cli.CommonOptions.InRange(new Option<long?>("--max-steps") { Description = $"Stop after this many steps (default: {whenAbsent})." }, 1L, long.MaxValue);
}
