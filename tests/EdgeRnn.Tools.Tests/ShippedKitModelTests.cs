extern alias DeviceHost;
extern alias Train;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using DeviceProgram = DeviceHost::EdgeRnn.DeviceHost.Program;
using TrainProgram = Train::EdgeRnn.Train.Program;

namespace EdgeRnn.Tools.Tests;

/// <summary>
/// The sensor-kit models in devices/models (trained by eng/train-device-models.sh) against the recordings
/// <c>edgernn synth --kit</c> writes: they were trained on exactly what the generator writes today, and a recording
/// they never saw, replayed through the device loop, raises alarms at its injected faults and not in its clean part.
/// </summary>
public sealed class ShippedKitModelTests : IDisposable
{
    private readonly TestFolders _folders = new();

    public void Dispose() => _folders.Dispose();

    public static TheoryData<string, string> Kits => new()
    {
        { "pi-bme280.json", "environment" },
        { "pi-mpu6050.json", "imu" },
        { "pi-ads1115.json", "analog" },
    };

    // Profile, kit, rows of the held-out recording (its clean first half is the comparison; 10 faults in the rest).
    public static TheoryData<string, string, int> HeldOut => new()
    {
        { "pi-bme280.json", "environment", 40000 },
        { "pi-mpu6050.json", "imu", 30000 },
        { "pi-ads1115.json", "analog", 20000 },
    };

    private static string Devices => RepoPaths.Devices;

    private static JsonObject Profile(string file) => JsonNode.Parse(File.ReadAllText(Path.Combine(Devices, file)))!.AsObject();

    private static JsonElement Provenance(string profileFile)
    {
        string model = Path.GetFullPath(Path.Combine(Devices, Profile(profileFile)["model"]!.GetValue<string>()));
        var metadata = Deployment.Metadata.EdgeRnnMetadata.Read(Runtime.RnnModel.Load(model).Metadata, model)!;
        return JsonDocument.Parse(metadata.ProvenanceJson!).RootElement;
    }

    /// <summary>
    /// The script's own synth command (seed 1, default rows) must write the file whose SHA-256 the model's provenance
    /// records. When the generator changes, this fails until the models are retrained with the script.
    /// </summary>
    [Theory]
    [MemberData(nameof(Kits))]
    public void ShippedKitModel_TrainedOnWhatSynthWritesToday(string profileFile, string kit)
    {
        string csv = Path.Combine(_folders.Root, $"synth-{kit}-seed1.csv");
        (int code, _, string stderr) = ToolRun.Run(TrainProgram.Run, "synth", "--kit", kit, "--seed", "1", "--clean-fraction", "0.5", "--out", csv);
        Assert.True(code == 0, stderr);

        JsonElement provenance = Provenance(profileFile);

        Assert.Equal(Path.GetFileName(csv), provenance.GetProperty("data").GetString());
        Assert.True(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(csv))) == provenance.GetProperty("data_sha256").GetString(),
            $"`edgernn synth --kit {kit} --seed 1` no longer writes the recording the shipped model was trained on: retrain it with eng/train-device-models.sh and commit the model.");
    }

    /// <summary>
    /// A held-out recording (seed 2: a stretch of time the model never saw) replayed through the device loop with the
    /// shipped model and the profile's alarm policy (the hardware sensor swapped for a CSV of the same features, units
    /// and ranges): most injected faults raise an alarm, and the clean first half almost never does.
    /// </summary>
    [Theory]
    [MemberData(nameof(HeldOut))]
    public void ShippedKitModel_HeldOutRecordingReplayed_AlarmsAtFaultsNotInCleanPart(string profileFile, string kit, int rows)
    {
        string csv = Path.Combine(_folders.Root, $"{kit}-heldout.csv");
        (int code, _, string stderr) = ToolRun.Run(TrainProgram.Run, "synth", "--kit", kit, "--seed", "2", "--rows", rows.ToString(CultureInfo.InvariantCulture),
            "--anomalies", "10", "--clean-fraction", "0.5", "--out", csv);
        Assert.True(code == 0, stderr);
        int[] labels = [.. File.ReadLines(csv).Skip(1).Select(line => int.Parse(line.AsSpan(line.LastIndexOf(',') + 1), CultureInfo.InvariantCulture))];

        JsonObject shipped = Profile(profileFile);
        var readings = new JsonArray([.. shipped["sensors"]!.AsArray().SelectMany(s => s!["readings"]!.AsArray()).Select(r => (JsonNode)new JsonObject
        {
            ["reading"] = r!["feature"]!.GetValue<string>(),
            ["feature"] = r["feature"]!.GetValue<string>(),
            ["unit"] = r["unit"]!.GetValue<string>(),
            ["min"] = r["min"]!.GetValue<double>(),
            ["max"] = r["max"]!.GetValue<double>(),
        })]);
        var replay = new JsonObject
        {
            ["name"] = kit + "-heldout",
            ["model"] = Path.GetFullPath(Path.Combine(Devices, shipped["model"]!.GetValue<string>())),
            ["samplePeriodSeconds"] = shipped["samplePeriodSeconds"]!.GetValue<double>(),
            ["sensors"] = new JsonArray(new JsonObject { ["id"] = "replay", ["kind"] = "csv", ["file"] = csv, ["speed"] = 0, ["readings"] = readings }),
            ["outputs"] = new JsonObject { ["console"] = "off" },
            ["alarm"] = shipped["alarm"]!.DeepClone(),
        };
        string profile = Path.Combine(_folders.Root, kit + "-heldout.json");
        File.WriteAllText(profile, replay.ToJsonString());

        (code, string stdout, stderr) = ToolRun.Run(DeviceProgram.Run, "replay", "--profile", profile);

        Assert.True(code == 0, stderr);
        bool[] active = [.. stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(line => line.Split('\t')[3] == "1")];
        Assert.Equal(rows, active.Length);

        // Faults: an alarm during the fault or shortly after (the scorer's short average lags a few steps).
        const int Lag = 30;
        var faults = new List<(int Start, int End)>();
        for (int r = 0; r < rows; r++)
        {
            if (labels[r] != 0 && (r == 0 || labels[r - 1] != labels[r]))
            {
                int end = r;
                while (end < rows && labels[end] == labels[r])
                {
                    end++;
                }

                faults.Add((r, end));
            }
        }

        int detected = faults.Count(f => active.AsSpan(f.Start, Math.Min(rows, f.End + Lag) - f.Start).Contains(true));
        // The clean first half, after the scorer's warm-up, cut into windows as long as a fault.
        int window = faults.Max(f => f.End - f.Start), clean = 0, flagged = 0;
        for (int start = 1000; start + window <= rows / 2; start += window, clean++)
        {
            flagged += active.AsSpan(start, window).Contains(true) ? 1 : 0;
        }

        string summary = $"{kit}: {detected} of {faults.Count} faults raised an alarm; {flagged} of {clean} clean windows did";
        // Measured 2026-11-25 (docs/benchmarks.md): 8, 7 and 7 of 10 faults, no clean window. Seeded and single-threaded,
        // so the numbers are reproducible here; the bounds leave one fault of room and no false alarm.
        Assert.Equal(10, faults.Count);
        Assert.True(detected >= 6, summary);
        Assert.True(flagged == 0, summary);
    }
}
